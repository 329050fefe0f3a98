"""The statements a submission runs on every request, built once (bound parameters).

Building and hashing a SQLAlchemy statement costs more CPU than SQLite takes to
run it; at a deadline rush every author's request runs these.
"""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import aliased

from essays.models import ACTIVE_STATUSES, Competition, Submission, SubmissionCounter


@functools.cache
def form_use():
    """How a form was used: four columns of the entry made with ``token``."""
    return select(Submission.id, Submission.author_id, Submission.status, Submission.receipt_number).where(
        Submission.submission_token == bindparam("token")
    )


@functools.cache
def next_serial():
    """Take the next receipt serial of the competition ``counter_of`` (returns it)."""
    return (
        update(SubmissionCounter)
        .where(SubmissionCounter.competition_id == bindparam("counter_of"))
        .values(last_serial=SubmissionCounter.last_serial + 1)
        .returning(SubmissionCounter.last_serial)
    )


@functools.cache
def state_under_lock():
    """Settings of ``competition_id``, the entry made with ``token`` and ``author_id``'s active entries."""
    # No token (an edit) binds NULL, which equals no row's token.
    used = aliased(Submission, name="used")
    active = (
        select(func.count(Submission.id))
        .where(
            Submission.competition_id == bindparam("competition_id"),
            Submission.author_id == bindparam("author_id"),
            Submission.status.in_(ACTIVE_STATUSES),
        )
        .scalar_subquery()
    )
    return (
        select(
            Competition.status,
            Competition.opens_at,
            Competition.closes_at,
            Competition.grace_minutes,
            Competition.code,
            Competition.max_entries_per_author,
            Competition.unit_recommendation_enabled,
            Competition.unit_quota,
            used.id.label("use_id"),
            used.author_id.label("use_author_id"),
            used.status.label("use_status"),
            used.receipt_number.label("use_receipt_number"),
            active.label("active"),
        )
        .outerjoin(used, used.submission_token == bindparam("token"))
        .where(Competition.id == bindparam("competition_id"))
    )

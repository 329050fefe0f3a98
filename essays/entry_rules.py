"""The rules every change to an entry obeys: the call's window, who may still edit, counting, locking.

Shared by submission, drafts and withdrawal, and by the submit pages that say a
refusal before the form (``competitions.submission_refusal``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.errors import UserError
from core.extensions import db
from core.i18n import format_dt
from core.i18n_markers import N_
from essays.freeze import check_not_frozen
from essays.models import (
    ACTIVE_STATUSES,
    Competition,
    CompetitionStatus,
    Submission,
    SubmissionCounter,
    SubmissionStatus,
    UnitQuota,
)


def lock_competition(comp: Competition) -> SubmissionCounter:
    """Serialise submissions to one competition (row lock on PostgreSQL).

    On SQLite the ``FOR UPDATE`` select begins the write transaction (``BEGIN
    IMMEDIATE`` behind the writers' queue, :mod:`core.db`), so the clock read after
    this is inside the database lock too.
    """
    counter = db.session.scalar(
        select(SubmissionCounter).where(SubmissionCounter.competition_id == comp.id).with_for_update()
    )
    if counter is None:
        counter = SubmissionCounter(competition_id=comp.id, last_serial=0)
        db.session.add(counter)
        db.session.flush()
    return counter


# How late a request may be saved and still count as received at its arrival.
# Beyond this the server is not queueing but stalled (or a body is being
# trickled in to keep a deadline open), and the saving moment counts instead.
RECEIVED_AT_TOLERANCE = dt.timedelta(minutes=5)


def effective_moment(received_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The moment the deadline is judged at: when the server received the request.

    A request that reached the server before the deadline is not refused
    because the queue of other authors' requests made it wait; ``now`` (the
    clock inside the saving transaction) is used when no arrival time is
    given, when it lies in the future, or when it is older than the tolerance.
    """
    if received_at is None or received_at > now or now - received_at > RECEIVED_AT_TOLERANCE:
        return now
    return received_at


def check_deadline(comp: Competition, now: dt.datetime) -> None:
    check_window(comp.status, comp.opens_at, comp.deadline, now)


def check_window(status, opens_at: dt.datetime, deadline: dt.datetime, now: dt.datetime) -> None:
    if status != CompetitionStatus.OPEN or now < opens_at:
        raise UserError(N_("This competition is not accepting entries."))
    if now > deadline:
        raise DeadlinePassed(
            N_("The deadline (%(deadline)s) has passed. Your entry was NOT submitted; your draft has been kept."),
            deadline=format_dt(deadline),
        )


class DeadlinePassed(UserError):
    pass


def entry_by_token(token: str | None, fresh: bool = False) -> Submission | None:
    if not token:
        return None
    stmt = select(Submission).where(Submission.submission_token == token)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def count_active(*conditions) -> int:
    return (
        db.session.scalar(select(func.count(Submission.id)).where(Submission.status.in_(ACTIVE_STATUSES), *conditions))
        or 0
    )


def check_editable(entry: Submission | None) -> None:
    if entry is not None and entry.status == SubmissionStatus.WITHDRAWN:
        raise UserError(N_("A withdrawn entry cannot be changed."))
    check_not_frozen(entry)
    if entry is not None and entry.status not in (
        SubmissionStatus.DRAFT,
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.QUALIFIED,
        SubmissionStatus.DISQUALIFIED,
    ):
        raise UserError(N_("This entry can no longer be changed."))


def unit_quota(competition_id: int, unit_id: int, default: int) -> int:
    """The unit's places in the competition: its own row, else the competition's unit_quota (0: no limit)."""
    places = db.session.scalar(
        select(UnitQuota.places).where(UnitQuota.competition_id == competition_id, UnitQuota.unit_id == unit_id)
    )
    return default or 0 if places is None else places


def unit_quota_refusal(competition_id: int, unit_id: int, default: int) -> UserError | None:
    """The refusal when the unit has recommended as many active entries as its quota allows."""
    quota = unit_quota(competition_id, unit_id, default)
    used = count_active(Submission.competition_id == competition_id, Submission.recommending_unit_id == unit_id)
    if quota and used >= quota:
        return UserError(N_("This unit's quota of %(quota)s recommended entries is used up."), quota=quota)
    return None

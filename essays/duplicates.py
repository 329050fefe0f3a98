"""Duplicate check: similarity flags between entries, and their review."""

from __future__ import annotations

import functools

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, select

from core import audit
from core.extensions import db
from core.jobs import Job, JobStatus, start_job
from essays import similarity
from essays.models import ACTIVE_STATUSES, Competition, SimilarityFlag, Submission


def detect_similarity(competition_id: int) -> list[SimilarityFlag]:
    """Compare all entries of the competition with each other and with earlier ones."""
    comp = db.session.get(Competition, competition_id)
    rows = db.session.execute(
        select(Submission.id, Submission.body_text).where(
            Submission.competition_id == competition_id, Submission.status.in_(ACTIVE_STATUSES)
        )
    ).all()
    earlier = db.session.execute(
        select(Submission.id, Submission.body_text)
        .join(Competition)
        .where(
            Submission.competition_id != competition_id,
            Submission.status.in_(ACTIVE_STATUSES),
            Competition.created_at < comp.created_at,
        )
    ).all()
    pairs = similarity.find_pairs(
        {r.id: r.body_text for r in rows},
        comp.review_threshold,
        comp.copy_threshold,
        against={r.id: r.body_text for r in earlier},
    )
    existing = {
        (f.submission_id, f.other_id): f
        for f in db.session.scalars(select(SimilarityFlag).where(SimilarityFlag.competition_id == competition_id))
    }
    found = []
    for pair in pairs:
        a, b = (pair.a, pair.b) if pair.against_earlier else (min(pair.a, pair.b), max(pair.a, pair.b))
        flag = existing.pop((a, b), None)
        if flag is None:
            flag = SimilarityFlag(competition_id=competition_id, submission_id=a, other_id=b)
            db.session.add(flag)
        flag.jaccard, flag.containment = round(pair.jaccard, 4), round(pair.containment, 4)
        flag.level, flag.against_earlier = pair.level, pair.against_earlier
        found.append(flag)
    for stale in existing.values():  # an entry was edited or withdrawn
        db.session.delete(stale)
    db.session.flush()
    return found


def resolve_flag(flag: SimilarityFlag, *, actor) -> None:
    flag.resolved = True
    audit.record(
        "essay.similarity_resolve",
        flag,
        actor=actor,
        label=f"{flag.submission_id}~{flag.other_id}",
        changes={"containment": [None, flag.containment]},
    )


@functools.cache
def _waiting_check_statement():
    """Is a duplicate check of the competition still queued? (built once: every submission asks)"""
    return select(
        exists().where(
            Job.kind == "essays.similarity",
            Job.status == JobStatus.QUEUED,
            Job.params["competition_id"].as_integer() == bindparam("competition_id"),
        )
    )


def queue_similarity(comp: Competition, user) -> Job | None:
    """Add the duplicate-check job to the submission's transaction (no extra commit).

    Skipped when a check for this competition is still waiting: it will see
    this entry when it runs, so a deadline rush queues a handful of checks
    instead of one per entry. Returns the job to hand to the queue after commit.
    """
    if db.session.scalar(_waiting_check_statement(), {"competition_id": comp.id}):
        return None
    job = Job(
        kind="essays.similarity",
        title=_("Duplicate check for %(code)s", code=comp.code)[:200],
        params={"competition_id": comp.id},
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(job)
    return job


def start_similarity(comp: Competition, user) -> Job:
    """Run the duplicate check of a competition now (the organiser's button)."""
    return start_job(
        "essays.similarity", _("Duplicate check for %(code)s", code=comp.code), {"competition_id": comp.id}, user=user
    )

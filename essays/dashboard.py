"""What the home page shows of the essay competitions, per role. Read-only; a fixed number of queries each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from accounts import activity_access as access
from core.extensions import db
from core.queries import count_by
from essays.competitions import visible_competitions_for_authors
from essays.entry_rules import unit_quota
from essays.models import ACTIVE_STATUSES, Competition, CompetitionStatus, SimilarityFlag, Submission, SubmissionStatus

# Competitions a home page speaks of: neither in preparation nor put away.
LIVE = (CompetitionStatus.OPEN, CompetitionStatus.CLOSED, CompetitionStatus.JUDGING, CompetitionStatus.PUBLISHED)


def author_numbers(user) -> dict:
    """The author's card: competitions open for entries and how many entries are the author's."""
    mine = select(func.count(Submission.id)).where(
        Submission.author_id == user.id, Submission.status != SubmissionStatus.WITHDRAWN
    )
    return {"open": visible_competitions_for_authors(), "mine": db.session.scalar(mine) or 0}


@dataclass(frozen=True)
class ReviewItem:
    competition_id: int
    title: str
    pending: int  # entries submitted and not yet reviewed
    similar: int  # unresolved similarity flags


def review_queue(user) -> list[ReviewItem]:
    """Competitions ``user`` manages with entries awaiting review or similarity flags to settle."""
    pending = count_by(Submission.competition_id, Submission.status == SubmissionStatus.SUBMITTED)
    similar = count_by(SimilarityFlag.competition_id, SimilarityFlag.resolved.is_(False))
    ids = set(pending) | set(similar)
    if not ids:
        return []
    stmt = select(Competition.id, Competition.title).where(Competition.id.in_(ids))
    stmt = access.limit_to_organised(stmt, Competition.id, access.COMPETITION, user)
    comps = db.session.execute(stmt.order_by(Competition.closes_at)).all()
    return [ReviewItem(cid, title, pending.get(cid, 0), similar.get(cid, 0)) for cid, title in comps]


@dataclass(frozen=True)
class UnitActivity:
    competition_id: int
    title: str
    status: CompetitionStatus
    quota: int  # 0: no unit quota
    recommended: int  # active entries the unit recommended (what the quota counts)
    entries: int  # active entries of the unit's people or recommended by it
    qualified: int


def unit_activities(unit_id: int | None) -> list[UnitActivity]:
    """Per live competition: the unit's quota used, its entries and how many qualified."""
    if unit_id is None:
        return []
    active = Submission.status.in_(ACTIVE_STATUSES)
    ours = or_(Submission.unit_id == unit_id, Submission.recommending_unit_id == unit_id)
    recommended = func.sum(case((active & (Submission.recommending_unit_id == unit_id), 1), else_=0))
    entries = func.sum(case((active & ours, 1), else_=0))
    qualified = func.sum(case((ours & (Submission.status == SubmissionStatus.QUALIFIED), 1), else_=0))
    rows = db.session.execute(
        select(Competition, recommended, entries, qualified)
        .outerjoin(Submission, Submission.competition_id == Competition.id)
        .where(Competition.status.in_(LIVE))
        .group_by(Competition.id)
        .order_by(Competition.closes_at.desc())
    ).all()
    out = []
    for comp, n_recommended, n_entries, n_qualified in rows:
        quota = unit_quota(comp.id, unit_id, comp.unit_quota) if comp.unit_recommendation_enabled else 0
        if not (n_entries or (quota and comp.status == CompetitionStatus.OPEN)):
            continue  # nothing of the unit's, and nothing it could still recommend
        out.append(
            UnitActivity(
                comp.id, comp.title, comp.status, quota or 0, n_recommended or 0, n_entries or 0, n_qualified or 0
            )
        )
    return out

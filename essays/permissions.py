"""Who may see or change an entry or a competition."""

from __future__ import annotations

from accounts import activity_access as access
from accounts.models import Role
from essays.models import CompetitionStatus

# Every competition past its draft and before its archive may be read by the public.
PUBLIC_STATUSES = (
    CompetitionStatus.OPEN,
    CompetitionStatus.CLOSED,
    CompetitionStatus.JUDGING,
    CompetitionStatus.PUBLISHED,
)


def is_organiser(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANISER, Role.ADMIN))


def is_unit_coordinator(user) -> bool:
    """A signed-in coordinator attached to a unit."""
    return bool(user and user.is_authenticated and user.has_role(Role.COORDINATOR) and user.unit_id)


def organises(user, competition) -> bool:
    """An organiser who may manage this competition (every one, or a 承办/协办 account listed on it)."""
    return access.can_organise(user, access.COMPETITION, getattr(competition, "id", competition))


def can_view_entry(user, entry) -> bool:
    if not (user and user.is_authenticated):
        return False
    if entry.author_id == user.id or entry.submitted_by_id == user.id or organises(user, entry.competition_id):
        return True
    return can_withdraw_recommendation(user, entry)


def can_edit_entry(user, entry) -> bool:
    """The author, or the coordinator who recommended it on the author's behalf."""
    if not (user and user.is_authenticated):
        return False
    return entry.author_id == user.id or can_withdraw_recommendation(user, entry)


def can_recommend(user, competition) -> bool:
    return is_unit_coordinator(user) and bool(competition.unit_recommendation_enabled)


def can_view_call(user, competition) -> bool:
    """Anyone reads a public call (and downloads its files); its organisers also a draft one."""
    return competition.status in PUBLIC_STATUSES or organises(user, competition)


def can_manage_notice_files(user, competition) -> bool:
    return organises(user, competition) and competition.status != CompetitionStatus.ARCHIVED


def can_endorse_entry(user, entry) -> bool:
    """A coordinator for an entry a member of their unit submitted."""
    return bool(
        can_recommend(user, entry.competition) and entry.unit_id == user.unit_id and entry.recommending_unit_id is None
    )


def can_withdraw_recommendation(user, entry) -> bool:
    """A coordinator of the unit that recommends the entry."""
    return is_unit_coordinator(user) and entry.recommending_unit_id == user.unit_id


def can_set_unit_quotas(user, competition) -> bool:
    return organises(user, competition) and competition.status != CompetitionStatus.ARCHIVED

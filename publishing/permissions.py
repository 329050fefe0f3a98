"""Who may see and do what in publishing: small pure functions."""

from __future__ import annotations

from sqlalchemy import and_, false, or_

from accounts import activity_access as access
from accounts.models import Role
from publishing.models import Certificate, ResultSet, ResultState, SourceType

# The activity a result set belongs to, by its source (a competition's unit and teacher
# honours belong to the competition).
ACTIVITY_OF_SOURCE = {
    SourceType.COMPETITION: access.COMPETITION,
    SourceType.COMPETITION_UNITS: access.COMPETITION,
    SourceType.COMPETITION_TEACHERS: access.COMPETITION,
    SourceType.PROGRAMME: access.PROGRAMME,
}


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_manage_results(user) -> bool:
    """An organiser of some activity (the publishing desk); each result set asks ``can_manage_result_set``."""
    return _signed_in(user) and user.has_role(Role.ORGANISER, Role.ADMIN)


def can_manage_result_set(user, rs: ResultSet) -> bool:
    """An organiser who may manage the activity the result set publishes (承办/协办 accounts: theirs only)."""
    activity_type = ACTIVITY_OF_SOURCE.get(SourceType(rs.source_type))
    return activity_type is not None and access.can_organise(user, activity_type, rs.source_id)


def managed_result_sets(stmt, user):
    """Narrow a select over result sets to those ``user`` may manage."""
    if access.manages_all(user):
        return stmt
    clauses = []
    for activity_type in access.ACTIVITY_TYPES:
        ids = access.organised_ids(user, activity_type)
        sources = [s for s, a in ACTIVITY_OF_SOURCE.items() if a == activity_type]
        if ids is None:
            clauses.append(ResultSet.source_type.in_(sources))
        elif ids:
            clauses.append(and_(ResultSet.source_type.in_(sources), ResultSet.source_id.in_(ids)))
    return stmt.where(or_(*clauses) if clauses else false())


def can_download_certificate(user, cert: Certificate) -> bool:
    """Organisers of its activity any; an author only their own, of published results, not revoked."""
    if can_manage_result_set(user, cert.honour.result_set):
        return True
    if not _signed_in(user):
        return False
    honour = cert.honour
    return (
        honour.user_id == user.id
        and not cert.revoked
        and not honour.withdrawn
        and honour.result_set.state == ResultState.PUBLISHED
    )

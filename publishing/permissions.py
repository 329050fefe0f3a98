"""Who may see and do what in publishing: small pure functions."""

from __future__ import annotations

from accounts.models import Role
from publishing.models import Certificate, ResultState


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_manage_results(user) -> bool:
    return _signed_in(user) and user.has_role(Role.ORGANISER, Role.ADMIN)


def can_download_certificate(user, cert: Certificate) -> bool:
    """Organisers any; an author only their own, of published results, not revoked."""
    if can_manage_results(user):
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

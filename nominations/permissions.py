"""Who may see or act on a programme or a nomination: the only place that decides access.

Pure functions ``can_<verb>_<noun>(user, obj)``; routes answer 404 when one says no
for someone else's object, so that its existence is not disclosed.
"""

from __future__ import annotations

from accounts.models import Role


def is_organiser(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANISER, Role.ADMIN))


def is_coordinator_of(user, unit_id: int | None) -> bool:
    return bool(
        user and user.is_authenticated and unit_id and user.has_role(Role.COORDINATOR) and user.unit_id == unit_id
    )


# --- programmes, dossiers and the office's eligibility check (helper n1) -----


# --- expert review, committee ballot, 联审, notice and approval (helper n2) ---

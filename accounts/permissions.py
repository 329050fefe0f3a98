"""Who may do what, as small functions used by routes and templates."""

from __future__ import annotations

import functools

from flask import abort, current_app
from flask_login import current_user

from accounts.models import Role


def require_roles(*roles: Role | str):
    """Route decorator: signed in (else to login) and holding one of the roles (else 403)."""
    wanted = tuple(Role(r) for r in roles)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if wanted and not current_user.has_role(*wanted):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_view_job(user, job) -> bool:
    if not (user and user.is_authenticated):
        return False
    return job.created_by_id == user.id or user.has_role(Role.ADMIN)

"""Who may do what, as small functions used by routes and templates."""

from __future__ import annotations

import functools

from flask import abort, current_app
from flask_login import current_user

from accounts import activity_access as access
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

        wrapped.required_roles = wanted  # read by the access tests to find every organiser page
        return wrapped

    return decorator


def can_view_job(user, job) -> bool:
    if not (user and user.is_authenticated):
        return False
    return job.created_by_id == user.id or user.has_role(Role.ADMIN)


def can_issue_reset_link(actor, user) -> bool:
    """An administrator for anyone; a unit coordinator for the authors of their
    own unit (never for someone holding another role: a coordinator must not
    be able to take over an organiser's or a judge's account)."""
    if not (actor and actor.is_authenticated) or user is None or user.invitation_pending:
        return False  # an invited account is confirmed through its invitation only
    if actor.has_role(Role.ADMIN):
        return True
    return _coordinates_author(actor, user) and user.id != actor.id and bool(user.active)


def can_reissue_invitation(actor, user) -> bool:
    """A new invitation link for an account not yet confirmed: an administrator,
    or the coordinator of the unit that opened it (authors only)."""
    if not (actor and actor.is_authenticated) or user is None or not user.invitation_pending:
        return False
    return actor.has_role(Role.ADMIN) or _coordinates_author(actor, user)


def _coordinates_author(actor, user) -> bool:
    """``actor`` coordinates the unit of ``user``, who holds no role but author."""
    return bool(
        actor.has_role(Role.COORDINATOR)
        and actor.unit_id
        and user.unit_id == actor.unit_id
        and user.roles == {Role.AUTHOR}
    )


def can_manage_retention(user, competition) -> bool:
    """The activity's organisers set an archived activity's retention period and erase its non-winners' data."""
    return access.can_organise(user, access.COMPETITION, competition.id)


def can_read_message(user, message) -> bool:
    """A message is its recipient's alone (not even an administrator reads it here)."""
    return bool(user and user.is_authenticated and message is not None and message.user_id == user.id)


def can_manage_notice(user, notice) -> bool:
    """A notice is reviewed and sent by the organiser who drafted it (or an administrator)."""
    if not (user and user.is_authenticated) or notice is None:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.ORGANISER) and notice.created_by_id == user.id


def can_use_outbox(user) -> bool:
    """The outbox (everything waiting to go out) is the organisers' and administrators'."""
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANISER, Role.ADMIN))


def can_send_mail_copies(user) -> bool:
    """The e-mail copies of everyone's messages belong to no one activity: administrators and the
    district department's organisers send them, not a co-organising department's account."""
    return can_use_outbox(user) and access.manages_all(user)

"""Password recovery: one-time, time-limited links to set a new password.

- With SMTP configured, a person asks for a link by e-mail. The answer is the
  same whether or not the account exists, has an address or is disabled.
- Without SMTP (or for someone without an e-mail address), an administrator,
  or the unit coordinator for an author of their unit, issues a link and
  passes it on; the issuer sees it once, the audit log records who issued it.
- An invitation is the same kind of link, issued when a unit coordinator
  recommends someone who has no account yet: the account is created inactive,
  without a usable password (``User.invitation_pending``: nobody can sign in
  with it, nobody can issue a reset link for it) until the person confirms
  their details and sets a password through the link. The coordinator may
  re-issue an expired invitation (audited).
- Only the SHA-256 of a link's token is stored. A link works once, until it
  expires; a newer link replaces older ones; setting the password signs the
  person out everywhere.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select, update

from accounts import services
from accounts.auth import hash_token
from accounts.models import PasswordReset, Role, Unit, User
from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.mail import Mail, mail_configured, send_all
from core.urls import external_url

log = logging.getLogger(__name__)

TOKEN_MAX_LENGTH = 100


def email_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config.get("PASSWORD_RESET_MINUTES") or 30))


def issued_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=int(current_app.config.get("PASSWORD_RESET_ISSUED_HOURS") or 24))


def email_available() -> bool:
    """Whether people can ask for a link by e-mail (SMTP is configured)."""
    return mail_configured()


def _new_link(user: User, lifetime: dt.timedelta, issued_by: User | None) -> str:
    """A fresh link for ``user``; earlier unused links stop working."""
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            token=hash_token(token),
            user_id=user.id,
            issued_by_id=getattr(issued_by, "id", None),
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    return external_url("accounts.reset_password", token=token)


def _minutes(lifetime: dt.timedelta) -> int:
    return int(lifetime.total_seconds() // 60)


def request_link_by_email(login: str) -> Mail | None:
    """The mail with a link for the account ``login`` names, if it is active and
    has an address; None otherwise. The caller shows the same page either way
    and sends the mail after the response (``send_after_response``), so that
    the answer does not take longer when an account exists."""
    user = services.find_user_by_login(login)
    if user is None or not user.active or not user.email:
        audit.record("password.reset_request_unanswered", actor=None, actor_label=audit.VISITOR, object_type="users")
        return None
    lifetime = email_lifetime()
    url = _new_link(user, lifetime, None)
    audit.record("password.reset_request", user, actor=None, actor_label=audit.VISITOR, label=user.username)
    return Mail(
        recipient=user.email,
        subject=gettext("Reset your password"),
        body=gettext(
            "%(name)s, someone (probably you) asked to reset the password of your account %(username)s.\n\n"
            "Open this link within %(minutes)s minutes to choose a new password. It works once:\n%(url)s\n\n"
            "If you did not ask for this, ignore this e-mail: your password stays as it is.",
            name=user.display_name,
            username=user.username,
            minutes=_minutes(lifetime),
            url=url,
        ),
    )


def deliver(mail: Mail, smtp_factory=None) -> bool:
    """Send one recovery mail; a failure is logged (the person was already answered)."""
    try:
        delivery = send_all([mail], smtp_factory)[0]
        ok, error = delivery.ok, delivery.error
    except (smtplib.SMTPException, OSError) as exc:
        ok, error = False, str(exc)[:200]
    if not ok:
        log.warning("password reset e-mail not sent: %s", error)
    return ok


def send_after_response(response, mail: Mail | None):
    """Send ``mail`` once ``response`` has gone out (after the request committed the link)."""
    if mail is not None:
        app = current_app._get_current_object()

        def send() -> None:
            with app.app_context():
                deliver(mail)

        response.call_on_close(send)
    return response


def issue_link(user: User, *, actor: User) -> tuple[str, dt.datetime]:
    """A link for ``user`` that ``actor`` passes on (the caller checked
    ``permissions.can_issue_reset_link``). Returns the URL and its expiry."""
    lifetime = issued_lifetime()
    url = _new_link(user, lifetime, actor)
    audit.record(
        "password.reset_link", user, actor=actor, label=user.username, changes={"hours": _minutes(lifetime) // 60}
    )
    return url, utcnow() + lifetime


def valid_reset(token: str | None) -> PasswordReset | None:
    """The unused, unexpired link of an active (or invited) account with this token, or None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token == hash_token(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    if not (reset.user.active or reset.user.invitation_pending):
        return None
    return reset


def reset_password(reset: PasswordReset, new_password: str) -> User:
    """Set the password through a link: the policy applies, the link is used up,
    every signed-in browser of the account is signed out. Through an invitation,
    this is the person's confirmation: the account becomes usable."""
    user = reset.user
    confirming = user.invitation_pending
    services.set_password(user, new_password, actor=user, action="password.reset_done")
    if confirming:
        user.active = True
        audit.record(
            "user.invitation_confirm", user, actor=user, label=user.username, changes={"active": [False, True]}
        )
    reset.used_at = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=reset.used_at)
    )
    db.session.flush()
    return user


def invitation_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config.get("INVITATION_DAYS") or 14))


@dataclass
class Invitation:
    user: User
    url: str
    expires: dt.datetime
    mail: Mail | None  # sent after the response when SMTP is configured and the person has an address


def invite_author(*, display_name: str, phone: str | None, email: str | None, unit: Unit, actor: User) -> Invitation:
    """An author account in ``unit`` for someone the coordinator recommends, and
    a one-time link for them to set their password (the caller checked the role)."""
    login = (phone or "").strip() or (email or "").strip().lower()
    if not login:
        raise UserError(N_("Enter a mobile number or an e-mail address, so that the person can sign in."))
    user = services.create_user(
        username=login,
        display_name=display_name,
        password="",
        roles=[Role.AUTHOR],
        unit=unit,
        phone=phone,
        email=email,
        actor=actor,
        action="user.invite",
        invitation=True,
    )
    return _invitation(user, unit, actor, "password.invitation_link")


def reissue_invitation(user: User, *, actor: User) -> Invitation:
    """A new invitation link for an account not yet confirmed (the caller checked
    ``permissions.can_reissue_invitation``); earlier links stop working."""
    if not user.invitation_pending:
        raise UserError(N_("This person has already confirmed their account."))
    return _invitation(user, user.unit, actor, "password.invitation_reissue")


def _invitation(user: User, unit: Unit | None, actor: User, action: str) -> Invitation:
    lifetime = invitation_lifetime()
    url = _new_link(user, lifetime, actor)
    audit.record(action, user, actor=actor, label=user.username, changes={"days": lifetime.days})
    unit_name = unit.name if unit is not None else ""
    mail = None
    if mail_configured() and user.email:
        mail = Mail(
            recipient=user.email,
            subject=gettext("You have been recommended by %(unit)s", unit=unit_name),
            body=gettext(
                "%(name)s, %(unit)s has recommended you and opened an account for you (sign-in name: %(username)s).\n\n"
                "Open this link within %(days)s days to confirm, choose your password and check your entry. "
                "It works once:\n%(url)s",
                name=user.display_name,
                unit=unit_name,
                username=user.username,
                days=lifetime.days,
                url=url,
            ),
        )
    return Invitation(user, url, utcnow() + lifetime, mail)

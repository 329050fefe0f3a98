"""Login sessions kept on the server.

The session cookie carries a random session token, not the user id. Each token
is a ``UserSession`` row: logging out revokes that row, changing the password
revokes every row of the user, and disabling a user logs them out everywhere at
once, whatever cookies are still around.
"""

from __future__ import annotations

import functools
import hashlib
import secrets

from flask import g, request
from flask_babel import gettext
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from accounts.models import User, UserSession
from core.db import utcnow
from core.extensions import db
from core.i18n_markers import N_


def hash_token(token: str) -> str:
    """What a ``UserSession`` row stores of a session token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def _session_statement():
    """One query: the session, the user, its unit and its roles (joined, not a second SELECT).
    Built once: every request of a signed-in user runs it."""
    return (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token == bindparam("token"), UserSession.revoked_at.is_(None))
        .options(joinedload(User.role_rows))
    )


def init_app(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.needs_refresh_message = N_("Please sign in again to continue.")
    login_manager.session_protection = "basic"

    login_manager.localize_callback = gettext

    @app.before_request
    def _fresh_user():
        # Each request loads its user from its own cookie. An enclosing app
        # context (as tests and CLI scripts push) must not lend it a user
        # cached by an earlier request.
        g.pop("_login_user", None)

    @login_manager.user_loader
    def _load(token: str):
        if not token:
            return None
        row = db.session.execute(_session_statement(), {"token": hash_token(token)}).unique().first()
        if row is None:
            return None
        user_session, user = row
        if not user.active:
            return None
        user._session_token = token
        return user


def start_session(user: User, remember: bool = False) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token=hash_token(token),
            user_id=user.id,
            ip=request.remote_addr if request else None,
            user_agent=(request.user_agent.string[:255] if request else None),
        )
    )
    user._session_token = token
    user.last_login_at = utcnow()
    login_user(user, remember=remember)
    return token


def end_session(user: User) -> None:
    token = getattr(user, "_session_token", None)
    if token:
        db.session.execute(
            update(UserSession).where(UserSession.token == hash_token(token)).values(revoked_at=utcnow())
        )
    logout_user()


def revoke_all_sessions(user: User, keep_current: bool = False) -> None:
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    token = getattr(user, "_session_token", None)
    if keep_current and token:
        stmt = stmt.where(UserSession.token != hash_token(token))
    db.session.execute(stmt.values(revoked_at=utcnow()))


def rotate_session(user: User) -> None:
    """After a password change: every other browser is logged out and this
    one gets a fresh token."""
    revoke_all_sessions(user)
    start_session(user, remember=False)

"""Account and unit actions. Each flushes and audits; the caller commits."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field

from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, or_, select

from accounts import sheets
from accounts.auth import end_session, revoke_all_sessions, start_session
from accounts.models import INVITATION_PENDING, Role, Unit, UnitKind, User, UserRole, UserSession
from accounts.passwords import make_hasher, password_problems
from core import audit
from core.db import end_read_transaction, utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_

# A real hash of a random password, checked when the account does not exist,
# so both paths cost the same time and reveal nothing.
_DUMMY_HASH: str | None = None


def hasher():
    app = current_app._get_current_object()
    h = app.extensions.get("zp_hasher")
    if h is None:
        h = make_hasher(
            app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"], app.config["ARGON2_PARALLELISM"]
        )
        app.extensions["zp_hasher"] = h
    return h


def hash_password(password: str) -> str:
    return hasher().hash(password)


def check_password_policy(password: str, username: str = "", display_name: str = "") -> None:
    problems = password_problems(password, username, display_name)
    if problems:
        raise UserError(problems[0])


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone,
        "email": user.email,
        "unit": user.unit.name if user.unit is not None else None,
        "workplace": user.workplace,
        "roles": sorted(str(r) for r in user.roles),
        "active": user.active,
    }


def active_users_with_role(role: Role | str) -> list[User]:
    """Active accounts holding ``role``, by name: the pickers for judges, experts, committee members."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role(role), User.active.is_(True))
            .order_by(User.display_name)
        )
    )


def normalise_login(login: str | None) -> str:
    """What was typed as a login, the way accounts are looked up (full-width
    characters folded, surrounding space dropped, case ignored)."""
    return unicodedata.normalize("NFKC", login or "").strip().lower()


def find_user_by_login(login: str) -> User | None:
    login = normalise_login(login)
    if not login:
        return None
    return db.session.scalar(
        select(User)
        .where(
            or_(
                func.lower(User.username) == login.lower(), User.phone == login, func.lower(User.email) == login.lower()
            )
        )
        .limit(1)
    )


def authenticate(user: User | None, password: str) -> User | None:
    """``user`` (the account the typed login names, ``find_user_by_login``) if the
    password is right; None if not, or if there is no such account; UserError if disabled."""
    global _DUMMY_HASH
    # Checking a password costs tens of milliseconds of CPU by design; on
    # SQLite it must not run while this request holds the write lock.
    end_read_transaction(db.session())
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
        try:
            hasher().verify(_DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            pass
        return None
    try:
        hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        # Only someone who knows the password learns that the account is disabled.
        raise UserError(N_("This account has been disabled. Please contact the administrator."))
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# Sign-in events --------------------------------------------------------------


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a signed-in session on this browser, audited."""
    start_session(user, remember=remember)
    audit.record("session.sign_in", user, actor=user, label=user.username)


def record_failed_sign_in(user: User | None, *, disabled: bool = False) -> None:
    """Audit a refused sign-in on ``user`` (None: no account has the typed login).
    What was typed is not kept for unknown accounts: people type their password
    into the wrong field."""
    if user is None:
        audit.record("session.sign_in_unknown", actor=None, actor_label=audit.VISITOR, object_type="users")
    else:
        audit.record(
            "session.sign_in_disabled" if disabled else "session.sign_in_failed",
            user,
            actor=None,
            actor_label=audit.VISITOR,
            label=user.username,
        )


def sign_out(user: User) -> None:
    audit.record("session.sign_out", user, actor=user, label=user.username)
    end_session(user)


def revoke_session(user: User, session_id: int) -> bool:
    """End one of the user's own signed-in browsers; False if it is not theirs."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            "session.revoke",
            user,
            actor=user,
            label=user.username,
            changes={"session_id": row.id, "address": row.ip, "browser": (row.user_agent or "")[:80]},
        )
    return True


def can_change_own_unit(user: User) -> bool:
    """Coordinators act for their unit, judges and committee members are kept
    away from their own unit's entries: their unit is set by an administrator."""
    return not user.has_role(Role.COORDINATOR, Role.JUDGE, Role.COMMITTEE)


def update_own_profile(user: User, **fields) -> User:
    """A person changing their own profile. The unit is only theirs to change
    while it grants them nothing (see :func:`can_change_own_unit`)."""
    if "unit" in fields:
        new_unit_id = getattr(fields["unit"], "id", None)
        if new_unit_id != user.unit_id and not can_change_own_unit(user):
            raise UserError(N_("Your unit can only be changed by an administrator."))
    return update_user(user, actor=user, action="user.profile", self_service=True, **fields)


# Users ------------------------------------------------------------------------

# Registration and one's own profile must not tell a stranger whose phone
# number or e-mail address has an account. A user name is public by nature
# (it is unique and shown as such); contact details are not.
_CONTACT_TAKEN = N_(
    "This phone number or e-mail address cannot be used. If you already have an account, "
    "sign in with it (you can sign in with your phone number or e-mail address), or ask "
    "the administrator to reset your password."
)


def _check_unique(
    username: str, phone: str | None, email: str | None, exclude_id: int | None = None, self_service: bool = False
):
    def taken(column, value):
        stmt = select(User.id).where(func.lower(column) == value.lower())
        if exclude_id:
            stmt = stmt.where(User.id != exclude_id)
        return db.session.scalar(stmt.limit(1)) is not None

    if taken(User.username, username):
        raise UserError(N_("The user name %(value)s is already taken."), value=username)
    phone_taken = bool(phone and taken(User.phone, phone))
    email_taken = bool(email and taken(User.email, email))
    if self_service and (phone_taken or email_taken):
        raise UserError(_CONTACT_TAKEN)
    if phone_taken:
        raise UserError(N_("The phone number %(value)s is already registered."), value=phone)
    if email_taken:
        raise UserError(N_("The e-mail address %(value)s is already registered."), value=email)


def create_user(
    *,
    username: str,
    display_name: str,
    password: str,
    roles,
    unit: Unit | None = None,
    phone: str | None = None,
    email: str | None = None,
    workplace: str | None = None,
    actor=None,
    action: str = "user.create",
    self_service: bool = False,
    invitation: bool = False,
) -> User:
    """A new account; ``invitation``: inactive, with no usable password, until the
    person confirms through their invitation link (``accounts.recovery``)."""
    username = username.strip()
    phone = (phone or "").strip() or None
    email = (email or "").strip().lower() or None
    if self_service:
        # The password is checked first, so that only a complete, acceptable
        # form learns anything about other accounts.
        check_password_policy(password, username, display_name)
    _check_unique(username, phone, email, self_service=self_service)
    if not self_service and not invitation:
        check_password_policy(password, username, display_name)
    user = User(
        username=username,
        display_name=display_name.strip(),
        phone=phone,
        email=email,
        unit=unit,
        workplace=(workplace or "").strip() or None,
        password_hash=INVITATION_PENDING if invitation else hash_password(password),
        active=not invitation,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    snap = _snapshot(user)
    audit.record(action, user, actor=actor or user, changes={k: [None, v] for k, v in snap.items()})
    return user


def register_author(*, username, display_name, password, phone=None, email=None, unit=None, workplace=None) -> User:
    return create_user(
        username=username,
        display_name=display_name,
        password=password,
        roles=[Role.AUTHOR],
        unit=unit,
        phone=phone,
        email=email,
        workplace=workplace,
        action="user.register",
        self_service=True,
    )


def update_user(
    user: User, *, actor, roles=None, action: str = "user.update", self_service: bool = False, **fields
) -> User:
    before = _snapshot(user)
    if "phone" in fields:
        fields["phone"] = (fields["phone"] or "").strip() or None
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower() or None
    _check_unique(
        fields.get("username", user.username),
        fields.get("phone"),
        fields.get("email"),
        exclude_id=user.id,
        self_service=self_service,
    )
    for key in ("username", "display_name", "phone", "email", "unit", "workplace", "locale"):
        if key in fields:
            setattr(user, key, fields[key])
    if roles is not None:
        if (
            user.id == getattr(actor, "id", None)
            and Role.ADMIN in user.roles
            and Role.ADMIN not in {Role(r) for r in roles}
        ):
            raise UserError(N_("You cannot remove your own administrator role."))
        user.set_roles(roles)
    db.session.flush()
    audit.record_changes(action, user, before, _snapshot(user), actor=actor)
    return user


def set_user_active(user: User, active: bool, *, actor) -> None:
    if user.id == getattr(actor, "id", None) and not active:
        raise UserError(N_("You cannot disable your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        revoke_all_sessions(user)
    audit.record(
        "user.enable" if active else "user.disable", user, actor=actor, changes={"active": [not active, active]}
    )


def change_password(user: User, current: str, new: str) -> None:
    try:
        hasher().verify(user.password_hash, current)
    except VerificationError:
        raise UserError(N_("The current password is not correct.")) from None
    set_password(user, new, actor=user, action="user.password_change")


def set_password(user: User, new: str, *, actor, action: str = "user.password_reset") -> None:
    check_password_policy(new, user.username, user.display_name)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    revoke_all_sessions(user)
    audit.record(action, user, actor=actor, changes={"password": ["***", "***"]})


# Units ---------------------------------------------------------------------


def _unit_snapshot(unit: Unit) -> dict:
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent": unit.parent.name if unit.parent is not None else None,
        "active": unit.active,
    }


def create_unit(
    *, name: str, kind: UnitKind | str, parent: Unit | None = None, short_name: str | None = None, actor=None
) -> Unit:
    name = name.strip()
    if db.session.scalar(select(Unit.id).where(Unit.name == name)):
        raise UserError(N_("A unit named %(value)s already exists."), value=name)
    unit = Unit(name=name, kind=UnitKind(kind), parent=parent, short_name=(short_name or "").strip() or None)
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", unit, actor=actor, changes={k: [None, v] for k, v in _unit_snapshot(unit).items()})
    return unit


def update_unit(unit: Unit, *, actor, **fields) -> Unit:
    before = _unit_snapshot(unit)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
        clash = db.session.scalar(select(Unit.id).where(Unit.name == fields["name"], Unit.id != unit.id))
        if clash:
            raise UserError(N_("A unit named %(value)s already exists."), value=fields["name"])
    parent = fields.get("parent", unit.parent)
    node = parent
    while node is not None:
        if node.id == unit.id:
            raise UserError(N_("A unit cannot be placed under itself or one of its sub-units."))
        node = node.parent
    for key in ("name", "short_name", "kind", "parent", "active"):
        if key in fields:
            setattr(unit, key, fields[key])
    db.session.flush()
    audit.record_changes("unit.update", unit, before, _unit_snapshot(unit), actor=actor)
    return unit


# Import --------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[tuple[User, str | None]] = field(default_factory=list)  # user, generated password
    errors: list[tuple[int, str]] = field(default_factory=list)  # line, message (translated)


def _generate_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def import_users(filename: str, data: bytes, *, actor) -> ImportReport:
    """Create every user of the sheet, or none: errors are reported per row."""
    report = ImportReport()
    rows = sheets.parse_rows(sheets.read_table(filename, data))
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    units.update({u.short_name: u for u in units.values() if u.short_name})
    seen: dict[str, int] = {}
    existing_usernames = {n.lower() for n in db.session.scalars(select(User.username))}
    existing_phones = set(db.session.scalars(select(User.phone).where(User.phone.is_not(None))))
    existing_emails = {e.lower() for e in db.session.scalars(select(User.email).where(User.email.is_not(None)))}
    for row in rows:
        v = row.values
        for message, params in row.errors:
            report.errors.append((row.line, gettext(message, **params)))
        key = v["username"].lower()
        if key in existing_usernames:
            report.errors.append((row.line, gettext("The user name %(value)s is already taken.", value=v["username"])))
        elif key in seen:
            report.errors.append(
                (
                    row.line,
                    gettext(
                        "The user name %(value)s also appears on line %(line)s.", value=v["username"], line=seen[key]
                    ),
                )
            )
        seen.setdefault(key, row.line)
        if v.get("phone") and v["phone"] in existing_phones:
            report.errors.append(
                (row.line, gettext("The phone number %(value)s is already registered.", value=v["phone"]))
            )
        if v.get("email") and v["email"].lower() in existing_emails:
            report.errors.append(
                (row.line, gettext("The e-mail address %(value)s is already registered.", value=v["email"]))
            )
        if v.get("unit") and v["unit"] not in units:
            report.errors.append((row.line, gettext("Unknown unit: %(value)s", value=v["unit"])))
        if v.get("password"):
            for problem in password_problems(v["password"], v["username"], v["display_name"]):
                report.errors.append((row.line, gettext(problem)))
    if report.errors:
        return report
    for row in rows:
        v = row.values
        password = v.get("password") or None
        generated = None
        if not password:
            password = generated = _generate_password()
        user = create_user(
            username=v["username"],
            display_name=v["display_name"],
            password=password,
            roles=row.roles,
            unit=units.get(v.get("unit") or ""),
            phone=v.get("phone"),
            email=v.get("email"),
            actor=actor,
            action="user.import",
        )
        report.created.append((user, generated))
    return report

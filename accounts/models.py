"""Units, users, roles and server-side login sessions."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, str_enum, utcnow
from core.enums import LabelledEnum
from core.extensions import db
from core.i18n_markers import N_


class UnitKind(LabelledEnum):
    DEPARTMENT = "department", N_("District committee department")
    BUREAU = "bureau", N_("Government bureau")
    TOWN = "town", N_("Town / sub-district")
    SCHOOL = "school", N_("School")
    HOSPITAL = "hospital", N_("Hospital")
    ENTERPRISE = "enterprise", N_("Enterprise")
    COMMUNITY = "community", N_("Community")
    OTHER = "other", N_("Other")


class Role(LabelledEnum):
    ADMIN = "admin", N_("Administrator")
    ORGANISER = "organiser", N_("Organiser")
    COORDINATOR = "coordinator", N_("Unit coordinator")
    JUDGE = "judge", N_("Judge")
    COMMITTEE = "committee", N_("Committee member")
    AUTHOR = "author", N_("Author")


class ActivityScope(LabelledEnum):
    """Which activities an organiser account may manage."""

    ALL = "all", N_("All activities")
    # A co-organising department (承办/协办): only the activities that list the account.
    OWN = "own", N_("Only the activities that list them as organiser")


class OrganiserPart(LabelledEnum):
    """The part an organising department plays in an activity, as a notice names it."""

    HOST = "host", N_("Host organiser")
    UNDERTAKER = "undertaker", N_("Undertaking organiser")
    CO_ORGANISER = "co_organiser", N_("Co-organiser")


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def ancestors(self) -> list[Unit]:
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Unit {self.id} {self.name}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))


# The password hash of an account a unit opened by invitation, until the person
# confirms through the link: no password verifies against it (not an Argon2 hash).
INVITATION_PENDING = "!invitation-pending"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    workplace: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # For organisers: every activity (the district department) or only those that list them.
    activity_scope: Mapped[ActivityScope] = mapped_column(
        str_enum(ActivityScope), default=ActivityScope.ALL, server_default=ActivityScope.ALL.value
    )

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.id
    )

    # Flask-Login: the session id, not the user id, is what the cookie carries.
    _session_token = None  # set per request by the user loader (not a column)

    def get_id(self) -> str | None:
        return self._session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def invitation_pending(self) -> bool:
        """Opened by a unit's invitation and not yet confirmed by the person: no sign-in."""
        return not self.active and self.password_hash == INVITATION_PENDING

    @property
    def roles(self) -> set[Role]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: Role | str) -> bool:
        mine = self.roles
        return any(Role(r) in mine for r in roles)

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role))

    @property
    def unit_name(self) -> str:
        if self.unit is not None:
            return self.unit.name
        return self.workplace or ""

    def __repr__(self) -> str:  # pragma: no cover
        return f"<User {self.id} {self.username}>"


class ActivityOrganiser(db.Model):
    """An organiser account listed on one activity (a competition or a nomination programme).

    ``activity_type`` is ``"competition"`` or ``"programme"`` (the same words as
    ``publishing.models.SourceType``), so that accounts depends on no feature package.
    """

    __tablename__ = "activity_organisers"
    __table_args__ = (UniqueConstraint("activity_type", "activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_type: Mapped[str] = mapped_column(String(20))
    activity_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    part: Mapped[OrganiserPart] = mapped_column(str_enum(OrganiserPart), default=OrganiserPart.UNDERTAKER)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(db.Model):
    """One login on one browser; revoking it logs that browser out for good."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A one-time link to set a new password: e-mailed to the person, or issued
    by an administrator or their unit coordinator to be passed on. Only a hash
    of the link's token is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ConsentKind(LabelledEnum):
    PRIVACY = "privacy", N_("Privacy notice")
    GUARDIAN = "guardian", N_("Guardian's consent")


class Consent(db.Model):
    """A person's consent to the privacy notice of a given version, or a guardian's
    consent for a minor's entry (kept as evidence; erasure blanks the guardian's name)."""

    __tablename__ = "privacy_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(str_enum(ConsentKind, length=16))
    notice_version: Mapped[str] = mapped_column(String(20))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    guardian_name: Mapped[str | None] = mapped_column(String(64))
    guardian_relation: Mapped[str | None] = mapped_column(String(20))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))


class Retention(db.Model):
    """How long an archived activity keeps the personal data of entries that did not win,
    and when it was erased."""

    __tablename__ = "privacy_retention"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), unique=True)
    keep_until: Mapped[dt.date] = mapped_column(Date)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    erased_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

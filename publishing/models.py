"""Published results: result sets, honours, certificates, objections, outbox.

The result model is source-agnostic: a ``ResultSet`` is filled from a finished
judging round or a nomination programme through ``services.import_honours``,
so publishing never reads judging or nomination internals.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, str_enum, utcnow
from core.enums import LabelledEnum
from core.extensions import db
from core.i18n_markers import N_, NC_

if TYPE_CHECKING:
    from accounts.models import User
    from core.storage import StoredFile


class SourceType(enum.StrEnum):
    COMPETITION = "competition"
    PROGRAMME = "programme"
    # A competition's unit honours (优秀组织奖), source_id = the competition's id.
    COMPETITION_UNITS = "competition_units"
    # The teachers named by a competition's awarded entries (优秀指导教师), source_id = the competition's id.
    COMPETITION_TEACHERS = "competition_teachers"


class Ordering(LabelledEnum):
    SCORE = "score", N_("By score")
    UNORDERED = "unordered", N_("In no particular order")  # 排名不分先后


class ResultState(LabelledEnum):
    DRAFT = "draft", N_("Draft")
    NOTICE = "notice", N_("On public notice")  # 公示
    PUBLISHED = "published", N_("Published")
    UNPUBLISHED = "unpublished", N_("Unpublished")


class DayUnit(LabelledEnum):
    WORKING = "working", N_("working days")
    CALENDAR = "calendar", N_("calendar days")


class RecipientKind(LabelledEnum):
    PERSON = "person", N_("Person")
    TEAM = "team", N_("Team")
    UNIT = "unit", N_("Unit")


class ObjectionStatus(LabelledEnum):
    OPEN = "open", NC_("objection", "Open")
    INVESTIGATING = "investigating", N_("Under investigation")
    DISMISSED = "dismissed", N_("Dismissed")
    UPHELD = "upheld", N_("Upheld")


class MessageStatus(LabelledEnum):
    DRAFT = "draft", N_("Draft")
    APPROVED = "approved", N_("Approved")
    SENT = "sent", N_("Sent")
    FAILED = "failed", N_("Failed")


class ResultSet(db.Model):
    __tablename__ = "result_sets"
    __table_args__ = (UniqueConstraint("source_type", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[SourceType] = mapped_column(str_enum(SourceType))
    source_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    ordering: Mapped[Ordering] = mapped_column(str_enum(Ordering), default=Ordering.SCORE)
    state: Mapped[ResultState] = mapped_column(str_enum(ResultState), default=ResultState.DRAFT, index=True)
    notice_start: Mapped[dt.date | None] = mapped_column(Date)
    notice_length: Mapped[int | None] = mapped_column(Integer)
    notice_unit: Mapped[DayUnit] = mapped_column(str_enum(DayUnit), default=DayUnit.WORKING)
    notice_first_day: Mapped[dt.date | None] = mapped_column(Date)
    notice_last_day: Mapped[dt.date | None] = mapped_column(Date)
    notice_uses_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    how_to_object: Mapped[str] = mapped_column(Text, default="")
    notice_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    unpublished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Outputs of the last certificate generation: merged PDF for printing, ZIP of single files.
    certificates_pdf_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    certificates_zip_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    certificates_generated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    honours: Mapped[list[Honour]] = relationship(
        back_populates="result_set", cascade="all, delete-orphan", order_by="Honour.position"
    )
    objections: Mapped[list[Objection]] = relationship(
        back_populates="result_set", cascade="all, delete-orphan", order_by="Objection.id"
    )
    template: Mapped[CertificateTemplate | None] = relationship(
        back_populates="result_set", cascade="all, delete-orphan", uselist=False
    )

    @property
    def is_public(self) -> bool:
        return self.state in (ResultState.NOTICE, ResultState.PUBLISHED)

    @property
    def active_honours(self) -> list[Honour]:
        return [h for h in self.honours if not h.withdrawn]


class Honour(db.Model):
    __tablename__ = "honours"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_set_id: Mapped[int] = mapped_column(ForeignKey("result_sets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    level_code: Mapped[str] = mapped_column(String(20))
    level_text: Mapped[str] = mapped_column(String(60))
    recipient_kind: Mapped[RecipientKind] = mapped_column(str_enum(RecipientKind), default=RecipientKind.PERSON)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_unit: Mapped[str] = mapped_column(String(200), default="")
    work_title: Mapped[str | None] = mapped_column(String(200))
    group_label: Mapped[str] = mapped_column(String(60), default="")
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source_item_id: Mapped[int | None] = mapped_column(Integer)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    result_set: Mapped[ResultSet] = relationship(back_populates="honours")
    certificate: Mapped[Certificate | None] = relationship(
        back_populates="honour", uselist=False, cascade="all, delete-orphan"
    )
    user: Mapped[User | None] = relationship("User")

    @property
    def audit_label(self) -> str:
        return f"{self.recipient_name} · {self.level_text}"


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    honour_id: Mapped[int] = mapped_column(ForeignKey("honours.id", ondelete="CASCADE"), unique=True)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    issue_date: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    rendered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    honour: Mapped[Honour] = relationship(back_populates="certificate")
    file: Mapped[StoredFile | None] = relationship("StoredFile")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def audit_label(self) -> str:
        return self.number


class CertificateTemplate(db.Model):
    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_set_id: Mapped[int] = mapped_column(ForeignKey("result_sets.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(40), default="荣誉证书")
    activity_name: Mapped[str] = mapped_column(String(200), default="")
    closing: Mapped[str] = mapped_column(String(100), default="特发此证，以资鼓励。")
    issuers: Mapped[str] = mapped_column(Text, default="")  # one organisation per line
    issue_date: Mapped[dt.date | None] = mapped_column(Date)
    date_style: Mapped[str] = mapped_column(String(20), default="chinese_with_day")
    seal_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    page_size: Mapped[str] = mapped_column(String(10), default="A4")
    orientation: Mapped[str] = mapped_column(String(10), default="landscape")
    style: Mapped[str] = mapped_column(String(20), default="classic")
    activity_code: Mapped[str] = mapped_column(String(20), default="ZP")
    number_pattern: Mapped[str] = mapped_column(String(80), default="{code}-{year}-{level_no}{serial:04d}")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    result_set: Mapped[ResultSet] = relationship(back_populates="template")
    seal_file: Mapped[StoredFile | None] = relationship("StoredFile")

    @property
    def issuer_lines(self) -> list[str]:
        return [line.strip() for line in (self.issuers or "").splitlines() if line.strip()]


class Objection(db.Model):
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_set_id: Mapped[int] = mapped_column(ForeignKey("result_sets.id", ondelete="CASCADE"), index=True)
    honour_id: Mapped[int | None] = mapped_column(ForeignKey("honours.id", ondelete="SET NULL"))
    real_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[ObjectionStatus] = mapped_column(str_enum(ObjectionStatus), default=ObjectionStatus.OPEN)
    outcome: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    result_set: Mapped[ResultSet] = relationship(back_populates="objections")
    honour: Mapped[Honour | None] = relationship()
    resolved_by: Mapped[User | None] = relationship("User")

    # Set (not stored) when the same person filed the same objection again and got this one back.
    already_received = False

    @property
    def resolved(self) -> bool:
        return self.status in (ObjectionStatus.DISMISSED, ObjectionStatus.UPHELD)

    @property
    def reference(self) -> str:
        """What the person who objected is told to quote (受理编号)."""
        return f"YY{self.result_set_id:03d}-{self.id:04d}"

    @property
    def audit_label(self) -> str:
        return f"#{self.id} {self.real_name}"


class WorkdayOverride(db.Model):
    __tablename__ = "workday_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")

    @property
    def audit_label(self) -> str:
        return self.day.isoformat()


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_set_id: Mapped[int | None] = mapped_column(ForeignKey("result_sets.id", ondelete="CASCADE"), index=True)
    honour_id: Mapped[int | None] = mapped_column(ForeignKey("honours.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus), default=MessageStatus.DRAFT)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)

    result_set: Mapped[ResultSet | None] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.recipient}: {self.subject}"

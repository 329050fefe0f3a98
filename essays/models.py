"""Essay competitions, their genres and groups, entries and similarity flags."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, str_enum, utcnow
from core.enums import LabelledEnum
from core.extensions import db
from core.i18n_markers import N_, NC_
from essays.file_limits import size_text
from essays.notice_markup import MARKDOWN, sanitise

if TYPE_CHECKING:
    from accounts.models import Unit, User
    from core.storage import StoredFile


class CompetitionStatus(LabelledEnum):
    DRAFT = "draft", N_("Draft")
    OPEN = "open", N_("Open for entries")
    CLOSED = "closed", NC_("competition", "Closed")
    JUDGING = "judging", N_("Judging")
    PUBLISHED = "published", N_("Results published")
    ARCHIVED = "archived", N_("Archived")


class SubmissionStatus(LabelledEnum):
    DRAFT = "draft", N_("Draft (not submitted)")
    SUBMITTED = "submitted", N_("Submitted, awaiting review")
    WITHDRAWN = "withdrawn", N_("Withdrawn")
    QUALIFIED = "qualified", N_("Qualified")
    DISQUALIFIED = "disqualified", N_("Disqualified")


# Entries that count towards per-author and unit quotas.
ACTIVE_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.QUALIFIED, SubmissionStatus.DISQUALIFIED)


class Format(LabelledEnum):
    """How an entry's manuscript may be handed in (Competition.accepted_formats)."""

    TEXT = "text", N_("Typed in the page")
    DOCX = "docx", N_("Word document (.docx)")
    PDF = "pdf", N_("PDF document (.pdf)")
    TXT = "txt", N_("Plain text (.txt)")


FORMATS = tuple(f.value for f in Format)


class CountRule(LabelledEnum):
    """How a genre's length limits count characters."""

    WORD = "word", N_("Word count (字数, as Microsoft Word)")
    HAN = "han", N_("Chinese characters only")


ORGANISER_ROLES = ("主办", "承办", "协办")


class Competition(db.Model):
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    # The notice as the organiser typed it (Markdown, or HTML for notices saved
    # before Markdown), and notice_html: the safe HTML rendered from it on save.
    notice_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    notice_format: Mapped[str] = mapped_column(String(10), default=MARKDOWN, server_default=MARKDOWN)
    notice_html: Mapped[str] = mapped_column(Text, default="")
    # [{"role": "主办", "name": "区委宣传部"}, ...] in the order of the notice.
    organisers: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[CompetitionStatus] = mapped_column(
        str_enum(CompetitionStatus), default=CompetitionStatus.DRAFT, index=True
    )
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    max_entries_per_author: Mapped[int] = mapped_column(Integer, default=1)
    unit_recommendation_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_quota: Mapped[int] = mapped_column(Integer, default=0)
    accepted_formats: Mapped[list] = mapped_column(JSON, default=lambda: list(FORMATS))
    max_file_mb: Mapped[int] = mapped_column(Integer, default=10)
    pledge_text: Mapped[str] = mapped_column(Text, default="")
    review_threshold: Mapped[float] = mapped_column(Float, default=0.5)
    copy_threshold: Mapped[float] = mapped_column(Float, default=0.8)
    # Authors may no longer change an entry once it is qualified (it always freezes once in a round).
    freeze_when_qualified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # The entry fields the organiser defines (essays.entry_fields): [{"key", "label", "type", ...}]; NULL = none.
    entry_fields: Mapped[list | None] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    genres: Mapped[list[Genre]] = relationship(
        back_populates="competition", order_by="Genre.position", cascade="all, delete-orphan"
    )
    groups: Mapped[list[Group]] = relationship(
        back_populates="competition", order_by="Group.position", cascade="all, delete-orphan"
    )
    notice_files: Mapped[list[NoticeFile]] = relationship(
        back_populates="competition", order_by="NoticeFile.id", cascade="all, delete-orphan"
    )
    # Places of units that differ from unit_quota (the default for units without a row).
    unit_quotas: Mapped[list[UnitQuota]] = relationship(
        back_populates="competition", order_by="UnitQuota.id", cascade="all, delete-orphan"
    )

    @property
    def notice_display(self) -> str:
        """The notice's HTML, cleaned again as it is shown (saved HTML is never trusted alone)."""
        return sanitise(self.notice_html or "")

    @property
    def accepted_format_labels(self) -> list[str]:
        return [Format.label_of(f) for f in self.accepted_formats or []]

    @property
    def deadline(self) -> dt.datetime:
        """The last moment an entry is accepted: closing time plus any published grace."""
        return self.closes_at + dt.timedelta(minutes=self.grace_minutes or 0)

    def accepts_entries_at(self, now: dt.datetime) -> bool:
        return self.status == CompetitionStatus.OPEN and self.opens_at <= now <= self.deadline

    @property
    def audit_label(self) -> str:
        return f"{self.code} {self.title}"


class NoticeFileKind(LabelledEnum):
    """What a file attached to a call is: the notice itself or a form to fill in."""

    NOTICE = "notice", N_("Notice document")
    TEMPLATE = "template", N_("Entry form template")


class NoticeFile(db.Model):
    """A file the public downloads from the call page (``core.storage``: generated key, undone on rollback)."""

    __tablename__ = "competition_notice_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NoticeFileKind] = mapped_column(str_enum(NoticeFileKind, length=10))
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"), index=True)
    # The name the organiser gave the file; downloads use it (the key on disk is generated).
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    competition: Mapped[Competition] = relationship(back_populates="notice_files")
    stored_file: Mapped[StoredFile] = relationship()

    @property
    def audit_label(self) -> str:
        return self.filename

    @property
    def type_label(self) -> str:
        """ "PDF · 1.2 MB": what a reader downloads before opening it."""
        extension = self.filename.rpartition(".")[2].upper()
        return f"{extension} · {size_text(self.stored_file.size)}"


class UnitQuota(db.Model):
    """A unit's own number of recommended entries in one competition (0: none)."""

    __tablename__ = "competition_unit_quotas"
    __table_args__ = (
        UniqueConstraint("competition_id", "unit_id"),
        CheckConstraint("places >= 0", name="places_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    places: Mapped[int] = mapped_column(Integer, default=0)

    competition: Mapped[Competition] = relationship(back_populates="unit_quotas")


class CompetitionCategory:
    """The columns a competition's named, ordered categories share (a genre, a group)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Genre(CompetitionCategory, db.Model):
    __tablename__ = "competition_genres"

    min_length: Mapped[int | None] = mapped_column(Integer)
    max_length: Mapped[int | None] = mapped_column(Integer)
    count_rule: Mapped[CountRule] = mapped_column(str_enum(CountRule, length=8), default=CountRule.WORD)

    competition: Mapped[Competition] = relationship(back_populates="genres")


class Group(CompetitionCategory, db.Model):
    __tablename__ = "competition_groups"

    # A youth group: entries are by minors and need a guardian's consent.
    minors: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    competition: Mapped[Competition] = relationship(back_populates="groups")


class SubmissionCounter(db.Model):
    """One row per competition: the last receipt serial handed out.

    Incrementing it is the first write of every submission, so it also
    serialises the quota and deadline checks of one competition.
    """

    __tablename__ = "submission_counters"

    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class Submission(db.Model):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("competition_id", "anonymous_code"),
        UniqueConstraint("competition_id", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="RESTRICT"), index=True)
    genre_id: Mapped[int | None] = mapped_column(ForeignKey("competition_genres.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("competition_groups.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    recommending_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # One-time token of the form that created the entry: a resent form finds it.
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    judge_text: Mapped[str] = mapped_column(Text, default="")
    judge_title: Mapped[str] = mapped_column(String(200), default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    han_count: Mapped[int] = mapped_column(Integer, default=0)
    source_format: Mapped[str] = mapped_column(String(8), default="text")
    original_name: Mapped[str] = mapped_column(String(255), default="")
    anonymous_code: Mapped[str | None] = mapped_column(String(20))
    serial: Mapped[int | None] = mapped_column(Integer)
    receipt_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Random: the public receipt check (the QR code on the receipt PDF) finds the entry by it.
    receipt_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[SubmissionStatus] = mapped_column(
        str_enum(SubmissionStatus), default=SubmissionStatus.DRAFT, index=True
    )
    disqualify_reason: Mapped[str | None] = mapped_column(Text)
    original_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    judge_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    pledge_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    identity_flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # [{"start", "end", "kind", "text"}] found in body_text; "redacted" marks those removed from judge_text.
    identity_spans: Mapped[list] = mapped_column(JSON, default=list)
    identity_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The values of the competition's entry fields, by field key (essays.entry_fields); NULL = none.
    field_values: Mapped[dict | None] = mapped_column(JSON, default=dict)
    # Bumped by every change of the author's title, text or file (not by judge-copy work or redaction).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Set when the entry enters an opened judging round: the author's text and file are frozen.
    frozen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    competition: Mapped[Competition] = relationship(lazy="joined")
    genre: Mapped[Genre | None] = relationship(lazy="joined")
    group: Mapped[Group | None] = relationship(lazy="joined")
    author: Mapped[User] = relationship("User", foreign_keys=[author_id], lazy="joined")
    submitted_by: Mapped[User | None] = relationship("User", foreign_keys=[submitted_by_id])
    unit: Mapped[Unit | None] = relationship("Unit", foreign_keys=[unit_id])
    recommending_unit: Mapped[Unit | None] = relationship("Unit", foreign_keys=[recommending_unit_id])
    original_file: Mapped[StoredFile | None] = relationship("StoredFile", foreign_keys=[original_file_id])
    judge_file: Mapped[StoredFile | None] = relationship("StoredFile", foreign_keys=[judge_file_id])

    @property
    def audit_label(self) -> str:
        return f"{self.receipt_number or '#%s' % self.id} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class SimilarityFlag(db.Model):
    """A pair of entries whose texts overlap beyond the review threshold."""

    __tablename__ = "similarity_flags"
    __table_args__ = (UniqueConstraint("submission_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    jaccard: Mapped[float] = mapped_column(Float)
    containment: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(10))  # "review" | "copy"
    against_earlier: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(foreign_keys=[submission_id])
    other: Mapped[Submission] = relationship(foreign_keys=[other_id])

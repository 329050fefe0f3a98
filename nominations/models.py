"""Exemplar nominations (评选): programmes, quotas, dossiers and their review chain.

A ``Programme`` (e.g. "临渭标杆") gives each unit a ``Quota`` of places. Unit
coordinators fill in a ``Nomination`` (the 推荐表 dossier) for people of their unit
and submit it; every step of the chain after that (the office's eligibility check,
expert review, the committee ballot, 联审, the public notice and approval) is a
``ReviewStep`` with actor, time and opinion. Approved honours are handed to
publishing as a result set (``SourceType.PROGRAMME``, ``source_id`` = programme id,
``source_item_id`` = nomination id), which runs the 公示, certificates and lists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Unit, User
from core.db import UTCDateTime, str_enum, utcnow
from core.enums import LabelledEnum
from core.extensions import db
from core.i18n_markers import N_, NC_
from core.storage import StoredFile

DEFAULT_UNIT_OPINION = "情况属实，同意推荐。"


class ProgrammeKind(LabelledEnum):
    INDIVIDUAL = "individual", N_("Individuals")
    TEAM = "team", N_("Teams (collectives)")


class ProgrammeStage(LabelledEnum):
    """Where the whole programme stands; a nomination has its own status."""

    DRAFT = "draft", N_("In preparation")
    NOMINATING = "nominating", N_("Units nominating")
    CHECKING = "checking", N_("Eligibility check")
    EXPERT_REVIEW = "expert_review", N_("Expert review")
    BALLOT = "ballot", N_("Committee ballot")
    JOINT_REVIEW = "joint_review", N_("Joint review")
    NOTICE = "notice", N_("Public notice")
    APPROVED = "approved", N_("Approved")


class NominationStatus(LabelledEnum):
    DRAFT = "draft", N_("Draft")
    SUBMITTED = "submitted", N_("Awaiting check")
    RETURNED = "returned", N_("Returned for revision")
    REJECTED = "rejected", N_("Not eligible")
    ELIGIBLE = "eligible", N_("Eligible")
    PASSED = "passed", N_("Passed the ballot")
    FAILED = "failed", N_("Not passed")
    VETOED = "vetoed", N_("Vetoed in joint review")
    ON_NOTICE = "on_notice", N_("On public notice")
    WITHDRAWN = "withdrawn", NC_("nomination", "Withdrawn")
    APPROVED = "approved", N_("Approved")


class Sex(LabelledEnum):
    MALE = "male", N_("Male")
    FEMALE = "female", N_("Female")


class RuleSubject(LabelledEnum):
    """What a composition rule counts over the pool."""

    FEMALE = "female", N_("Women")
    LEADER = "leader", N_("Leading cadres")
    FRONTLINE = "frontline", N_("Front-line workers")


class RuleOp(LabelledEnum):
    AT_MOST = "le", N_("at most")
    AT_LEAST = "ge", N_("at least")


class MemberRole(LabelledEnum):
    EXPERT = "expert", N_("Expert")
    COMMITTEE = "committee", N_("Committee member")


class StepKind(LabelledEnum):
    """One link of the review chain; each keeps actor, time and opinion."""

    SUBMIT = "submit", N_("Submitted by the unit")
    RESUBMIT = "resubmit", N_("Resubmitted by the unit")
    PASS = "pass", N_("Passed the eligibility check")
    RETURN = "return", N_("Returned for revision")
    REJECT = "reject", N_("Rejected")
    EXPERT = "expert", N_("Expert review")
    BALLOT = "ballot", N_("Committee ballot")
    JOINT_APPROVE = "joint_approve", N_("Approved in joint review")
    JOINT_VETO = "joint_veto", N_("Vetoed in joint review")
    NOTICE = "notice", N_("Put on public notice")
    WITHDRAW = "withdraw", NC_("nomination", "Withdrawn")
    APPROVE = "approve", N_("Approved")


class Vote(LabelledEnum):
    FOR = "for", N_("For")
    AGAINST = "against", N_("Against")
    ABSTAIN = "abstain", N_("Abstain")


class JointDecision(LabelledEnum):
    APPROVE = "approve", N_("Agree")
    VETO = "veto", N_("Veto")


class FileKind(LabelledEnum):
    PHOTO = "photo", N_("Photo")
    ATTACHMENT = "attachment", N_("Supporting file")


class Programme(db.Model):
    __tablename__ = "nomination_programmes"
    __table_args__ = (
        CheckConstraint("total_places >= 0", name="total_places_not_negative"),
        CheckConstraint("deeds_limit > 0 AND summary_limit > 0", name="limits_positive"),
        CheckConstraint("experts_per_dossier >= 1", name="experts_positive"),
        CheckConstraint("quorum > 0 AND quorum <= 1", name="quorum_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # The honour conferred, e.g. 临渭标杆; certificates read 授予……同志"临渭标杆"荣誉称号.
    honour_title: Mapped[str] = mapped_column(String(60))
    kind: Mapped[ProgrammeKind] = mapped_column(str_enum(ProgrammeKind), default=ProgrammeKind.INDIVIDUAL)
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    approval_ref: Mapped[str] = mapped_column(String(100), default="")  # 批准文号
    year: Mapped[int] = mapped_column(Integer)
    stage: Mapped[ProgrammeStage] = mapped_column(str_enum(ProgrammeStage), default=ProgrammeStage.DRAFT, index=True)
    # Timeline (Asia/Shanghai calendar dates): 推荐, 审核, 评审, 公示, 表彰.
    nominate_from: Mapped[dt.date | None] = mapped_column(Date)
    nominate_until: Mapped[dt.date | None] = mapped_column(Date)
    check_until: Mapped[dt.date | None] = mapped_column(Date)
    review_until: Mapped[dt.date | None] = mapped_column(Date)
    notice_from: Mapped[dt.date | None] = mapped_column(Date)
    commend_on: Mapped[dt.date | None] = mapped_column(Date)
    total_places: Mapped[int] = mapped_column(Integer, default=0)
    # Dossier fields beyond the always-required ones that this programme requires,
    # e.g. ["resident_id", "photo"]; the resident ID is collected only when listed.
    required_fields: Mapped[list] = mapped_column(JSON, default=list)
    deeds_limit: Mapped[int] = mapped_column(Integer, default=3000)  # 主要事迹, 字
    summary_limit: Mapped[int] = mapped_column(Integer, default=300)  # 事迹简介, 字
    blind_review: Mapped[bool] = mapped_column(Boolean, default=False)
    experts_per_dossier: Mapped[int] = mapped_column(Integer, default=3)
    quorum: Mapped[float] = mapped_column(Float, default=2 / 3)
    ballot_opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ballot_closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    quotas: Mapped[list[Quota]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Quota.id"
    )
    rules: Mapped[list[CompositionRule]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="CompositionRule.id"
    )
    criteria: Mapped[list[ProgrammeCriterion]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeCriterion.position"
    )
    members: Mapped[list[ProgrammeMember]] = relationship(back_populates="programme", cascade="all, delete-orphan")
    joint_units: Mapped[list[JointUnit]] = relationship(back_populates="programme", cascade="all, delete-orphan")
    nominations: Mapped[list[Nomination]] = relationship(back_populates="programme")

    @property
    def is_team(self) -> bool:
        return self.kind == ProgrammeKind.TEAM

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Programme {self.id} {self.title}>"


class Quota(db.Model):
    """名额分配: places for one unit in one programme."""

    __tablename__ = "nomination_quotas"
    __table_args__ = (
        UniqueConstraint("programme_id", "unit_id"),
        CheckConstraint("places >= 0", name="places_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("nomination_programmes.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    places: Mapped[int] = mapped_column(Integer, default=1)

    programme: Mapped[Programme] = relationship(back_populates="quotas")
    unit: Mapped[Unit] = relationship()


class CompositionRule(db.Model):
    """E.g. leading cadres at most 20 % of the pool, women at least 30 %."""

    __tablename__ = "nomination_rules"
    __table_args__ = (CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("nomination_programmes.id", ondelete="CASCADE"), index=True)
    subject: Mapped[RuleSubject] = mapped_column(str_enum(RuleSubject))
    op: Mapped[RuleOp] = mapped_column(str_enum(RuleOp))
    percent: Mapped[float] = mapped_column(Float)

    programme: Mapped[Programme] = relationship(back_populates="rules")


class ProgrammeCriterion(db.Model):
    """One line of the expert rubric."""

    __tablename__ = "nomination_criteria"
    __table_args__ = (CheckConstraint("maximum > 0", name="maximum_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("nomination_programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(80))
    maximum: Mapped[float] = mapped_column(Float, default=10)
    guidance: Mapped[str] = mapped_column(Text, default="")

    programme: Mapped[Programme] = relationship(back_populates="criteria")


class ProgrammeMember(db.Model):
    """An expert (scores dossiers) or a committee member (votes) of a programme."""

    __tablename__ = "nomination_members"
    __table_args__ = (UniqueConstraint("programme_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("nomination_programmes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole))

    programme: Mapped[Programme] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class JointUnit(db.Model):
    """A department that must sign off every candidate (联审), e.g. 纪委监委, 组织部."""

    __tablename__ = "nomination_joint_units"
    __table_args__ = (UniqueConstraint("programme_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("nomination_programmes.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)

    programme: Mapped[Programme] = relationship(back_populates="joint_units")
    unit: Mapped[Unit] = relationship()


class Nomination(db.Model):
    """The 推荐表 dossier of one person (or team) put forward by one unit."""

    __tablename__ = "nominations"
    __table_args__ = (
        # The same person cannot be nominated twice in one programme.
        UniqueConstraint("programme_id", "resident_id"),
        CheckConstraint("member_count IS NULL OR member_count >= 1", name="member_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("nomination_programmes.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    status: Mapped[NominationStatus] = mapped_column(
        str_enum(NominationStatus), default=NominationStatus.DRAFT, index=True
    )
    # Bumped on every (re)submission; the steps keep what changed between versions.
    version: Mapped[int] = mapped_column(Integer, default=0)
    # 推荐表 fields. For a team, ``name`` is the team's name.
    name: Mapped[str] = mapped_column(String(120), default="")
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex))
    ethnicity: Mapped[str] = mapped_column(String(20), default="")  # 民族
    birth_month: Mapped[dt.date | None] = mapped_column(Date)  # 出生年月 (day 1)
    politics: Mapped[str] = mapped_column(String(30), default="")  # 政治面貌
    education: Mapped[str] = mapped_column(String(30), default="")  # 学历
    position: Mapped[str] = mapped_column(String(120), default="")  # 职务/职称
    workplace: Mapped[str] = mapped_column(String(120), default="")  # 工作单位
    phone: Mapped[str] = mapped_column(String(32), default="")
    resident_id: Mapped[str | None] = mapped_column(String(18))  # stored upper-case; shown masked
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)  # 领导干部 (composition rules)
    is_frontline: Mapped[bool] = mapped_column(Boolean, default=False)  # 一线 (composition rules)
    summary: Mapped[str] = mapped_column(Text, default="")  # 事迹简介
    deeds: Mapped[str] = mapped_column(Text, default="")  # 主要事迹
    # Teams: leader, member count and the member list (one per line).
    leader_name: Mapped[str] = mapped_column(String(64), default="")
    member_count: Mapped[int | None] = mapped_column(Integer)
    members_text: Mapped[str] = mapped_column(Text, default="")
    unit_opinion: Mapped[str] = mapped_column(Text, default=DEFAULT_UNIT_OPINION)
    integrity_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The nominee's consent to a public profile; the 主要事迹 only with the second.
    consent_profile: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_deeds: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship(back_populates="nominations")
    unit: Mapped[Unit] = relationship()
    files: Mapped[list[NominationFile]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="NominationFile.id"
    )
    steps: Mapped[list[ReviewStep]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="ReviewStep.id"
    )
    expert_reviews: Mapped[list[ExpertReview]] = relationship(back_populates="nomination", cascade="all, delete-orphan")
    ballots: Mapped[list[Ballot]] = relationship(back_populates="nomination", cascade="all, delete-orphan")
    recusals: Mapped[list[Recusal]] = relationship(back_populates="nomination", cascade="all, delete-orphan")
    joint_reviews: Mapped[list[JointReview]] = relationship(back_populates="nomination", cascade="all, delete-orphan")

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Nomination {self.id} {self.status}>"


class NominationFile(db.Model):
    """The photo or a supporting file (``core.storage``: generated key, undone on rollback)."""

    __tablename__ = "nomination_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FileKind] = mapped_column(str_enum(FileKind))
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"), index=True)
    # The name shown to people who may see the dossier; downloads use a generated name.
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="files")
    stored_file: Mapped[StoredFile] = relationship()


class ReviewStep(db.Model):
    """One link of the chain: who did what, when, with which opinion."""

    __tablename__ = "nomination_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[StepKind] = mapped_column(str_enum(StepKind))
    opinion: Mapped[str] = mapped_column(Text, default="")
    # The signer as printed on the form (a person or a body, e.g. 评审委员会).
    signer: Mapped[str] = mapped_column(String(120), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=0)
    # For a resubmission: {field: [before, after]}.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="steps")
    actor: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class ExpertReview(db.Model):
    """An expert's assignment to a dossier and, once given, the scores."""

    __tablename__ = "nomination_expert_reviews"
    __table_args__ = (UniqueConstraint("nomination_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # {criterion id (as text): points}
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="expert_reviews")
    expert: Mapped[User] = relationship()


class Ballot(db.Model):
    """One committee member's secret vote on one candidate."""

    __tablename__ = "nomination_ballots"
    __table_args__ = (UniqueConstraint("nomination_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    vote: Mapped[Vote] = mapped_column(str_enum(Vote))
    cast_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="ballots")


class Recusal(db.Model):
    """A committee member who stands aside for one candidate (neither votes nor counts)."""

    __tablename__ = "nomination_recusals"
    __table_args__ = (UniqueConstraint("nomination_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="recusals")


class JointReview(db.Model):
    """One 联审 department's decision on one candidate."""

    __tablename__ = "nomination_joint_reviews"
    __table_args__ = (UniqueConstraint("nomination_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    decision: Mapped[JointDecision] = mapped_column(str_enum(JointDecision))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="joint_reviews")
    unit: Mapped[Unit] = relationship()

"""Judging rounds, rubrics, judge pools, assignments, scores, results and awards."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, str_enum, utcnow
from core.enums import LabelledEnum
from core.extensions import db
from core.i18n_markers import N_, NC_
from judging.scoring import default_threshold

if TYPE_CHECKING:
    from accounts.models import User
    from core.storage import StoredFile
    from essays.models import Competition, Submission


class RoundState(LabelledEnum):
    SETUP = "setup", N_("Being set up")
    OPEN = "open", N_("Open for judging")
    CLOSED = "closed", NC_("round", "Closed")
    FINALISED = "finalised", N_("Finalised")


class Arbitration(LabelledEnum):
    NONE = "none", N_("None: aggregate all scores")
    THIRD_JUDGE = "third_judge", N_("Third judge, then the group leader")  # 双评/三评: a third judge, then the leader
    LEADER = "leader", N_("Group leader arbitrates")  # the group leader arbitrates directly


class Method(LabelledEnum):
    """How a round aggregates the regular judges' scores (scoring.METHODS)."""

    MEAN = "mean", N_("Mean")
    TRIMMED_MEAN = "trimmed_mean", N_("Trimmed mean (drop highest and lowest)")
    MEDIAN = "median", N_("Median")
    STANDARDISED = "standardised", N_("Judge-standardised")
    MEAN_RANK = "mean_rank", N_("Mean rank (Borda)")


class ResultRule(LabelledEnum):
    """How an entry's final score was decided: a scoring.double_mark code or the method's name."""

    AGREED = "agreed", N_("Two scores agree")
    NEEDS_THIRD = "needs_third", N_("Waiting for a third judge")
    THIRD_JUDGE = "third_judge", N_("Third judge")
    NEEDS_ARBITER = "needs_arbiter", N_("Waiting for the leader")
    ARBITER = "arbiter", N_("Leader's arbitration")
    ACCEPTED = "accepted", N_("Accepted without arbitration")
    NO_SCORES = "no_scores", N_("No scores")
    PENDING = "pending", N_("Scoring")
    MEAN = Method.MEAN.value, Method.MEAN.msgid
    TRIMMED_MEAN = Method.TRIMMED_MEAN.value, Method.TRIMMED_MEAN.msgid
    MEDIAN = Method.MEDIAN.value, Method.MEDIAN.msgid
    STANDARDISED = Method.STANDARDISED.value, Method.STANDARDISED.msgid
    MEAN_RANK = Method.MEAN_RANK.value, Method.MEAN_RANK.msgid


class PoolRule(LabelledEnum):
    ALL_QUALIFIED = "all_qualified", N_("All qualified entries")
    TOP_N = "top_n", N_("Top N of the previous round")  # advanced from the previous round: top N per genre/group
    TOP_PERCENT = "top_percent", N_("Top percentage of the previous round")


class Grouping(LabelledEnum):
    """How entries are grouped for a round's pool and for awards."""

    ALL = "all", N_("All entries together")
    GENRE = "genre", N_("Per genre")
    GROUP = "group", N_("Per group")
    GENRE_GROUP = "genre_group", N_("Per genre and group")


class AssignmentRole(LabelledEnum):
    REGULAR = "regular", N_("Regular")
    THIRD = "third", N_("Third judge")
    ARBITER = "arbiter", N_("Arbiter")


class AssignmentStatus(LabelledEnum):
    ASSIGNED = "assigned", N_("To score")
    RECUSED = "recused", N_("Recused")
    SUBMITTED = "submitted", N_("Submitted")


class ScoreStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Round(db.Model):
    __tablename__ = "judging_rounds"
    __table_args__ = (UniqueConstraint("competition_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(80))
    state: Mapped[RoundState] = mapped_column(str_enum(RoundState), default=RoundState.SETUP, index=True)
    k: Mapped[int] = mapped_column(Integer, default=3)
    method: Mapped[Method] = mapped_column(str_enum(Method), default=Method.MEAN)
    # None: 15 % of full marks.
    threshold: Mapped[float | None] = mapped_column(Float)
    arbitration: Mapped[Arbitration] = mapped_column(str_enum(Arbitration), default=Arbitration.NONE)
    pool_rule: Mapped[PoolRule] = mapped_column(str_enum(PoolRule), default=PoolRule.ALL_QUALIFIED)
    pool_value: Mapped[float | None] = mapped_column(Float)
    pool_grouping: Mapped[Grouping] = mapped_column(str_enum(Grouping), default=Grouping.ALL)
    judge_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reveal_scores_after_close: Mapped[bool] = mapped_column(Boolean, default=False)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pledge_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finalised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    competition: Mapped[Competition] = relationship("Competition")
    leader: Mapped[User | None] = relationship("User", foreign_keys=[leader_id])
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    @property
    def full_marks(self) -> float:
        return float(sum(c.maximum * c.weight for c in self.criteria))

    @property
    def effective_threshold(self) -> float:
        if self.threshold is not None:
            return float(self.threshold)
        return round(default_threshold(self.full_marks), 6)

    @property
    def locked(self) -> bool:
        return self.state == RoundState.FINALISED

    @property
    def audit_label(self) -> str:
        return self.name


class Criterion(db.Model):
    __tablename__ = "judging_criteria"
    __table_args__ = (CheckConstraint("maximum > 0 AND step > 0 AND weight > 0", name="scale_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    maximum: Mapped[float] = mapped_column(Float, default=10)
    weight: Mapped[float] = mapped_column(Float, default=1)
    step: Mapped[float] = mapped_column(Float, default=1)
    guidance: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="criteria")


class ConflictRelation(LabelledEnum):
    """How a judge is tied to a person or unit they declare in the pledge."""

    RELATIVE = "relative", N_("Relative")
    TEACHER_STUDENT = "teacher_student", N_("Teacher or student")
    COLLEAGUE = "colleague", N_("Colleague or same unit")
    MENTOR = "mentor", N_("I advised or edited the work")
    OTHER = "other", N_("Other")


class RoundJudge(db.Model):
    """Membership of a round's judge pool."""

    __tablename__ = "judging_round_judges"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    pledge_accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The pledge's free-text statement of earlier rounds; kept as it was written.
    declared_conflicts: Mapped[str] = mapped_column(Text, default="")
    # The structured declaration: [{"relation": ConflictRelation, "concerns": name or unit}].
    declarations: Mapped[list | None] = mapped_column(JSON)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship("User", lazy="joined")

    @property
    def declaration_rows(self) -> list[tuple[str, str]]:
        """(relation's label, whom it concerns) of the structured declaration."""
        return [
            (ConflictRelation.label_of(d.get("relation", "")), d.get("concerns", "")) for d in self.declarations or []
        ]


class Conflict(db.Model):
    __tablename__ = "judging_conflicts"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assignment(db.Model):
    __tablename__ = "judging_assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "judge_id", "submission_id"),
        # (round_id, judge_id) lookups use the unique index's prefix.
        Index("ix_judging_assignments_round_submission", "round_id", "submission_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    role: Mapped[AssignmentRole] = mapped_column(str_enum(AssignmentRole), default=AssignmentRole.REGULAR)
    status: Mapped[AssignmentStatus] = mapped_column(str_enum(AssignmentStatus), default=AssignmentStatus.ASSIGNED)
    recuse_reason: Mapped[str | None] = mapped_column(Text)
    # Orders the judge's queue: random per judge, stored so it is stable.
    shuffle_key: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship()
    judge: Mapped[User] = relationship("User", foreign_keys=[judge_id])
    submission: Mapped[Submission] = relationship("Submission", lazy="select")
    score: Mapped[Score | None] = relationship(back_populates="assignment", uselist=False)


class Score(db.Model):
    __tablename__ = "judging_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("judging_assignments.id", ondelete="CASCADE"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    # {criterion_id (str): value}
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ScoreStatus] = mapped_column(str_enum(ScoreStatus), default=ScoreStatus.DRAFT)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What the judge was shown when the score was last saved: the entry's version
    # and a SHA-256 of the judge-facing title and text.
    entry_version: Mapped[int | None] = mapped_column(Integer)
    text_sha256: Mapped[str | None] = mapped_column(String(64))

    assignment: Mapped[Assignment] = relationship(back_populates="score")


class RoundResult(db.Model):
    __tablename__ = "judging_results"
    __table_args__ = (UniqueConstraint("round_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    final_score: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[ResultRule] = mapped_column(str_enum(ResultRule))
    n_scores: Mapped[int] = mapped_column(Integer, default=0)
    mean: Mapped[float | None] = mapped_column(Float)
    spread: Mapped[float | None] = mapped_column(Float)
    group_label: Mapped[str] = mapped_column(String(100), default="")
    rank: Mapped[int | None] = mapped_column(Integer)
    group_rank: Mapped[int | None] = mapped_column(Integer)
    tied_with_previous: Mapped[bool] = mapped_column(Boolean, default=False)
    advanced: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship("Submission")


class AwardScheme(db.Model):
    __tablename__ = "judging_award_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), unique=True)
    grouping: Mapped[str] = mapped_column(String(20), default="all")
    one_award_per_author: Mapped[bool] = mapped_column(Boolean, default=True)
    boundary_tie: Mapped[str] = mapped_column(String(20), default="both_higher")

    levels: Mapped[list[AwardLevelRule]] = relationship(
        back_populates="scheme", order_by="AwardLevelRule.position", cascade="all, delete-orphan"
    )


class AwardLevelRule(db.Model):
    __tablename__ = "judging_award_levels"
    __table_args__ = (
        CheckConstraint("count IS NULL OR count >= 0", name="count_not_negative"),
        CheckConstraint("percent IS NULL OR percent >= 0", name="percent_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("judging_award_schemes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20))
    count: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    min_score: Mapped[float | None] = mapped_column(Float)

    scheme: Mapped[AwardScheme] = relationship(back_populates="levels")


class Award(db.Model):
    __tablename__ = "judging_awards"
    __table_args__ = (UniqueConstraint("round_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=1)
    group_label: Mapped[str] = mapped_column(String(100), default="")
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    adjusted: Mapped[bool] = mapped_column(Boolean, default=False)

    submission: Mapped[Submission] = relationship("Submission")


class AwardAdjustment(db.Model):
    """A committee decision changing an entry's award; replayed on every allocation."""

    __tablename__ = "judging_award_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    new_level: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyinState(LabelledEnum):
    WAITING = "waiting", N_("Waiting for both entries")  # one entry or none uploaded yet
    MISMATCH = "mismatch", N_("Entries disagree")  # both uploaded; they disagree or have row errors
    READY = "ready", N_("Entries agree")  # both uploaded and in full agreement
    APPLIED = "applied", N_("Scores stored")
    DISCARDED = "discarded", N_("Discarded")


class KeyinBatch(db.Model):
    """A double-entry import of paper score sheets: two files, compared before any Score is written."""

    __tablename__ = "judging_keyin_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    state: Mapped[KeyinState] = mapped_column(str_enum(KeyinState), default=KeyinState.WAITING)
    first_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    first_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    second_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    second_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    second_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Last comparison: counts, disagreements and row errors (untranslated msgids with params).
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
    first_file: Mapped[StoredFile | None] = relationship("StoredFile", foreign_keys=[first_file_id])
    second_file: Mapped[StoredFile | None] = relationship("StoredFile", foreign_keys=[second_file_id])
    first_by: Mapped[User | None] = relationship("User", foreign_keys=[first_by_id])
    second_by: Mapped[User | None] = relationship("User", foreign_keys=[second_by_id])


class RoundCommitteeMember(db.Model):
    """A committee member chosen by the organiser to settle a round's ties at award boundaries."""

    __tablename__ = "judging_round_committee"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship("User", lazy="joined")


class AcceptanceKind(enum.StrEnum):
    TOO_FEW_SCORES = "too_few_scores"  # fewer than k final scores, accepted for finalising
    NO_ARBITER = "no_arbiter"  # no eligible third judge or arbiter: the current scores stand


class ResultAcceptance(db.Model):
    """The organiser accepting an entry's result as it stands, with a reason (also in the audit log)."""

    __tablename__ = "judging_result_acceptances"
    __table_args__ = (UniqueConstraint("round_id", "submission_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    kind: Mapped[AcceptanceKind] = mapped_column(str_enum(AcceptanceKind))
    # Final scores the entry had when accepted; fewer later means the acceptance no longer holds.
    n_scores: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TieDecision(db.Model):
    """The committee's decision on a tie across an award boundary: which tied entries take the level.

    Replayed on every allocation while the same entries still tie at that boundary.
    """

    __tablename__ = "judging_tie_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    group_label: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[str] = mapped_column(String(20))
    entries: Mapped[list] = mapped_column(JSON, default=list)  # every tied entry id, sorted
    chosen: Mapped[list] = mapped_column(JSON, default=list)  # those taking ``level``
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

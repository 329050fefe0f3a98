"""The 推荐表 as printed: a plain projection of a dossier, and its PDF.

``dossier_print(nomination)`` copies what the form shows into a ``DossierPrint``
(strings and lists only), so the template never touches a model: the resident
ID is masked unless the caller asks for the full number (only the organiser's
reveal path does), the photo becomes a ``data:`` URI, and the opinion chain at
the foot is filled from the dossier's ``ReviewStep`` rows (opinion, signer, date),
or left as blank boxes with the seal space.

The form's wording (推荐表, 姓名, 盖章 ...) is the Chinese document itself, as on
certificates, not translatable interface text.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.errors import UserError
from core.extensions import db
from core.i18n import SHANGHAI
from core.i18n_markers import N_
from core.pdf import STATIC_BASE, html_to_pdf, merge_documents
from core.storage import read_file
from nominations.models import (
    FileKind,
    Nomination,
    NominationFile,
    NominationStatus,
    Programme,
    ReviewStep,
    Sex,
    StepKind,
)

SEAL_TEXT = "（盖章）"
BLANK_DATE = "年　　月　　日"
OFFICE_STEPS = (StepKind.PASS, StepKind.RETURN, StepKind.REJECT)
JOINT_STEPS = (StepKind.JOINT_APPROVE, StepKind.JOINT_VETO)
SUBMIT_STEPS = (StepKind.SUBMIT, StepKind.RESUBMIT)
# Dossiers per WeasyPrint document in a batch (about three pages each); see batch_pdf.
BATCH_CHUNK = 60
SEX_TEXT = {Sex.MALE: "男", Sex.FEMALE: "女"}


@dataclass(frozen=True)
class Opinion:
    """One box of the opinion chain: blank (``filled`` False) until its step exists."""

    title: str
    text: str = ""
    signer: str = ""
    date_text: str = BLANK_DATE
    filled: bool = False


@dataclass(frozen=True)
class DossierPrint:
    programme_title: str
    honour_title: str
    is_team: bool
    unit_name: str
    name: str
    sex: str = ""
    birth_month: str = ""
    ethnicity: str = ""
    politics: str = ""
    education: str = ""
    workplace_position: str = ""
    phone: str = ""
    resident_id: str = ""
    photo_uri: str | None = None
    summary: str = ""
    summary_limit: int = 300
    deeds: list[str] = field(default_factory=list)
    deeds_limit: int = 3000
    leader_name: str = ""
    member_count: str = ""
    members: list[str] = field(default_factory=list)
    unit_opinion: Opinion = Opinion("推荐单位意见")
    office_opinion: Opinion = Opinion("主办单位审核意见")
    committee_opinion: Opinion = Opinion("评审委员会意见")
    joint_opinion: Opinion = Opinion("联审意见")

    @property
    def document_title(self) -> str:
        """The PDF's title: the programme and the nominee, nothing else."""
        return f"{self.programme_title} {self.name}".strip()


# --- small formatting helpers -----------------------------------------------------


def mask_resident_id(value: str | None) -> str:
    """``610502199001010013`` -> ``6105**********0013`` (first four, last four)."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def date_text(moment: dt.datetime | dt.date | None) -> str:
    """GB/T 9704 date on the Shanghai calendar (2026年12月1日); blank spaces when unknown."""
    if moment is None:
        return BLANK_DATE
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        moment = moment.astimezone(SHANGHAI).date()
    return f"{moment.year}年{moment.month}月{moment.day}日"


def month_text(value: dt.date | None) -> str:
    return f"{value.year}.{value.month:02d}" if value else ""


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def photo_uri(nomination: Nomination) -> str | None:
    photo = next((f for f in nomination.files if f.kind == FileKind.PHOTO), None)
    if photo is None or photo.stored_file is None:
        return None
    content_type = photo.stored_file.content_type or "image/jpeg"
    if content_type not in ("image/jpeg", "image/png"):
        return None
    data = base64.b64encode(read_file(photo.stored_file)).decode("ascii")
    return f"data:{content_type};base64,{data}"


# --- the opinion chain ----------------------------------------------------------------


def _latest(steps: Sequence[ReviewStep], kinds: Iterable[StepKind]) -> ReviewStep | None:
    wanted = set(kinds)
    found = [s for s in steps if s.kind in wanted]
    return found[-1] if found else None


def _opinion(title: str, step: ReviewStep | None, default_signer: str = "") -> Opinion:
    if step is None:
        return Opinion(title)
    signer = step.signer or (step.unit.name if step.unit is not None else default_signer)
    return Opinion(title, step.opinion or "", signer, date_text(step.at), True)


def _office_step(steps: Sequence[ReviewStep]) -> ReviewStep | None:
    """The office's word on the version printed: a return before a resubmission no longer counts."""
    submitted = _latest(steps, SUBMIT_STEPS)
    office = _latest(steps, OFFICE_STEPS)
    if office is None or (submitted is not None and steps.index(submitted) > steps.index(office)):
        return None
    return office


def _joint_opinion(steps: Sequence[ReviewStep]) -> Opinion:
    """Every 联审 department's latest word, one line each."""
    latest: dict[object, ReviewStep] = {}
    for step in steps:
        if step.kind in JOINT_STEPS:
            latest[step.unit_id or step.signer] = step
    if not latest:
        return Opinion("联审意见")
    lines = []
    for step in latest.values():
        who = step.signer or (step.unit.name if step.unit is not None else "")
        verdict = "同意" if step.kind == StepKind.JOINT_APPROVE else "不同意"
        lines.append(f"{who}：{step.opinion or verdict}" if who else (step.opinion or verdict))
    last = max(latest.values(), key=lambda s: s.at)
    return Opinion("联审意见", "\n".join(lines), "", date_text(last.at), True)


def _unit_opinion(nomination: Nomination, steps: Sequence[ReviewStep]) -> Opinion:
    if nomination.status == NominationStatus.DRAFT:
        return Opinion("推荐单位意见", nomination.unit_opinion or "", nomination.unit.name, BLANK_DATE, False)
    submitted = _latest(steps, SUBMIT_STEPS)
    when = submitted.at if submitted is not None else nomination.submitted_at
    return Opinion("推荐单位意见", nomination.unit_opinion or "", nomination.unit.name, date_text(when), True)


# --- the projection ---------------------------------------------------------------------


def dossier_print(nomination: Nomination, *, full_resident_id: bool = False) -> DossierPrint:
    """The printed form of one dossier. ``full_resident_id`` only on the organiser's reveal path."""
    programme = nomination.programme
    steps = list(nomination.steps)
    workplace = "　".join(p for p in (nomination.workplace, nomination.position) if p)
    resident_id = nomination.resident_id if full_resident_id else mask_resident_id(nomination.resident_id)
    return DossierPrint(
        programme_title=programme.title,
        honour_title=programme.honour_title,
        is_team=programme.is_team,
        unit_name=nomination.unit.name,
        name=nomination.name,
        sex=SEX_TEXT.get(nomination.sex, ""),
        birth_month=month_text(nomination.birth_month),
        ethnicity=nomination.ethnicity,
        politics=nomination.politics,
        education=nomination.education,
        workplace_position=workplace,
        phone=nomination.phone,
        resident_id=resident_id or "",
        photo_uri=photo_uri(nomination),
        summary=nomination.summary,
        summary_limit=programme.summary_limit,
        deeds=paragraphs(nomination.deeds),
        deeds_limit=programme.deeds_limit,
        leader_name=nomination.leader_name,
        member_count=str(nomination.member_count or ""),
        members=paragraphs(nomination.members_text),
        unit_opinion=_unit_opinion(nomination, steps),
        office_opinion=_opinion("主办单位审核意见", _office_step(steps), programme.organiser_name),
        committee_opinion=_opinion("评审委员会意见", _latest(steps, (StepKind.BALLOT,)), "评审委员会"),
        joint_opinion=_joint_opinion(steps),
    )


# --- rendering ------------------------------------------------------------------------


def render_markup(dossiers: Sequence[DossierPrint], title: str) -> str:
    from flask import render_template

    return render_template("pdf/dossier.html", dossiers=dossiers, title=title, static_base=STATIC_BASE)


def dossier_pdf(nomination: Nomination, *, full_resident_id: bool = False) -> bytes:
    page = dossier_print(nomination, full_resident_id=full_resident_id)
    return html_to_pdf(render_markup([page], page.document_title))


def batch_nominations(programme: Programme) -> list[Nomination]:
    """The programme's dossiers that units have submitted, by unit then name (drafts stay out)."""
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.programme_id == programme.id, Nomination.status != NominationStatus.DRAFT)
            .options(
                selectinload(Nomination.unit),
                selectinload(Nomination.steps).selectinload(ReviewStep.unit),
                selectinload(Nomination.files).selectinload(NominationFile.stored_file),
            )
            .order_by(Nomination.unit_id, Nomination.id)
        )
    )


def batch_pdf(programme: Programme, progress: Callable[[int, int, str], None] | None = None) -> tuple[bytes, int]:
    """All submitted dossiers of a programme as one PDF. Returns (pdf bytes, number of dossiers).

    The dossiers are laid out ``BATCH_CHUNK`` at a time, each chunk one WeasyPrint
    document (fonts subset once per chunk), and the chunks joined with qpdf: one
    document for all 300 dossiers of a large programme (about 900 pages) would hold
    every page's layout at once, well past a worker's memory budget of 1 GiB.
    ``progress(done, total, stage)`` is called after each chunk.
    """
    nominations = batch_nominations(programme)
    total = len(nominations)
    if not total:
        raise UserError(N_("No unit has submitted a dossier yet."))
    chunks: list[bytes] = []
    for start in range(0, total, BATCH_CHUNK):
        batch = nominations[start : start + BATCH_CHUNK]
        pages = [dossier_print(nomination) for nomination in batch]
        chunks.append(html_to_pdf(render_markup(pages, programme.title)))
        del pages
        for nomination in batch:  # what is printed is no longer needed in the session
            db.session.expunge(nomination)
        if progress is not None:
            progress(start + len(batch), total, "layout")
    # The metadata holds the title and nothing else of the dossiers.
    return merge_documents(chunks, title=programme.title), total

"""Reading packets: a judge's anonymised entries of a round as one PDF or a ZIP of judge copies.

Judge-facing: the packet is built from ``essays.blind`` projections and the
scrubbed judge copies only, in the judge's queue order. Nothing in it names an
author: the PDF's metadata carries the round's name, page headers the anonymous
code, and ZIP members are named ``CODE.<suffix>`` with fixed timestamps and no
comment. The organiser prints the same packet per judge for paper judging.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.pdf import render_pdf
from essays.blind import BlindEntry, judge_file_bytes, judge_file_name, project
from essays.models import Submission
from judging.models import Assignment, AssignmentStatus, Round, RoundJudge, Score, ScoreStatus
from judging.workspace import judge_round, live_assignments

# Above this many entries a packet PDF is built by a background job with progress.
DIRECT_LIMIT = 30
# ZIP members get this fixed time: the file's own times could tell when an entry arrived.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _submissions(round_: Round, judge_id: int) -> list[Submission]:
    """The judge's live entries in the round, in their queue order."""
    return list(db.session.scalars(live_assignments(round_, judge_id, Submission)))


def packet_entries(round_: Round, judge_id: int) -> list[BlindEntry]:
    """The judge's entries as the judge reads them (projections), in queue order."""
    return [project(sub) for sub in _submissions(round_, judge_id)]


def is_pool_judge(round_: Round, judge_id: int) -> bool:
    return (
        db.session.scalar(select(RoundJudge.id).where(RoundJudge.round_id == round_.id, RoundJudge.user_id == judge_id))
        is not None
    )


def packet_size(round_: Round, judge_id: int) -> int:
    return len(_submissions(round_, judge_id))


def packet_title(round_: Round) -> str:
    return _("Reading packet: %(round)s", round=round_.name)


def packet_pdf(round_: Round, judge_id: int, *, progress=None) -> bytes:
    """One PDF: each entry from a new page, its code in the page header."""
    entries = packet_entries(round_, judge_id)
    if progress is not None:
        progress(0, len(entries), _("Rendering %(count)s entries", count=len(entries)))
    pdf = render_pdf(
        "pdf/judging_packet.html", round=judge_round(round_), entries=entries, doc_title=packet_title(round_)
    )
    if progress is not None:
        progress(len(entries), len(entries))
    return pdf


def all_judges_pdf(round_: Round, *, progress=None) -> bytes:
    """Every active judge's packet, one after another, for the organiser to print."""
    view = judge_round(round_)
    members = db.session.scalars(
        select(RoundJudge).where(RoundJudge.round_id == round_.id, RoundJudge.active.is_(True)).order_by(RoundJudge.id)
    ).all()
    packets = [(m.user.display_name, packet_entries(round_, m.user_id)) for m in members]
    if progress is not None:
        progress(0, len(packets))
    return render_pdf("pdf/judging_packet.html", round=view, packets=packets, doc_title=packet_title(round_))


def packet_zip(round_: Round, judge_id: int) -> bytes:
    """The judge copies as ``CODE.<suffix>``; an entry without a file gets its judge text as ``CODE.txt``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sub in _submissions(round_, judge_id):
            data = judge_file_bytes(sub)
            name = judge_file_name(sub)
            if data is None:
                entry = project(sub)
                data, name = f"{entry.title}\n\n{entry.text}\n".encode(), f"{entry.code}.txt"
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def packet_file_name(round_: Round, kind: str, judge_id: int | None = None) -> str:
    """A download name from ids only."""
    who = f"-judge-{judge_id}" if judge_id is not None else ""
    return f"packet-{round_.id}{who}.{kind}"


# --------------------------------------------------------------------------
# Score sheets
# --------------------------------------------------------------------------


def points(value) -> str:
    """A number of points as a person writes it: ``40``, ``7.5``, never ``40.0``."""
    if value is None:
        return ""
    number = round(float(value), 2)
    return str(int(number)) if number.is_integer() else f"{number:g}"


@dataclass(frozen=True)
class SheetItem:
    entry: BlindEntry
    values: dict  # {criterion id (str): points}, of a submitted score only
    total: float | None
    comment: str = ""


def sheet_items(round_: Round, judge_id: int) -> list[SheetItem]:
    """The judge's entries with their submitted scores (a draft is not printed), in queue order."""
    rows = db.session.execute(
        select(Submission, Score)
        .join(Assignment, Assignment.submission_id == Submission.id)
        .outerjoin(Score, (Score.assignment_id == Assignment.id) & (Score.status == ScoreStatus.SUBMITTED))
        .where(
            Assignment.round_id == round_.id,
            Assignment.judge_id == judge_id,
            Assignment.status != AssignmentStatus.RECUSED,
        )
        .order_by(Assignment.shuffle_key, Assignment.id)
    ).all()
    return [
        SheetItem(project(sub), dict(score.values or {}), score.total, score.comment or "")
        if score
        else SheetItem(project(sub), {}, None)
        for sub, score in rows
    ]


def sheets_per_page(criteria_count: int) -> int:
    """How many entries' sheets fit an A4 page with a rubric of this length."""
    if criteria_count <= 3:
        return 3
    return 2 if criteria_count <= 6 else 1


def score_sheets_pdf(round_: Round, judge_id: int) -> bytes:
    view = judge_round(round_)
    return render_pdf(
        "pdf/judging_sheets.html",
        round=view,
        items=sheet_items(round_, judge_id),
        per_page=sheets_per_page(len(view.criteria)),
        whole_steps=all(float(c.step).is_integer() for c in view.criteria),
        points=points,
        doc_title=_("Score sheets"),
    )

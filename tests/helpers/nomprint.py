"""Builders for the nominations printing, summary and overview tests (rows straight from the models).

The services that move dossiers along are other modules' work; these tests need
dossiers in given states, so they build the rows directly.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

_ids = itertools.count(1)

DEEDS_END = "这是主要事迹的最后一句话，必须完整地印在推荐表上。"


def photo_jpeg(width: int = 260, height: int = 360, colour=(176, 58, 46)) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), (235, 238, 242))
    draw = ImageDraw.Draw(img)
    draw.ellipse((width * 0.3, height * 0.12, width * 0.7, height * 0.45), fill=colour)
    draw.rectangle((width * 0.18, height * 0.5, width * 0.82, height), fill=colour)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def long_deeds(chars: int = 2000) -> str:
    base = (
        "该同志扎根基层二十余年，始终把群众的冷暖放在心上，带领团队攻克了多项关键技术难题，"
        "先后主持完成区级科研项目六项，推广新品种新技术十余项，带动周边农户增收致富。"
    )
    paras, total = [], 0
    while total < chars:
        para = base * 3
        paras.append(para)
        total += len(para)
    return "\n".join(paras) + "\n" + DEEDS_END


def make_programme(db, *, title="寻找最美科技工作者", kind="individual", units=(), places=2, **kw):
    from nominations.models import Programme, ProgrammeKind, ProgrammeStage, Quota

    programme = Programme(
        title=title,
        honour_title=kw.pop("honour_title", "最美科技工作者"),
        kind=ProgrammeKind(kind),
        organiser_name=kw.pop("organiser_name", "中共临渭区委宣传部"),
        year=kw.pop("year", 2026),
        stage=ProgrammeStage(kw.pop("stage", "checking")),
        total_places=kw.pop("total_places", 10),
        **kw,
    )
    for unit in units:
        programme.quotas.append(Quota(unit_id=unit.id, places=places))
    db.session.add(programme)
    db.session.flush()
    return programme


def make_nomination(db, programme, unit, *, status="submitted", photo=False, **kw):
    from core.storage import store_bytes
    from nominations.models import FileKind, Nomination, NominationFile, NominationStatus, Sex

    n = next(_ids)
    fields = dict(
        name=f"张{'明华建国志远'[n % 6]}{n}",
        sex=Sex.MALE if n % 2 else Sex.FEMALE,
        ethnicity="汉族",
        birth_month=dt.date(1980 + n % 15, 1 + n % 12, 1),
        politics="中共党员",
        education="大学本科",
        workplace=unit.name,
        position="高级工程师",
        phone=f"1389135{n:04d}",
        summary="该同志长期奋战在科技推广一线，成绩突出。",
        deeds="二十年如一日扎根基层。\n" + DEEDS_END,
        submitted_at=None if status == "draft" else dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc),
        version=0 if status == "draft" else 1,
    )
    fields.update(kw)
    nomination = Nomination(programme_id=programme.id, unit_id=unit.id, status=NominationStatus(status), **fields)
    db.session.add(nomination)
    db.session.flush()
    if photo:
        record = store_bytes(photo_jpeg(), content_type="image/jpeg", original_name="photo.jpg", suffix=".jpg")
        db.session.flush()
        nomination.files.append(NominationFile(kind=FileKind.PHOTO, stored_file_id=record.id, filename="照片.jpg"))
        db.session.flush()
    return nomination


def add_step(db, nomination, kind, opinion="", signer="", at=None, unit=None):
    from nominations.models import ReviewStep, StepKind

    step = ReviewStep(
        nomination_id=nomination.id,
        kind=StepKind(kind),
        opinion=opinion,
        signer=signer,
        unit_id=getattr(unit, "id", None),
        version=nomination.version,
        at=at or dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.timezone.utc),
    )
    db.session.add(step)
    db.session.flush()
    return step


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, whitespace removed (CJK lines wrap anywhere)."""
    import io as _io

    from pypdf import PdfReader

    reader = PdfReader(_io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)

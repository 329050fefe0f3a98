"""Certificate and winner-list PDFs: fonts embedded, text extractable, numbers unique."""

from __future__ import annotations

import io
import zipfile

import pytest

from helpers import pdf_fonts
from publishing.certificates import issue_certificates, render_one_certificate
from publishing.demo import replay_closed_notice
from publishing.results import HonourInput, import_honours, publish_results
from publishing.winners import winner_list_pdf, winner_list_xlsx

NAMES = ["李秀英", "欧阳晓燕", "王䶮", "龚𠮷祥"]  # 䶮 (Ext A) and 𠮷 (Ext B): rare characters must render


def _text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def published(db, organiser):
    items = [
        HonourInput(
            "first" if i == 0 else "second",
            "一等奖" if i == 0 else "二等奖",
            name,
            "临渭区第二中学",
            f"作品{i}",
            "",
            95 - i,
            i + 1,
        )
        for i, name in enumerate(NAMES)
    ]
    rs = import_honours(
        "competition", 7, "2026年临渭区“科技兴区”主题征文活动", items, organiser, organiser="中共临渭区委宣传部"
    )
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="来电", actor=organiser)
    publish_results(rs, organiser)
    db.session.commit()
    return rs


def test_generation_job_produces_merged_pdf_and_zip(client, db, published, organiser, login, post):
    from core.jobs import Job
    from core.storage import StoredFile, read_file

    login(client, organiser)
    r = post(client, f"/publishing/manage/{published.id}/certificates", page=f"/publishing/manage/{published.id}")
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    job = db.session.query(Job).one()
    assert job.status == "done", job.error
    assert job.progress == job.total == len(NAMES)

    db.session.refresh(published)
    merged = read_file(db.session.get(StoredFile, published.certificates_pdf_id))
    pages = _text(merged)
    assert len(pages) == len(NAMES)
    for name, text in zip(NAMES, pages):
        assert name in text
    fonts = pdf_fonts(merged)
    assert fonts and all(fonts.values()), fonts
    assert any("Serif-CJK" in f for f in fonts)

    numbers = [h.certificate.number for h in published.honours]
    assert len(set(numbers)) == len(numbers)
    with zipfile.ZipFile(io.BytesIO(read_file(db.session.get(StoredFile, published.certificates_zip_id)))) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(f"{n}.pdf" for n in numbers)
        single = zf.read(f"{published.honours[2].certificate.number}.pdf")
    assert len(_text(single)) == 1 and "王䶮" in _text(single)[0]
    assert all(pdf_fonts(single).values())

    # The ZIP is the job's download.
    r = client.get(f"/jobs/{job.id}/download")
    assert r.status_code == 200 and r.mimetype == "application/zip"


def test_single_certificate_has_number_and_closing(app, db, published, organiser):
    certs = issue_certificates(published, organiser)
    cert = certs[0]
    render_one_certificate(cert, organiser)
    from core.storage import read_file

    pdf = read_file(cert.file)
    text = "".join(_text(pdf)[0].split())  # the title is letter-spaced
    assert cert.number in text and "特发此证" in text and "荣誉证书" in text
    assert all(pdf_fonts(pdf).values())


def test_winner_list_pdf(db, published):
    pdf = winner_list_pdf(published)
    text = "".join("".join(_text(pdf)).split())  # long titles wrap
    assert "获奖名单" in text and "中共临渭区委宣传部" in text
    assert text.index("一等奖") < text.index("二等奖")
    for name in NAMES:
        assert name in text
    assert all(pdf_fonts(pdf).values())


def test_winner_list_xlsx_has_chinese_headers(db, published):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(winner_list_xlsx(published)))
    rows = list(wb.active.values)
    assert rows[1] == ("序号", "奖次", "组别", "作品", "作者", "单位")
    assert [r[4] for r in rows[2:]] == NAMES

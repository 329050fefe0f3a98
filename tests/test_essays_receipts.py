"""Receipts as PDF (issue #13): what the PDF says, the QR code's link, the public
receipt check that shows only the number, the activity and the time."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from helpers import ARTIFACTS, refused, submit


@pytest.fixture
def entry(db, comp, make_user, make_unit):
    author = make_user("author", unit=make_unit("区实验小学"), display_name="王小明")
    outcome = submit(comp, author, title="我的家乡变了样")
    db.session.commit()
    return outcome.entry


def _pdf(client, login, who, entry):
    login(client, who)
    response = client.get(f"/essays/entry/{entry.id}/receipt.pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages)


def test_the_author_downloads_the_receipt_pdf(app, client, login, entry):
    from core.i18n import format_dt

    response = _pdf(client, login, entry.author, entry)
    assert f"{entry.receipt_number}.pdf" in response.headers["Content-Disposition"]
    data = response.data
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "receipt.pdf").write_bytes(data)
    text = "".join(_text(data).split())
    for expected in (
        "投稿回执",
        entry.competition.title,
        entry.title,
        entry.receipt_number,
        str(entry.word_count),
        format_dt(entry.submitted_at, with_seconds=True).replace(" ", ""),
        "王小明",
        "/essays/receipt-check/" + entry.receipt_token,
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert entry.competition.title in meta.title and entry.receipt_number in meta.title
    # The author's name is on the page, not in the metadata.
    assert "王小明" not in " ".join(str(v) for v in meta.values())
    assert len(reader.pages) == 1


def test_the_qr_code_holds_the_public_check_link(app, client, login, entry, monkeypatch):
    import segno

    from core import pdf

    seen = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda markup, **kw: seen.append(markup) or real(markup, **kw))
    _pdf(client, login, entry.author, entry)
    url = app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/essays/receipt-check/{entry.receipt_token}"
    expected = segno.make(url, error="m").svg_data_uri(scale=4, border=1, dark="#000")
    images = re.findall(r'<img src="([^"]+)"', seen[0])
    assert images == [expected.replace("&", "&amp;")] or images == [expected]
    # The link opens the check page.
    page = app.test_client().get("/" + url.split("/", 3)[3])
    assert page.status_code == 200 and entry.receipt_number in page.get_data(as_text=True)


def test_the_public_check_shows_only_number_activity_and_time(app, entry):
    from core.i18n import format_dt

    html = app.test_client().get(f"/essays/receipt-check/{entry.receipt_token}").get_data(as_text=True)
    facts = re.search(r'<dl class="facts" id="receipt-facts">(.*?)</dl>', html, re.S).group(1)
    assert entry.receipt_number in facts and entry.competition.title in facts
    assert format_dt(entry.submitted_at, with_seconds=True) in facts
    assert len(re.findall(r"<dt>", facts)) == 3
    for hidden in ("王小明", entry.title, "区实验小学", entry.author.username, str(entry.word_count) + " "):
        assert hidden not in html, hidden


def test_the_check_is_by_random_token_not_by_number(app, db, entry, comp, make_user):
    client = app.test_client()
    assert re.fullmatch(r"[\w-]{20,}", entry.receipt_token)
    other = submit(comp, make_user("author"), token="t2", title="另一篇").entry
    db.session.commit()
    assert other.receipt_token != entry.receipt_token
    for guess in (entry.receipt_number, str(entry.id), str(entry.serial), "x" * 200, entry.receipt_token[:-1]):
        response = client.get(f"/essays/receipt-check/{guess}")
        assert response.status_code == 404, guess
        assert 'id="receipt-unknown"' in response.get_data(as_text=True)


def test_receipt_pdf_refusals(app, db, login, csrf, entry, make_user, make_unit, organiser):
    users = {
        "stranger": make_user("author"),
        "coordinator": make_user("coordinator", unit=make_unit()),
        "judge": make_user("judge"),
        "organiser": organiser,
    }
    url = f"/essays/entry/{entry.id}/receipt.pdf"
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, url, 302),
            ("stranger", url, 404),
            ("coordinator", url, 404),  # another unit's coordinator
            ("judge", url, 403),
            ("stranger", "/essays/entry/999999/receipt.pdf", 404),
            ("organiser", url, 200),
        ],
        method="get",
    )


def test_links_from_the_receipt_page_and_my_entries(client, login, entry):
    login(client, entry.author)
    link = f"/essays/entry/{entry.id}/receipt.pdf"
    assert link in client.get(f"/essays/entry/{entry.id}/receipt").get_data(as_text=True)
    assert link in client.get("/essays/mine").get_data(as_text=True)


def test_entries_received_before_the_migration_get_a_token(app, db, entry):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    entry_id = entry.id
    db.session.commit()
    db.session.remove()
    downgrade(revision="0012_password_resets")
    try:
        upgrade()
    finally:
        upgrade()  # whatever happened, the next tests find the schema at head
    token = db.session.scalar(text("SELECT receipt_token FROM submissions WHERE id = :id"), {"id": entry_id})
    assert token and len(token) >= 20
    assert app.test_client().get(f"/essays/receipt-check/{token}").status_code == 200

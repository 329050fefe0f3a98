"""The judges' .docx/.pdf built by allow-list: what it keeps, what it drops, when it gives up."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from helpers import post_entry
from helpers.docs import BODY_PARAGRAPHS, BODY_TEXT, make_docx, make_pdf
from helpers.judgecopy import (
    BIO,
    DOCX_PLACES,
    EMAIL,
    NAME,
    PDF_PLACES,
    PHONE,
    PLANTED,
    UNIT,
    docx_footnote,
    layers,
    pdf_link_actions,
    plain_png,
    with_note,
)

NEEDLES = [NAME, UNIT, PHONE, EMAIL]


def _build(kind, data, needles=NEEDLES):
    from essays import judge_copy

    return judge_copy.build(kind, data, needles)


# --- through the pipeline: upload, job, the judge copy ------------------------------


def test_pdf_links_with_javascript_or_launch_actions_are_not_in_the_judge_copy(
    client, login, make_user, comp, csrf, db
):
    import pikepdf

    from essays.blind import judge_file_bytes
    from essays.models import Submission

    login(client, make_user("author"))
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(pdf_link_actions()), "作品.pdf"))
    assert response.status_code == 302
    entry = db.session.scalars(db.select(Submission)).one()
    data = judge_file_bytes(entry)
    assert data.startswith(b"%PDF"), "the judge copy of a clean PDF is a PDF"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        actions = [a.get("/A") for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert [str(a.S) for a in actions] == ["/URI", "/URI"]
        assert [str(a.URI) for a in actions] == ["https://example.org/", "https://example.net/"]
        assert all("/Next" not in a for a in actions)
        assert "/OpenAction" not in pdf.Root and all("/AA" not in page.obj for page in pdf.pages)
    assert b"JavaScript" not in data and b"Launch" not in data and b"app.alert" not in data


def test_an_authors_bio_in_a_footnote_is_flagged_and_judges_get_the_text(
    client, login, make_user, make_unit, comp, csrf, db, organiser
):
    from core.audit import AuditEntry
    from essays.blind import judge_file_bytes
    from essays.models import Submission

    author = make_user("author", unit=make_unit(name=UNIT, kind="school"), display_name=NAME, phone=PHONE, email=EMAIL)
    login(client, author)
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(docx_footnote()), "作品.docx"))
    assert response.status_code == 302
    entry = db.session.scalars(db.select(Submission)).one()
    assert entry.identity_flagged and not entry.identity_spans
    judge = judge_file_bytes(entry).decode("utf-8")
    assert BODY_PARAGRAPHS[0] in judge and NAME not in judge and PHONE not in judge
    audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "essay.identity_in_file"))
    assert audit is not None and NAME in str(audit.changes)
    other = login(client.application.test_client(), organiser)
    listing = other.get(f"/essays/manage/{comp.id}?flag=identity").get_data(as_text=True)
    assert entry.receipt_number in listing


# --- .docx ---------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    from essays.extract import extract_text

    return extract_text("x.docx", data, 50 * 1024 * 1024).text


def test_docx_copy_keeps_the_story_with_its_formatting_tables_pictures_and_notes():
    from PIL import Image

    source = docx.Document()
    source.add_heading("渭河岸边", level=1)
    paragraph = source.add_paragraph()
    paragraph.add_run("春风").bold = True
    paragraph.add_run("又绿").italic = True
    paragraph.add_run("渭河岸。")
    paragraph.alignment = 1  # centre
    table = source.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "年份", "二〇二四"
    source.add_picture(io.BytesIO(plain_png()))
    out = io.BytesIO()
    source.save(out)
    built = _build("docx", out.getvalue())
    assert built.data is not None and built.found == ()
    copy = docx.Document(io.BytesIO(built.data))
    assert copy.paragraphs[0].text == "渭河岸边" and copy.paragraphs[0].style.name == "Heading 1"
    runs = copy.paragraphs[1].runs
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in runs] == [
        ("春风", True, False),
        ("又绿", False, True),
        ("渭河岸。", False, False),
    ]
    assert copy.paragraphs[1].alignment == 1
    assert copy.tables[0].cell(1, 1).text == "二〇二四"
    images = [p for p in zipfile.ZipFile(io.BytesIO(built.data)).namelist() if p.startswith("word/media/")]
    assert len(images) == 1
    assert Image.open(io.BytesIO(zipfile.ZipFile(io.BytesIO(built.data)).read(images[0]))).size == (16, 16)
    assert copy.core_properties.author == "" and copy.core_properties.title == ""


def test_docx_notes_are_kept_as_numbered_notes_when_they_name_nobody():
    built = _build("docx", docx_footnote(), needles=["王小明"])  # another author's details
    assert built.data is None and set(built.found) == {PHONE, EMAIL}  # found without needles
    built = _build("docx", with_note("footnotes", "参见《渭南县志》第三卷。"), needles=NEEDLES)
    text = _docx_text(built.data)
    assert "[1]" in text and "参见《渭南县志》第三卷。" in text and BODY_PARAGRAPHS[0] in text
    built = _build("docx", with_note("endnotes", "本文数据来自区统计局。"), needles=NEEDLES)
    assert "本文数据来自区统计局。" in _docx_text(built.data)


@pytest.mark.parametrize("place", sorted(DOCX_PLACES))
def test_docx_copy_of_each_place(place):
    build, expected = DOCX_PLACES[place]
    built = _build("docx", build())
    if built.data is None:
        assert expected == "text" and place in ("footnote", "endnote", "body", "table", "text_box")
        assert built.found, "identity kept in the copy is reported"
        return
    assert expected == "copy"
    texts = layers(built.data)
    for needle in PLANTED:
        assert all(needle not in text for text in texts), (place, needle)
    assert all(p in _docx_text(built.data) for p in BODY_PARAGRAPHS)


def test_docx_parts_are_only_what_a_reader_needs():
    built = _build("docx", DOCX_PLACES["properties"][0]())
    names = set(zipfile.ZipFile(io.BytesIO(built.data)).namelist())
    assert names <= {
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "docProps/app.xml",
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/settings.xml",
        "word/webSettings.xml",
        "word/fontTable.xml",
        "word/theme/theme1.xml",
        "word/numbering.xml",
    }
    assert zipfile.ZipFile(io.BytesIO(built.data)).comment == b""


@pytest.mark.parametrize("data", [b"PK\x03\x04 broken", b"not a zip", make_docx("x")[:200]])
def test_unreadable_docx_gives_the_text_copy(data):
    built = _build("docx", data)
    assert built.data is None and built.found == ()


# --- .pdf ----------------------------------------------------------------------------


@pytest.mark.parametrize("place", sorted(PDF_PLACES))
def test_pdf_copy_of_each_place(place):
    build, expected = PDF_PLACES[place]
    data = build()
    from essays import anonymise
    from essays.extract import extract_text

    if anonymise.find_identity(extract_text("x.pdf", data, 10**8).text, NEEDLES):
        assert expected == "text"  # found at submission: no job
        built = _build("pdf", data)
        assert built.data is None and built.found
        return
    built = _build("pdf", data)
    assert expected == "copy" and built.data is not None
    texts = layers(built.data)
    for needle in PLANTED:
        assert all(needle not in text for text in texts), (place, needle)
    assert BODY_PARAGRAPHS[0] in "".join(texts)


def test_pdf_identity_in_marked_content_is_found():
    """Strings in a page's content outside text-showing operators (/ActualText) are checked too."""
    import pikepdf

    with pikepdf.open(io.BytesIO(make_pdf(BODY_TEXT))) as pdf:
        page = pdf.pages[0]
        page.contents_add(
            pikepdf.Stream(pdf, f"/Span <</ActualText <FEFF{NAME.encode('utf-16-be').hex()}>>> BDC EMC".encode()),
            prepend=False,
        )
        out = io.BytesIO()
        pdf.save(out)
    built = _build("pdf", out.getvalue())
    assert built.data is None and NAME in built.found


def test_bio_text_in_pdf_page_gives_the_text_copy():
    built = _build("pdf", make_pdf(BODY_TEXT + "\n" + BIO))
    assert built.data is None and NAME in built.found


@pytest.mark.parametrize("data", [b"%PDF-1.7 broken", b"garbage"])
def test_unreadable_pdf_gives_the_text_copy(data):
    built = _build("pdf", data)
    assert built.data is None and built.found == ()


def test_a_note_that_refers_to_itself_is_read_once():
    from helpers import judgecopy as fj

    data = fj.with_note("footnotes", "参见本注。")
    parts = {n: zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist()}
    parts["word/footnotes.xml"] = parts["word/footnotes.xml"].replace(
        "参见本注。".encode(), '参见本注。</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:t>'.encode()
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    built = _build("docx", out.getvalue())
    assert built.data is not None and "参见本注。" in _docx_text(built.data)

"""Hostile manuscripts: lying ZIPs, enormous texts, endless PDFs, AES-encrypted PDFs;
and pages that never render an unbounded text."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pikepdf
import pytest
from pypdf import PdfWriter

from core.errors import UserError
from essays import extract_docx, judge_copy
from essays.extract import extract_text
from helpers import post_entry, submit_as
from helpers.docs import make_docx, make_pdf

TEXT = "春天来了，万物复苏。\n第二段：Hello 2018年！"
LIMIT = 10 * 1024 * 1024
SUSPICIOUS = "compressed in a suspicious way"


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def lying_docx(part: str, real: int = 40 * 1024 * 1024, declared: int = 2 * 1024 * 1024) -> bytes:
    """A .docx whose ``part`` declares ``declared`` bytes (with a matching CRC) but holds ``real``."""
    parts = _parts(make_docx(TEXT))
    parts[part] = bytes(real)
    data = bytearray(_zip(parts))
    crc = zlib.crc32(bytes(declared))
    name = part.encode()
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<L", data, central + 16, crc)
            struct.pack_into("<L", data, central + 24, declared)
            local = struct.unpack_from("<L", data, central + 42)[0]
            struct.pack_into("<L", data, local + 14, crc)
            struct.pack_into("<L", data, local + 22, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml"])
def test_a_zip_member_holding_more_than_it_declares_is_refused(part):
    data = lying_docx(part)
    with pytest.raises(UserError) as caught:
        extract_text("essay.docx", data, LIMIT)
    assert SUSPICIOUS in str(caught.value)
    # The judge-copy job reads the package too: it makes no file copy of it.
    assert judge_copy.build("docx", data, []).data is None


def test_a_lying_docx_upload_gets_the_chinese_message(client, login, make_user, comp, csrf, counts, storage_state):
    login(client, make_user("author"))
    before = storage_state()
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(lying_docx("word/styles.xml")), "essay.docx"))
    assert response.status_code == 422
    assert "该文档的压缩方式异常，不予接收。" in response.get_data(as_text=True)
    assert counts() == 0 and storage_state() == before


def test_an_honest_docx_is_still_read():
    assert extract_text("essay.docx", make_docx(TEXT), LIMIT).text == TEXT


@pytest.mark.parametrize("kind", ["txt", "docx", "pdf"])
def test_text_longer_than_the_cap_is_refused(kind):
    long_text = "\n".join(["春风又绿江南岸" * 20] * 20)  # 2,800 characters
    data = {
        "txt": lambda: long_text.encode(),
        "docx": lambda: make_docx(long_text),
        "pdf": lambda: make_pdf(long_text),
    }[kind]()
    assert extract_text(f"essay.{kind}", data, LIMIT, max_chars=5000).text
    with pytest.raises(UserError) as caught:
        extract_text(f"essay.{kind}", data, LIMIT, max_chars=1000)
    assert "longer than 1,000 characters" in str(caught.value)


def test_a_txt_of_more_than_200000_characters_is_refused_at_upload(client, login, make_user, comp, csrf, counts):
    login(client, make_user("author"))
    data = ("长" * 99 + "\n").encode() * 2100  # 210,000 characters, 630 KB: under the 2 MB file limit
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(data), "essay.txt"))
    assert response.status_code == 422
    assert "200,000" in response.get_data(as_text=True)
    assert counts() == 0


def test_a_docx_with_an_absurdly_large_paragraph_is_refused(monkeypatch):
    monkeypatch.setattr(extract_docx, "MAX_BLOCK_BYTES", 100_000)
    parts = _parts(make_docx(TEXT))
    runs = b"<w:r/>" * 40_000
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:p>", b"<w:p>" + runs, 1)
    assert runs in parts["word/document.xml"]
    with pytest.raises(UserError) as caught:
        extract_text("essay.docx", _zip(parts), LIMIT)
    assert "too complex" in str(caught.value)


def test_a_pdf_with_more_than_300_pages_is_refused():
    writer = PdfWriter()
    for _ in range(301):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UserError) as caught:
        extract_text("essay.pdf", out.getvalue(), LIMIT)
    assert "more than 300 pages" in str(caught.value)


def test_a_pdf_declaring_far_too_many_objects_is_refused_before_it_is_parsed():
    data = make_pdf(TEXT)
    size = re.search(rb"/Size (\d+)", data)
    assert size
    with pytest.raises(UserError) as caught:
        extract_text("essay.pdf", data.replace(size.group(0), b"/Size 999999"), LIMIT)
    assert "more than 300 pages" in str(caught.value)


def _aes_pdf(user: str, text: str = TEXT) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(make_pdf(text))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user, R=6))
    return out.getvalue()


def test_an_aes_pdf_with_only_an_owner_password_is_accepted():
    assert extract_text("essay.pdf", _aes_pdf(""), LIMIT).text == TEXT
    # and the judges get a file copy of it, not only its text
    copy = judge_copy.build("pdf", _aes_pdf(""), [])
    assert copy.data is not None and extract_text("copy.pdf", copy.data, LIMIT).text == TEXT


def test_an_aes_pdf_with_a_user_password_is_refused():
    with pytest.raises(UserError) as caught:
        extract_text("essay.pdf", _aes_pdf("open-sesame"), LIMIT)
    assert "remove the password" in str(caught.value)


def test_an_aes_pdf_upload_with_only_an_owner_password_gets_a_receipt(client, login, make_user, comp, csrf):
    login(client, make_user("author"))
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(_aes_pdf("", TEXT * 3)), "essay.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


# --- pages never render an unbounded text -------------------------------------


@pytest.fixture
def long_entry(app, client, login, make_user, comp, csrf, db, monkeypatch):
    """An entry whose stored text is longer than the page shows (as a row from before the cap)."""
    from essays.models import Submission

    author = make_user("author")
    entry_id = submit_as(app.test_client(), login, author, comp, csrf)
    entry = db.session.get(Submission, entry_id)
    entry.body_text = "甲" * 1500 + "乙" * 500
    entry.judge_text = entry.body_text
    db.session.commit()
    monkeypatch.setitem(app.config, "MAX_TEXT_CHARS", 1500)
    return entry_id, author


def test_the_organiser_entry_page_cuts_a_long_text_with_a_download(client, login, organiser, long_entry):
    entry_id, _author = long_entry
    login(client, organiser)
    page = client.get(f"/essays/manage/entry/{entry_id}").get_data(as_text=True)
    assert "乙" not in page and "甲" * 1500 in page
    assert "末尾 500 个字符未显示" in page
    assert f"/essays/entry/{entry_id}/text.txt" in page
    download = client.get(f"/essays/entry/{entry_id}/text.txt")
    assert download.status_code == 200 and download.get_data(as_text=True) == "甲" * 1500 + "乙" * 500
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_author_entry_page_cuts_a_long_text(client, login, long_entry):
    entry_id, author = long_entry
    login(client, author)
    page = client.get(f"/essays/entry/{entry_id}").get_data(as_text=True)
    assert "乙" not in page and "末尾 500 个字符未显示" in page
    assert client.get(f"/essays/entry/{entry_id}/text.txt").get_data(as_text=True).endswith("乙" * 500)


def test_the_full_text_download_refuses_others(app, client, login, make_user, long_entry):
    entry_id, _author = long_entry
    path = f"/essays/entry/{entry_id}/text.txt"
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    judge = app.test_client()
    login(judge, make_user("judge"))
    assert judge.get(path).status_code == 403
    stranger = app.test_client()
    login(stranger, make_user("author"))
    assert stranger.get(path).status_code == 404


def _lying_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["用户名", "姓名"])
    out = io.BytesIO()
    workbook.save(out)
    parts = _parts(out.getvalue())
    parts["xl/sharedStrings.xml"] = bytes(40 * 1024 * 1024)
    data = bytearray(_zip(parts))
    crc = zlib.crc32(bytes(2 * 1024 * 1024))
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == b"xl/sharedStrings.xml":
            struct.pack_into("<L", data, central + 16, crc)
            struct.pack_into("<L", data, central + 24, 2 * 1024 * 1024)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_a_lying_workbook_is_refused_before_openpyxl_reads_it():
    from accounts.sheets import read_table
    from judging.keyin import _grid_from_xlsx

    data = _lying_xlsx()
    for read in (lambda: read_table("users.xlsx", data), lambda: _grid_from_xlsx(data)):
        with pytest.raises(UserError) as caught:
            read()
        assert SUSPICIOUS in str(caught.value)


def test_a_zip_with_a_huge_central_directory_is_refused_before_it_is_parsed():
    parts = _parts(make_docx(TEXT))
    parts.update({f"word/media/{i:05d}-{'x' * 200}.bin": b"" for i in range(5000)})
    with pytest.raises(UserError) as caught:
        extract_text("essay.docx", _zip(parts), LIMIT)
    assert SUSPICIOUS in str(caught.value)

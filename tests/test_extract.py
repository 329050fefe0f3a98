"""Uploaded manuscripts: what is refused (and what the author is told), what text comes out."""

import functools
import io
import os
import random
import zipfile

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from core.errors import UserError
from essays import file_limits
from essays.extract import extract_text, safe_display_name
from helpers.docs import (
    BODY_TEXT,
    DEFAULT_IDENTITY,
    make_docx,
    make_docx_with_identity,
    make_pdf,
)

TEXT = "春天来了，万物复苏。\n第二段：Hello 2018年！"
LIMIT = 10 * 1024 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@functools.cache
def pdf_of(text: str) -> bytes:
    return make_pdf(text)


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_with(extra: dict[str, bytes], content_types_from: str = "", to: str = "") -> bytes:
    with zipfile.ZipFile(io.BytesIO(make_docx(TEXT))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if content_types_from:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(content_types_from.encode(), to.encode())
    return zip_of({**parts, **extra})


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of(TEXT))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_zip_entry() -> bytes:
    data = bytearray(make_docx(TEXT))
    # Set the "encrypted" flag on every central-directory entry.
    position = data.find(b"PK\x01\x02")
    while position != -1:
        data[position + 8] |= 0x01
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


REFUSALS = [
    # (case, file name, bytes builder, words the author must read)
    ("empty", "essay.docx", lambda: b"", "empty"),
    ("too large", "essay.txt", lambda: "长".encode() * (LIMIT // 3 + 1), "larger than the limit of 10 MB"),
    ("unknown type", "essay.exe", lambda: b"MZ\x90\x00", "Only .docx, .pdf and .txt"),
    ("no extension", "essay", lambda: TEXT.encode(), "Only .docx, .pdf and .txt"),
    ("old .doc", "essay.doc", lambda: OLE + bytes(600), "save the document as .docx"),
    ("macro .docm", "essay.docm", lambda: make_docx(TEXT), "save the document as .docx"),
    ("template .dotm", "essay.DOTM", lambda: make_docx(TEXT), "save the document as .docx"),
    ("WPS file", "作文.wps", lambda: OLE + bytes(600), "save the document as .docx"),
    ("pdf named docx", "essay.docx", lambda: pdf_of(TEXT), "does not match its extension .docx"),
    ("zip that is not Word", "essay.docx", lambda: zip_of({"a.txt": b"hello"}), "does not match its extension .docx"),
    ("docx named pdf", "essay.pdf", lambda: make_docx(TEXT), "does not match its extension .pdf"),
    ("docx named txt", "essay.txt", lambda: make_docx(TEXT), "does not match its extension .txt"),
    ("binary named txt", "essay.txt", lambda: b"abc\x00\x01\x02def", "does not match its extension .txt"),
    ("renamed .doc", "essay.docx", lambda: OLE + bytes(600), "old-format Word file"),
    (
        "encrypted docx",
        "essay.docx",
        lambda: OLE + bytes(100) + "EncryptionInfo".encode("utf-16-le") + bytes(100),
        "password-protected",
    ),
    ("encrypted zip entries", "essay.docx", encrypted_zip_entry, "password-protected"),
    (
        "macros inside a .docx",
        "essay.docx",
        lambda: docx_with({"word/vbaProject.bin": b"\x00" * 64}),
        "contains macros",
    ),
    (
        "macro content type",
        "essay.docx",
        lambda: docx_with({}, "wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml"),
        "contains macros",
    ),
    ("truncated docx", "essay.docx", lambda: make_docx(TEXT)[:3000], "damaged"),
    ("broken document.xml", "essay.docx", lambda: docx_with({"word/document.xml": b"<w:document"}), "damaged"),
    (
        "too many parts",
        "essay.docx",
        lambda: docx_with({f"word/media/x{i}.bin": b"" for i in range(1001)}),
        "too many parts",
    ),
    (
        "compression bomb",
        "essay.docx",
        lambda: docx_with({"word/media/bomb.bin": bytes(2 * 1024 * 1024)}),
        "compressed in a suspicious way",
    ),
    ("corrupt pdf", "essay.pdf", lambda: b"%PDF-1.7\n1 0 obj garbage", "damaged"),
    ("encrypted pdf", "essay.pdf", encrypted_pdf, "remove the password"),
    ("scanned pdf", "essay.pdf", blank_pdf, "scanned image"),
    ("blank txt", "essay.txt", lambda: " \n\u3000\n".encode(), "no text"),
    ("blank docx", "essay.docx", lambda: make_docx("\n \n"), "no text"),
    ("undecodable txt", "essay.txt", lambda: random.Random(1).randbytes(400).replace(b"\x00", b"\x01"), "encoding"),
]


@pytest.mark.parametrize(("case", "name", "build", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_tell_the_author_what_to_do(case, name, build, words):
    with pytest.raises(UserError) as caught:
        extract_text(name, build(), LIMIT)
    assert words in str(caught.value)


def test_total_uncompressed_size_is_limited(monkeypatch):
    monkeypatch.setattr(file_limits, "MAX_ZIP_UNCOMPRESSED", 1024 * 1024)
    data = docx_with({"word/media/photo.bin": os.urandom(1024 * 1024)})
    with pytest.raises(UserError) as caught:
        extract_text("essay.docx", data, LIMIT)
    assert "expands to more than 1 MB" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("essay.txt", TEXT.encode("utf-8"), "utf-8"),
        ("essay.txt", TEXT.encode("utf-8-sig"), "utf-8-sig"),
        ("essay.txt", TEXT.encode("gbk"), "gb18030"),
        ("essay.txt", TEXT.encode("gb2312"), "gb18030"),
        ("essay.txt", TEXT.encode("gb18030"), "gb18030"),
        ("essay.txt", TEXT.encode("utf-16"), "utf-16"),  # with BOM
        ("essay.txt", b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
        ("ESSAY.TXT", TEXT.replace("\n", "\r\n").encode(), "utf-8"),
    ],
)
def test_text_files_in_common_encodings(name, data, encoding):
    result = extract_text(name, data, LIMIT)
    assert (result.text, result.kind, result.encoding) == (TEXT, "txt", encoding)


def test_docx_text_keeps_paragraphs():
    result = extract_text("作文.docx", make_docx(TEXT), LIMIT)
    assert (result.text, result.kind) == (TEXT, "docx")


def test_pdf_text_comes_back_in_chinese():
    result = extract_text("作文.pdf", pdf_of(TEXT), LIMIT)
    assert (result.text, result.kind) == (TEXT, "pdf")


def test_docx_tables_are_read_in_order():
    document = docx.Document()
    document.add_paragraph("表格之前")
    table = document.add_table(rows=2, cols=2)
    for row, texts in zip(table.rows, [("甲", "乙"), ("丙", "丁")]):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    table.rows[1].cells[1].add_table(rows=1, cols=1).rows[0].cells[0].text = "嵌套"
    document.add_paragraph("表格之后")
    out = io.BytesIO()
    document.save(out)
    lines = extract_text("t.docx", out.getvalue(), LIMIT).text.split("\n")
    assert [line for line in lines if line] == ["表格之前", "甲", "乙", "丙", "丁", "嵌套", "表格之后"]


def test_docx_text_leaves_out_headers_footers_comments_and_deleted_text():
    result = extract_text("essay.docx", make_docx_with_identity(DEFAULT_IDENTITY), LIMIT)
    assert result.text == BODY_TEXT  # inserted text kept, "作者：李秀英" deletion not
    for value in DEFAULT_IDENTITY.values():
        assert value not in result.text


def test_pdf_protected_only_against_editing_is_read():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of(TEXT))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert extract_text("essay.pdf", out.getvalue(), LIMIT).text == TEXT


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("我的作文.docx", "我的作文.docx"),
        ("C:\\Users\\李秀英\\Desktop\\征文.docx", "征文.docx"),
        ("/home/li/../征文.pdf", "征文.pdf"),
        ("征文\x00\x1b[31m.txt", "征文[31m.txt"),
        ("exe.\u202etxt.docx", "exe.txt.docx"),  # right-to-left override removed
        ("家乡👨‍👩‍👧.docx", "家乡👨‍👩‍👧.docx"),  # emoji and its joiners kept
        ("  多  个   空格 .docx ", "多 个 空格 .docx"),
        ("长" * 200 + ".docx", "长" * 115 + ".docx"),
        ("", "untitled"),
        ("../", "untitled"),
        ("e\u0301te\u0301.txt", "été.txt"),  # composed (NFC)
    ],
)
def test_safe_display_name(uploaded, shown):
    assert safe_display_name(uploaded) == shown
    assert len(safe_display_name(uploaded)) <= 120

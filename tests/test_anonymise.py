"""Identity must not survive into what judges get: .docx/.pdf metadata and body text."""

import functools
import html
import io
import random
import zipfile

import docx
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from essays.anonymise import (
    CODE_ALPHABET,
    find_identity,
    is_valid_resident_id,
    new_anonymous_code,
    redact,
    scrub_docx,
    scrub_pdf,
)
from essays.extract import extract_text
from helpers.docs import (
    BODY_PARAGRAPHS,
    BODY_TEXT,
    DEFAULT_IDENTITY,
    make_docx_with_identity,
    make_pdf,
    make_pdf_with_identity,
)

IDENTITIES = [
    DEFAULT_IDENTITY,
    {
        "name": "Zhang Wei",
        "unit": "Weinan No.2 Middle School",
        "phone": "0913-2123456",
        "email": "zhang.wei@school.example.cn",
    },
]


@functools.cache
def planted_docx(identity_index: int = 0) -> tuple[bytes, bytes]:
    """(original, scrubbed) .docx for IDENTITIES[identity_index], built once."""
    original = make_docx_with_identity(IDENTITIES[identity_index])
    return original, scrub_docx(original)


@functools.cache
def planted_pdf(identity_index: int = 0) -> tuple[bytes, bytes]:
    original = make_pdf_with_identity(IDENTITIES[identity_index])
    return original, scrub_pdf(original)


def docx_parts(data: bytes) -> dict[str, str]:
    """Every part as text (XML entities resolved), plus names and the ZIP comment."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: html.unescape(archive.read(name).decode("utf-8", "ignore")) for name in archive.namelist()}
        parts["<names>"] = "\n".join(archive.namelist())
        parts["<comment>"] = archive.comment.decode("utf-8", "ignore")
    return parts


def pdf_strings(data: bytes) -> str:
    """Every string, name and decompressed stream reachable in the PDF, as text."""
    reader = PdfReader(io.BytesIO(data))
    found, seen, pending = [], set(), [reader.trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, StreamObject):
            found.append(item.get_data().decode("utf-8", "ignore"))
        if isinstance(item, DictionaryObject):
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
        else:
            found.append(str(item))
    return "\n".join(found)


# --- .docx -------------------------------------------------------------------

PLANTED_IN = [  # (part, identity field) the fixture plants; each must be gone
    ("docProps/core.xml", "name"),
    ("docProps/app.xml", "unit"),
    ("docProps/custom.xml", "phone"),
    ("word/people.xml", "email"),
    ("word/comments.xml", "name"),
    ("word/document.xml", "name"),  # tracked-change authors and deleted text
    ("word/document.xml", "email"),  # editing permission w:ed
    ("word/header1.xml", "unit"),
    ("word/footer1.xml", "phone"),
    ("word/settings.xml", "name"),  # document variables
    ("word/_rels/document.xml.rels", "email"),  # mailto: link
    ("word/_rels/settings.xml.rels", "name"),  # attached template path
    ("customXml/item1.xml", "unit"),
    ("docProps/thumbnail.jpeg", "name"),
    ("word/media/image1.png", "email"),
    ("word/media/image2.jpg", "unit"),
    ("word/unreferenced.xml", "phone"),
    ("<comment>", "name"),
]


@pytest.mark.parametrize(("part", "field"), PLANTED_IN)
def test_scrub_docx_removes_identity_from_every_place_it_was_planted(part, field):
    original, scrubbed = planted_docx()
    value = DEFAULT_IDENTITY[field]
    assert value in docx_parts(original)[part], "fixture should plant it there"
    scrubbed = docx_parts(scrubbed)
    assert [name for name, text in scrubbed.items() if value in text] == []


@pytest.mark.parametrize("index", range(len(IDENTITIES)))
def test_scrubbed_docx_has_no_identity_anywhere_and_keeps_the_body(index):
    identity = IDENTITIES[index]
    scrubbed = planted_docx(index)[1]
    parts = docx_parts(scrubbed)
    leaks = [
        (name, value) for name, text in parts.items() for value in identity.values() if value.lower() in text.lower()
    ]
    assert leaks == []
    paragraphs = [p.text for p in docx.Document(io.BytesIO(scrubbed)).paragraphs]
    assert paragraphs[: len(BODY_PARAGRAPHS)] == BODY_PARAGRAPHS
    assert extract_text("judge.docx", scrubbed, 10**7).text == BODY_TEXT


def test_scrubbed_docx_accepts_tracked_changes_and_drops_comments_and_headers():
    scrubbed = planted_docx()[1]
    parts = docx_parts(scrubbed)
    document = parts["word/document.xml"]
    for tag in (
        "w:ins ",
        "w:del ",
        "w:delText",
        "w:rPrChange",
        "w:pPrChange",
        "w:commentReference",
        "w:headerReference",
        "w:footerReference",
        "w:permStart",
    ):
        assert tag not in document
    assert not any(name.startswith(("word/header", "word/footer", "word/comments")) for name in parts)
    opened = docx.Document(io.BytesIO(scrubbed))
    assert all(not p.text for p in opened.sections[0].header.paragraphs)
    assert opened.core_properties.author == ""
    assert opened.core_properties.last_modified_by == ""
    assert opened.core_properties.title == ""


def test_scrubbed_docx_keeps_pictures_readable_and_zip_times_fixed():
    scrubbed = planted_docx()[1]
    with zipfile.ZipFile(io.BytesIO(scrubbed)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        for name in ("word/media/image1.png", "word/media/image2.jpg"):
            Image.open(io.BytesIO(archive.read(name))).load()


def test_scrub_docx_is_repeatable():
    once = planted_docx()[1]
    twice = scrub_docx(once)
    assert docx_parts(twice).keys() == docx_parts(once).keys()
    assert extract_text("x.docx", twice, 10**7).text == BODY_TEXT


# --- .pdf ----------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(IDENTITIES)))
def test_scrubbed_pdf_has_no_identity_anywhere_and_keeps_the_text(index):
    identity = IDENTITIES[index]
    original, scrubbed = planted_pdf(index)
    assert identity["name"] in pdf_strings(original), "fixture should plant it"
    strings = pdf_strings(scrubbed)
    for value in identity.values():
        for encoding in ("utf-8", "utf-16-be"):
            assert value.encode(encoding) not in scrubbed
        assert value not in strings
    assert extract_text("judge.pdf", scrubbed, 10**7).text == BODY_TEXT


def test_scrubbed_pdf_has_no_info_xmp_notes_or_attachments():
    reader = PdfReader(io.BytesIO(planted_pdf()[1]))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    assert "/Metadata" not in reader.pages[0]
    assert "/PieceInfo" not in reader.pages[0]
    assert reader.attachments == {}
    annotations = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    # the note and the mailto: link went, the link to a web page stayed
    assert [(a["/Subtype"], a["/A"]["/URI"]) for a in annotations] == [("/Link", "https://example.org/")]


def test_scrub_pdf_opens_a_pdf_protected_only_against_editing():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("只限制编辑的文件"))))
    writer.add_metadata({"/Author": "李秀英"})
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    reader = PdfReader(io.BytesIO(scrub_pdf(out.getvalue())))
    assert not reader.is_encrypted
    assert reader.metadata is None
    assert reader.pages[0].extract_text() == "只限制编辑的文件"


# --- body text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needles", "found"),
    [
        ("我叫张三，来自临渭区。", ["张三"], ["张三"]),
        ("作者：张 三", ["张三"], ["张 三"]),
        ("作者：张\u3000三", ["张三"], ["张\u3000三"]),
        ("作者：张\n三", ["张 三"], ["张\n三"]),
        ("By LI Xiuying", ["Li Xiuying"], ["LI Xiuying"]),
        ("By lixiuying", ["Li Xiuying"], ["lixiuying"]),
        ("张三说，张三来了", ["张三"], ["张三", "张三"]),
        ("临渭区第二中学", ["临渭区", "第二中学", "渭区第二"], ["临渭区第二中学"]),
        ("学校：ＸＹＺ中学", ["XYZ中学"], ["ＸＹＺ中学"]),
        ("没有身份信息", ["", "  "], []),
        ("张三13812345678", ["张三"], ["张三13812345678"]),  # adjacent spans merge
        ("电话13812345678", [], ["13812345678"]),
        ("电话：138-1234-5678。", [], ["138-1234-5678"]),
        ("电话 138 1234 5678", [], ["138 1234 5678"]),
        ("手机+86 13812345678", [], ["+86 13812345678"]),
        ("电话：１３８１２３４５６７８", [], ["１３８１２３４５６７８"]),
        ("座机0913-2123456", [], ["0913-2123456"]),
        ("座机（029）88886666", [], ["（029）88886666"]),
        ("邮箱 lixiuying@example.com。", [], ["lixiuying@example.com"]),
        ("邮箱：ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", [], ["ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ"]),
        ("身份证 11010519491231002X", [], ["11010519491231002X"]),
        ("身份证 440524188001010014。", [], ["440524188001010014"]),
        ("身份证 110105 19491231 002x", [], ["110105 19491231 002x"]),
        ("号码 110105194912310021", [], []),  # wrong check digit
        ("QQ：123456789", [], ["123456789"]),
        ("微信号：lixiuying_2008", [], ["lixiuying_2008"]),
        ("2018年发表了12345678901篇", [], []),  # not a mobile (12…), not a date of birth
        ("第3章第12节", [], []),
    ],
)
def test_find_identity_spans(text, needles, found):
    spans = find_identity(text, needles)
    assert [text[start:end] for start, end in spans] == found
    assert spans == sorted(spans)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("440524188001010014", True),
        ("610502199001011233", True),
        ("110105194912310021", False),  # check digit should be X
        ("110105194902300012", False),  # check digit right, 30 February
        ("11010519491231002", False),  # 17 characters
        ("1101051949123100211", False),
        ("11010519491231002Y", False),
        ("", False),
    ],
)
def test_is_valid_resident_id(value, valid):
    assert is_valid_resident_id(value) is valid


@pytest.mark.parametrize(
    ("text", "spans", "redacted"),
    [
        ("张三来了", [(0, 2)], "■■来了"),
        ("张三来了", [], "张三来了"),
        ("张三和李四", [(3, 5), (0, 2)], "■■和■■"),
        ("张三和李四", [(0, 2), (1, 4)], "■■■■四"),
        ("张三", [(1, 10)], "张■"),
    ],
)
def test_redact_keeps_length_and_layout(text, spans, redacted):
    assert redact(text, spans) == redacted
    assert len(redact(text, spans)) == len(text)


def test_redacting_found_identity_removes_it():
    text = "作者：李 秀英\n单位：临渭区第二中学\n电话：138-1234-5678\n正文从这里开始。"
    clean = redact(text, find_identity(text, ["李秀英", "临渭区第二中学"]))
    assert "秀英" not in clean and "临渭" not in clean and "5678" not in clean
    assert clean.endswith("正文从这里开始。")


# --- anonymous codes ----------------------------------------------------------------


def test_anonymous_codes_are_unambiguous_and_new():
    rng = random.Random(42)
    codes = set()
    for _ in range(500):
        code = new_anonymous_code(codes, rng)
        assert len(code) == 6
        assert set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1I")
        assert code[0].isalpha()
        codes.add(code)
    assert len(codes) == 500


def test_anonymous_code_skips_codes_in_use():
    first = new_anonymous_code(set(), random.Random(7))
    assert new_anonymous_code({first}, random.Random(7)) != first


def test_anonymous_code_gives_up_when_nothing_is_free():
    class Stuck:
        def choice(self, options):
            return options[0]

    with pytest.raises(RuntimeError):
        new_anonymous_code({"AAAAAA"}, Stuck())


def test_anonymous_codes_default_to_the_secrets_module():
    assert len(new_anonymous_code(set())) == 6

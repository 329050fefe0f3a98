"""Check an uploaded manuscript and extract its text, on bytes only.

Accepted: .docx, text-based .pdf and .txt. Everything else is refused with a
message that tells the author what to do (save as .docx, remove the password,
upload a text PDF). Checks run cheapest first and a .docx ZIP is judged from
its directory before anything is decompressed.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from lxml import etree
from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError

from core import archives
from core.errors import UserError
from core.i18n_markers import N_

ACCEPTED_EXTENSIONS = (".docx", ".pdf", ".txt")
# Word/WPS formats that must be re-saved: old binary, macro-enabled, templates.
RESAVE_EXTENSIONS = (
    ".doc",
    ".docm",
    ".dot",
    ".dotm",
    ".dotx",
    ".wps",
    ".wpt",
    ".rtf",
    ".odt",
    ".pages",
)
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Below this size an entry cannot hurt, and very repetitive small XML (empty
# table cells) can legitimately compress more than 200:1.
RATIO_CHECK_FROM = 1024 * 1024
DISPLAY_NAME_LIMIT = 120
# Far above any genre's length limit and far below what would take the
# server's memory or fill a page; the app passes its configured values.
MAX_TEXT_CHARS = 200_000
MAX_PDF_PAGES = 300
# A text PDF has a few objects a page (content, fonts, images): a file
# declaring far more than this is refused before its tables are read.
MAX_PDF_OBJECTS_PER_PAGE = 200
# XML of one top-level block (a paragraph, a table) of the Word body held in
# memory at once while it is read: a long table of a whole essay is a few MB.
MAX_BLOCK_BYTES = 16 * 1024 * 1024
INFLATE_CHUNK = 64 * 1024  # bytes read from a member at a time

_WORD_PASSWORD = N_("The Word file is password-protected. Please remove the password and upload it again.")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: str  # "docx", "pdf" or "txt"
    encoding: str | None = None  # for "txt": the encoding the file was read in


def extract_text(
    filename: str, data: bytes, max_bytes: int, *, max_chars: int = MAX_TEXT_CHARS, max_pages: int = MAX_PDF_PAGES
) -> Extracted:
    """Validate an upload and return its plain text (paragraphs joined by "\\n").

    Reading stops as soon as the text passes ``max_chars`` characters or a
    PDF has more than ``max_pages`` pages: the file is refused, with a
    message, long before it could cost much time or memory.
    """
    if not data:
        raise UserError(N_("The file is empty."))
    if len(data) > max_bytes:
        raise UserError(
            N_("The file is %(size)s, larger than the limit of %(limit)s."),
            size=_size_text(len(data)),
            limit=_size_text(max_bytes),
        )
    extension = _extension(filename)
    if extension in RESAVE_EXTENSIONS:
        raise UserError(
            N_(
                "Files of type %(extension)s are not accepted. Please save the document "
                "as .docx (Word document) and upload it again."
            ),
            extension=extension,
        )
    if extension not in ACCEPTED_EXTENSIONS:
        raise UserError(N_("Only .docx, .pdf and .txt files are accepted."))
    if extension == ".docx":
        text = _docx_text(data, max_chars)
        kind, encoding = "docx", None
    elif extension == ".pdf":
        text = _pdf_text(data, max_chars, max_pages)
        kind, encoding = "pdf", None
    else:
        text, encoding = _txt_text(data, max_chars)
        kind = "txt"
    _check_length(text, max_chars)
    text = _clean(text)
    if not text.strip():
        raise UserError(N_("The file contains no text."))
    return Extracted(text=text, kind=kind, encoding=encoding)


def safe_display_name(filename: str) -> str:
    """The uploaded name fit for display: no path, no control characters, ≤ 120.

    Only for showing the author their own file; stored files get generated
    names and judges never see this one.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    # Controls and invisible format characters (a right-to-left override can
    # disguise "gpj.exe" as "exe.jpg"); the emoji joiner U+200D stays.
    name = "".join(
        char for char in name if char == "\u200d" or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > DISPLAY_NAME_LIMIT:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[: DISPLAY_NAME_LIMIT - len(suffix) - 1].rstrip() + "." + suffix
        else:
            name = name[:DISPLAY_NAME_LIMIT].rstrip()
    return name or "untitled"


def check_zip_limits(archive: zipfile.ZipFile) -> None:
    """Refuse ZIP bombs: first from the central directory, then by inflating
    every member as a stream (``core.archives``), trusting no declared size.

    A member holding more than it declares is refused, so the declared sizes,
    checked here against a budget, bound every later read of the archive.
    """
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UserError(N_("The document has too many parts to be a normal Word file."))
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.flag_bits & 0x1:
            raise UserError(_WORD_PASSWORD)
        if entry.file_size >= RATIO_CHECK_FROM and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise UserError(N_("The document is compressed in a suspicious way and cannot be accepted."))
    if total > MAX_ZIP_UNCOMPRESSED:
        raise UserError(
            N_("The document expands to more than %(limit)s and cannot be accepted."),
            limit=_size_text(MAX_ZIP_UNCOMPRESSED),
        )
    archives.check_real_sizes(archive)


# --- .docx --------------------------------------------------------------------


def _docx_text(data: bytes, max_chars: int = MAX_TEXT_CHARS) -> str:
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise UserError(_WORD_PASSWORD)
        raise UserError(
            N_(
                "This is an old-format Word file (.doc) renamed to .docx. Please open it "
                "in Word or WPS, save it as .docx and upload it again."
            )
        )
    if not data.startswith(b"PK\x03\x04"):
        raise _mismatch(".docx")
    archives.check_central_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _corrupt(".docx") from None
    with archive:
        check_zip_limits(archive)
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise _mismatch(".docx")
        try:
            content_types = archive.read("[Content_Types].xml")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise _corrupt(".docx") from None
        if b"macroEnabled" in content_types or "word/vbaProject.bin" in names:
            raise UserError(
                N_("The document contains macros. Please save it as a plain .docx (Word document) and upload it again.")
            )
        try:
            # Only the main document part is parsed: opening the file with
            # python-docx parsed every part, styles included (most of the time
            # of a .docx submission), to read the body alone.
            if b"wordprocessingml.document.main+xml" not in content_types:
                raise ValueError("not a Word document")  # a template, say: python-docx refused it too
            with archive.open(_main_document_name(archive, names)) as part:
                return "\n".join(_body_texts(part, max_chars))
        except UserError:
            raise
        except Exception:  # lxml and zipfile raise many kinds
            raise _corrupt(".docx") from None


_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _parse_part(content: bytes) -> etree._Element:
    # The settings python-docx parses with, so the text is the same as before.
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(content, parser)


def _main_document_name(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The part the package relationships name as the document (normally word/document.xml)."""
    if "_rels/.rels" in names:
        for rel in _parse_part(archive.read("_rels/.rels")).iter(_PKG_RELS):
            if rel.get("Type") == _OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
                target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                if target in names:
                    return target
    return "word/document.xml"


def _body_texts(stream, max_chars: int) -> list[str]:
    """The body's paragraph texts, read as a stream one top-level block at a time.

    Each paragraph or table of the body is turned into text when it ends and
    then dropped, so memory holds one block, not the whole document; reading
    stops once the text passes ``max_chars`` or one block's XML passes
    ``MAX_BLOCK_BYTES``.
    """
    parser = etree.XMLPullParser(
        events=("end",),
        tag=_STREAM_TAGS,
        remove_blank_text=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    lines: list[str] = []
    total = raw = since_block = 0
    while True:
        chunk = stream.read(INFLATE_CHUNK)
        if chunk:
            parser.feed(chunk)
            since_block += len(chunk)
        else:
            parser.close()
        for _event, element in parser.read_events():
            if element.tag == _TEXT_TAG:
                raw += len(element.text or "")
                if raw > 2 * max_chars:  # text boxes have a fallback copy: counted twice here
                    raise _too_long(max_chars)
                continue
            parent = element.getparent()
            if parent is None or parent.tag != _BODY_TAG:
                continue  # a paragraph inside a table: read with its table
            block = _block_texts([element])
            total += sum(len(line) + 1 for line in block)
            if total > max_chars + 1:
                raise _too_long(max_chars)
            lines += block
            since_block = 0
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]
        if since_block > MAX_BLOCK_BYTES:
            raise UserError(
                N_(
                    "The document is too complex to be read. Please save it again as a "
                    "plain .docx (Word document) and upload it again."
                )
            )
        if not chunk:
            return lines


_BODY_TAG, _TEXT_TAG, _TXBX = f"{_W}body", f"{_W}t", f"{_W}txbxContent"
_SKIPPED = frozenset((f"{_W}del", f"{_W}moveFrom", _MC_FALLBACK, _TXBX))
_INLINE = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_NO_DESCENT = frozenset((f"{_W}rPr", f"{_W}pPr"))
# Top-level blocks of the body, and text runs (counted as they come).
_STREAM_TAGS = (f"{_W}p", f"{_W}tbl", f"{_W}sdt", f"{_W}customXml", _TEXT_TAG)


def _block_texts(container) -> list[str]:
    """Paragraph texts in reading order: body paragraphs, table cells, content controls."""
    lines: list[str] = []
    for child in container:
        if child.tag == f"{_W}p":
            lines += _paragraph_texts(child)
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                if _nearest(row, f"{_W}tbl") is not child:
                    continue  # rows of nested tables come with their cell
                for cell in row.findall(f"{_W}tc"):
                    lines += _block_texts(cell)
        elif child.tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}sdtContent"):
            lines += _block_texts(child)
    return lines


def _paragraph_texts(paragraph: etree._Element) -> list[str]:
    """The paragraph as the reader sees it with changes accepted, then its text boxes."""
    pieces: list[str] = []
    boxes: list[etree._Element] = []
    stack = list(reversed(paragraph))
    while stack:
        element = stack.pop()
        tag = element.tag  # lxml builds the string on every access
        if tag in _SKIPPED:
            if tag == _TXBX:
                boxes.append(element)
            continue
        if tag == _TEXT_TAG:
            pieces.append(element.text or "")
        elif tag in _INLINE:
            pieces.append(_INLINE[tag])
        elif tag in _NO_DESCENT:
            continue  # run and paragraph properties hold no text
        stack.extend(reversed(element))
    return ["".join(pieces)] + [line for box in boxes for line in _block_texts(box)]


def _nearest(element: etree._Element, tag: str) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


# --- .pdf ---------------------------------------------------------------------

_PDF_PASSWORD = N_("The PDF is password-protected. Please remove the password and upload it again.")


_PDF_SIZE = re.compile(rb"/Size\s+(\d{1,12})")


def _declared_objects(data: bytes) -> int:
    """The object count the trailer declares (read from the raw bytes, before any parsing)."""
    ends = data[:65536] + b" " + data[-65536:]  # a linearised file repeats it at the start
    return max((int(m) for m in _PDF_SIZE.findall(ends)), default=0)


def open_pdf(data: bytes) -> PdfReader:
    """A reader for the PDF, decrypted if it only restricts editing (owner password).

    pypdf decrypts RC4 itself but needs the ``cryptography`` package for AES;
    pikepdf (qpdf) opens either, so an AES file is decrypted with it first. A
    PDF that needs a password to be opened is refused.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except DependencyError:  # AES-256 is checked as the file is opened
        return _decrypted_by_pikepdf(data)
    if not reader.is_encrypted:
        return reader
    try:
        if reader.decrypt(""):
            return reader
    except DependencyError:  # AES-128 without cryptography
        return _decrypted_by_pikepdf(data)
    except Exception:
        raise UserError(_PDF_PASSWORD) from None
    raise UserError(_PDF_PASSWORD)


def _decrypted_by_pikepdf(data: bytes) -> PdfReader:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            out = io.BytesIO()
            pdf.save(out)  # saved without encryption
    except pikepdf.PasswordError:
        raise UserError(_PDF_PASSWORD) from None
    except pikepdf.PdfError:
        raise _corrupt(".pdf") from None
    return PdfReader(io.BytesIO(out.getvalue()), strict=False)


def _pdf_text(data: bytes, max_chars: int = MAX_TEXT_CHARS, max_pages: int = MAX_PDF_PAGES) -> str:
    if b"%PDF-" not in data[:1024]:  # readers accept the header within 1 KB
        raise _mismatch(".pdf")
    if _declared_objects(data) > MAX_PDF_OBJECTS_PER_PAGE * max_pages:
        # Reading the cross-reference table of 100,000 pages alone takes seconds.
        raise _too_many_pages(max_pages)
    try:
        reader = open_pdf(data)
        declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if int(declared) > max_pages:  # before the page tree is walked
            raise _too_many_pages(max_pages)
        if len(reader.pages) > max_pages:
            raise _too_many_pages(max_pages)
        pages, total = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            total += len(pages[-1]) + 1
            if total > max_chars + 1:
                raise _too_long(max_chars)
    except UserError:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        IndexError,
        RecursionError,
        AssertionError,
        zipfile.error,
    ):
        raise _corrupt(".pdf") from None
    if not pages:
        raise _corrupt(".pdf")
    text = "\n".join(pages)
    if not text.strip():
        raise UserError(
            N_(
                "No text could be read from the PDF; it is probably a scanned image. "
                "Please upload the .docx file or a PDF exported from a word processor."
            )
        )
    return text


# --- .txt ---------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGICS = (b"PK\x03\x04", b"%PDF-", _OLE_MAGIC, b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")


def _txt_text(data: bytes, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, str]:
    """UTF-8 (BOM or not), UTF-16/32 with BOM, else GB18030, else a detected encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_length(data.decode(encoding), max_chars), encoding
            except UnicodeDecodeError:
                raise _undecodable() from None
    if data.startswith(_BINARY_MAGICS) or b"\x00" in data:
        raise _mismatch(".txt")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _checked_text(_check_length(text, max_chars)), encoding
    if len(data) > 4 * (max_chars + 1):  # no encoding takes more than 4 bytes a character
        raise _too_long(max_chars)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise _undecodable()
    return _checked_text(_check_length(str(best), max_chars)), best.encoding


def _checked_text(text: str) -> str:
    """Refuse binary data that happened to decode (more than 1% control characters)."""
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v\x1a")
    if controls > len(text) / 100:
        raise _mismatch(".txt")
    return text


# --- shared -------------------------------------------------------------------


def _extension(filename: str) -> str:
    name = safe_display_name(filename)
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _clean(text: str) -> str:
    """One newline convention; no NULs or stray control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")
    return text.lstrip("\ufeff").strip("\n")


def _size_text(size: int) -> str:
    """1536 -> "1.5 KB"; 5 * 2**20 -> "5 MB" (units read the same in Chinese)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + " " + unit
    return f"{size} B"


def _mismatch(extension: str) -> UserError:
    return UserError(
        N_("The file's content does not match its extension %(extension)s. Please check the file."),
        extension=extension,
    )


def _corrupt(extension: str) -> UserError:
    return UserError(
        N_("The %(extension)s file is damaged and cannot be read. Please save it again and re-upload."),
        extension=extension,
    )


def _check_length(text: str, max_chars: int) -> str:
    if len(text) > max_chars + 1 and len(text.strip()) > max_chars:
        raise _too_long(max_chars)
    return text


def _too_long(max_chars: int) -> UserError:
    return UserError(
        N_(
            "The text of the file is longer than %(limit)s characters, far more than an entry may have. "
            "Please check that this is the right file."
        ),
        limit=f"{max_chars:,}",
    )


def _too_many_pages(max_pages: int) -> UserError:
    return UserError(
        N_(
            "The PDF has more than %(limit)s pages, far more than an entry may have. "
            "Please check that this is the right file."
        ),
        limit=max_pages,
    )


def _undecodable() -> UserError:
    return UserError(N_("The text file's encoding could not be recognised. Please save it as UTF-8."))

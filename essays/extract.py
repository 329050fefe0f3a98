"""Check an uploaded manuscript and extract its text, on bytes only.

Accepted: .docx, text-based .pdf and .txt. Everything else is refused with a
message that tells the author what to do (save as .docx, remove the password,
upload a text PDF). Checks run cheapest first and a .docx ZIP is judged from
its directory before anything is decompressed.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from core.errors import UserError
from core.i18n_markers import N_
from essays.extract_docx import docx_text
from essays.extract_pdf import pdf_text
from essays.file_limits import (
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    OLE_MAGIC,
    check_length,
    mismatch,
    size_text,
    too_long,
    undecodable,
)

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
DISPLAY_NAME_LIMIT = 120


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
            size=size_text(len(data)),
            limit=size_text(max_bytes),
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
        text = docx_text(data, max_chars)
        kind, encoding = "docx", None
    elif extension == ".pdf":
        text = pdf_text(data, max_chars, max_pages)
        kind, encoding = "pdf", None
    else:
        text, encoding = _txt_text(data, max_chars)
        kind = "txt"
    check_length(text, max_chars)
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


# --- .txt ---------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGICS = (b"PK\x03\x04", b"%PDF-", OLE_MAGIC, b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")


def _txt_text(data: bytes, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, str]:
    """UTF-8 (BOM or not), UTF-16/32 with BOM, else GB18030, else a detected encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return check_length(data.decode(encoding), max_chars), encoding
            except UnicodeDecodeError:
                raise undecodable() from None
    if data.startswith(_BINARY_MAGICS) or b"\x00" in data:
        raise mismatch(".txt")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _checked_text(check_length(text, max_chars)), encoding
    if len(data) > 4 * (max_chars + 1):  # no encoding takes more than 4 bytes a character
        raise too_long(max_chars)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise undecodable()
    return _checked_text(check_length(str(best), max_chars)), best.encoding


def _checked_text(text: str) -> str:
    """Refuse binary data that happened to decode (more than 1% control characters)."""
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v\x1a")
    if controls > len(text) / 100:
        raise mismatch(".txt")
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

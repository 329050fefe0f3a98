"""Limits on uploaded files and the refusals the readers of uploads share (pure: no Flask or SQLAlchemy)."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader

from core import archives
from core.errors import UserError
from core.i18n_markers import N_

MAX_ZIP_ENTRIES = 1000
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Below this size an entry cannot hurt, and very repetitive small XML (empty
# table cells) can legitimately compress more than 200:1.
RATIO_CHECK_FROM = 1024 * 1024
# Far above any genre's length limit and far below what would take the
# server's memory or fill a page; the app passes its configured values.
MAX_TEXT_CHARS = 200_000
MAX_PDF_PAGES = 300

WORD_PASSWORD = N_("The Word file is password-protected. Please remove the password and upload it again.")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
            raise UserError(WORD_PASSWORD)
        if entry.file_size >= RATIO_CHECK_FROM and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise UserError(N_("The document is compressed in a suspicious way and cannot be accepted."))
    if total > MAX_ZIP_UNCOMPRESSED:
        raise UserError(
            N_("The document expands to more than %(limit)s and cannot be accepted."),
            limit=size_text(MAX_ZIP_UNCOMPRESSED),
        )
    archives.check_real_sizes(archive)


def size_text(size: int) -> str:
    """1536 -> "1.5 KB"; 5 * 2**20 -> "5 MB" (units read the same in Chinese)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + " " + unit
    return f"{size} B"


def mismatch(extension: str) -> UserError:
    return UserError(
        N_("The file's content does not match its extension %(extension)s. Please check the file."),
        extension=extension,
    )


def corrupt(extension: str) -> UserError:
    return UserError(
        N_("The %(extension)s file is damaged and cannot be read. Please save it again and re-upload."),
        extension=extension,
    )


def check_length(text: str, max_chars: int) -> str:
    if len(text) > max_chars + 1 and len(text.strip()) > max_chars:
        raise too_long(max_chars)
    return text


def too_long(max_chars: int) -> UserError:
    return UserError(
        N_(
            "The text of the file is longer than %(limit)s characters, far more than an entry may have. "
            "Please check that this is the right file."
        ),
        limit=f"{max_chars:,}",
    )


def too_many_pages(max_pages: int) -> UserError:
    return UserError(
        N_(
            "The PDF has more than %(limit)s pages, far more than an entry may have. "
            "Please check that this is the right file."
        ),
        limit=max_pages,
    )


def undecodable() -> UserError:
    return UserError(N_("The text file's encoding could not be recognised. Please save it as UTF-8."))


def check_pdf_readable(data: bytes, unreadable: UserError) -> None:
    """A PDF that opens, has a page and is not locked by a password; else ``unreadable``."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError(N_("The PDF is protected by a password."))
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except UserError:
        raise
    except Exception as exc:  # truncated, corrupt or hostile PDF data
        raise unreadable from exc

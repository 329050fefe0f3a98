"""The text of a .pdf upload, page by page, within page and object limits (pure: no Flask or SQLAlchemy)."""

from __future__ import annotations

import io
import re
import zipfile

from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError

from core.errors import UserError
from core.i18n_markers import N_
from essays.file_limits import (
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    corrupt,
    mismatch,
    too_long,
    too_many_pages,
)

# A text PDF has a few objects a page (content, fonts, images): a file
# declaring far more than this is refused before its tables are read.
MAX_PDF_OBJECTS_PER_PAGE = 200


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
        raise corrupt(".pdf") from None
    return PdfReader(io.BytesIO(out.getvalue()), strict=False)


def pdf_text(data: bytes, max_chars: int = MAX_TEXT_CHARS, max_pages: int = MAX_PDF_PAGES) -> str:
    if b"%PDF-" not in data[:1024]:  # readers accept the header within 1 KB
        raise mismatch(".pdf")
    if _declared_objects(data) > MAX_PDF_OBJECTS_PER_PAGE * max_pages:
        # Reading the cross-reference table of 100,000 pages alone takes seconds.
        raise too_many_pages(max_pages)
    try:
        reader = open_pdf(data)
        declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if int(declared) > max_pages:  # before the page tree is walked
            raise too_many_pages(max_pages)
        if len(reader.pages) > max_pages:
            raise too_many_pages(max_pages)
        pages, total = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            total += len(pages[-1]) + 1
            if total > max_chars + 1:
                raise too_long(max_chars)
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
        raise corrupt(".pdf") from None
    if not pages:
        raise corrupt(".pdf")
    text = "\n".join(pages)
    if not text.strip():
        raise UserError(
            N_(
                "No text could be read from the PDF; it is probably a scanned image. "
                "Please upload the .docx file or a PDF exported from a word processor."
            )
        )
    return text

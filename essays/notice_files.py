"""Files attached to a call: the notice as .docx/.pdf and the entry form template (推荐表).

A file is accepted for what its bytes are, not for its name: a PDF by its header
and because pypdf reads its pages, a Word document or a workbook by the parts
of its ZIP (after the ZIP-bomb checks of ``core.archives``). The name's
extension must agree with the content. Files go through ``core.storage``, so
a rolled-back request leaves none behind; each addition and removal is audited.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

from core import archives, audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.storage import store_bytes
from essays.file_limits import check_pdf_readable, check_zip_limits, corrupt, mismatch, size_text
from essays.models import Competition, NoticeFile, NoticeFileKind

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10

PDF, DOCX, XLSX = ".pdf", ".docx", ".xlsx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ALLOWED = {NoticeFileKind.NOTICE: (DOCX, PDF), NoticeFileKind.TEMPLATE: (DOCX, XLSX, PDF)}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def clean_name(filename: str) -> str:
    """The file's own name without folders or control characters, at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 199 - len(ext)] + dot + ext if dot and len(ext) <= 8 else name[:200]
    return name


def extension_of(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return "." + ext.lower() if dot else ""


def _zip_kind(data: bytes) -> str | None:
    archives.check_central_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    with archive:
        check_zip_limits(archive)
        names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def content_kind(data: bytes) -> str | None:
    """What the bytes are (``.pdf``, ``.docx``, ``.xlsx``), or None."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        check_pdf_readable(data, corrupt(PDF))
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def check_file(kind: NoticeFileKind, name: str, data: bytes) -> str:
    """The file's extension once its name, size and content agree; else a UserError."""
    if not data:
        raise UserError(N_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise UserError(N_("The file is larger than %(limit)s."), limit=size_text(MAX_BYTES))
    extension = extension_of(name)
    if extension not in ALLOWED[kind]:
        if kind == NoticeFileKind.NOTICE:
            raise UserError(N_("The notice must be a Word document (.docx) or a PDF."))
        raise UserError(N_("The template must be a Word document (.docx), a workbook (.xlsx) or a PDF."))
    if data.startswith(OLE_MAGIC):
        raise UserError(N_("This is an older Office file (.doc/.xls). Please save it as .docx or .xlsx."))
    if content_kind(data) != extension:
        raise mismatch(extension)
    return extension


def add_notice_file(competition: Competition, kind: NoticeFileKind | str, filename: str, data: bytes, actor):
    """Attach a checked file to the call; it shows on the public call page."""
    try:
        kind = NoticeFileKind(kind)
    except ValueError:
        raise UserError(N_("Choose what the file is.")) from None
    if len(competition.notice_files) >= MAX_FILES:
        raise UserError(N_("A call can have at most %(count)s files."), count=MAX_FILES)
    name = clean_name(filename)
    extension = check_file(kind, name, data)
    stored = store_bytes(
        data, content_type=CONTENT_TYPES[extension], original_name=name, suffix=extension, created_by=actor
    )
    record = NoticeFile(kind=kind, stored_file=stored, filename=name)
    competition.notice_files.append(record)
    db.session.flush()
    audit.record("competition.file_add", competition, actor=actor, changes={"kind": kind, "original_name": name})
    return record


def remove_notice_file(record: NoticeFile, actor) -> None:
    """Take a file off the call; `flask storage-gc` removes the bytes no record names."""
    competition = record.competition
    audit.record(
        "competition.file_remove",
        competition,
        actor=actor,
        changes={"kind": record.kind, "original_name": record.filename},
    )
    stored = record.stored_file
    competition.notice_files.remove(record)
    db.session.delete(record)
    db.session.flush()  # the file row first: it refers to the stored file's record
    db.session.delete(stored)
    db.session.flush()

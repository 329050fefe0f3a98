"""The dossier's photo and supporting files: checked by content, images re-encoded.

A file is accepted for what it is, not for its name or declared type: JPEG and
PNG by their magic bytes and because Pillow decodes them, PDF by its header and
because pypdf reads its pages. Images are decoded and saved again, which drops
EXIF (GPS position, camera, time) and anything appended after the image data.
Files go through ``core.storage``, so a rolled-back request leaves none behind.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.storage import store_bytes
from essays.file_limits import check_pdf_readable
from nominations.dossiers import ensure_editable
from nominations.models import FileKind, Nomination, NominationFile

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_PIXELS = 40_000_000

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
SUFFIX = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}


def sniff(data: bytes) -> str | None:
    """The type the bytes say they are (JPEG, PNG or PDF), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return PDF
    return None


def clean_image(data: bytes, content_type: str) -> bytes:
    """Decode and re-encode an image (orientation applied, metadata dropped)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise UserError(N_("The image is too large (more than 40 million pixels)."))
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if content_type == JPEG:
                    image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
                else:
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        image = image.convert("RGBA")
                    image.save(out, "PNG", optimize=True)
                return out.getvalue()
    except UserError:
        raise
    except Exception as exc:  # truncated, corrupt or hostile image data
        raise UserError(N_("The file is not a readable image.")) from exc


def accepted_bytes(kind: FileKind, data: bytes) -> tuple[bytes, str]:
    """The bytes to store and their type, or a UserError naming what is wrong."""
    limit = MAX_PHOTO_BYTES if kind == FileKind.PHOTO else MAX_ATTACHMENT_BYTES
    if not data:
        raise UserError(N_("The file is empty."))
    if len(data) > limit:
        raise UserError(N_("The file is larger than %(mb)s MB."), mb=limit // (1024 * 1024))
    content_type = sniff(data)
    allowed = (JPEG, PNG) if kind == FileKind.PHOTO else (JPEG, PNG, PDF)
    if content_type not in allowed:
        if kind == FileKind.PHOTO:
            raise UserError(N_("The photo must be a JPEG or PNG image."))
        raise UserError(N_("Supporting files must be PDF, JPEG or PNG."))
    if content_type == PDF:
        check_pdf_readable(data, UserError(N_("The file is not a readable PDF.")))
        return data, content_type
    return clean_image(data, content_type), content_type


def add_file(nomination: Nomination, kind: str, filename: str, data: bytes, actor) -> NominationFile:
    """Attach a photo (replacing the previous one) or a supporting file."""
    ensure_editable(nomination)
    kind = FileKind(kind)
    if kind == FileKind.ATTACHMENT and sum(f.kind == FileKind.ATTACHMENT for f in nomination.files) >= MAX_ATTACHMENTS:
        raise UserError(N_("At most %(count)s supporting files."), count=MAX_ATTACHMENTS)
    clean, content_type = accepted_bytes(kind, data)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "file" + SUFFIX[content_type]
    if kind == FileKind.PHOTO:
        for old in [f for f in nomination.files if f.kind == FileKind.PHOTO]:
            _drop(nomination, old)
    stored = store_bytes(
        clean, content_type=content_type, original_name=name, suffix=SUFFIX[content_type], created_by=actor
    )
    record = NominationFile(kind=kind, stored_file=stored, filename=name)
    nomination.files.append(record)
    db.session.flush()
    audit.record("nomination.file_add", nomination, actor=actor, changes={"kind": kind, "original_name": name})
    return record


def _drop(nomination: Nomination, record: NominationFile) -> None:
    # The stored file's record goes too; `flask storage-gc` removes the bytes no record names.
    stored = record.stored_file
    nomination.files.remove(record)
    db.session.delete(record)
    db.session.flush()  # the file row first: it refers to the stored file's record
    db.session.delete(stored)


def remove_file(record: NominationFile, actor) -> None:
    nomination = record.nomination
    ensure_editable(nomination)
    audit.record(
        "nomination.file_remove",
        nomination,
        actor=actor,
        changes={"kind": record.kind, "original_name": record.filename},
    )
    _drop(nomination, record)
    db.session.flush()

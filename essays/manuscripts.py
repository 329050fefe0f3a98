"""From a typed text or an uploaded file to the stored original and judge copy.

Validation and extraction run before any row or file is written; files are
written with ``core.storage.store_bytes`` so a rolled-back submission leaves
no file behind.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import UserError
from core.i18n_markers import N_
from essays import anonymise, extract

MAX_TEXT_CHARS = 200_000  # far above any genre limit; keeps a pasted book out

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
}


@dataclass
class Manuscript:
    text: str
    format: str  # "text" (typed), "docx", "pdf" or "txt"
    filename: str = ""  # safe display name of the upload
    data: bytes = b""
    scrubbed: bytes | None = None  # metadata-free copy of a .docx/.pdf for judges


def _text_caps() -> dict:
    """The configured caps on a manuscript's characters and a PDF's pages."""
    from flask import current_app, has_app_context

    config = current_app.config if has_app_context() else {}
    return {"max_chars": int(config.get("MAX_TEXT_CHARS") or MAX_TEXT_CHARS),
            "max_pages": int(config.get("MAX_PDF_PAGES") or extract.MAX_PDF_PAGES)}


def _clean_typed(text: str) -> str:
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def prepare(competition, *, body_text: str | None = None, upload=None) -> Manuscript:
    """Check the format and size allowed by the competition and extract the text."""
    formats = set(competition.accepted_formats or [])
    if upload is not None and upload.data:
        name = extract.safe_display_name(upload.filename)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext in ("docx", "pdf", "txt") and ext not in formats:
            raise UserError(N_("This competition does not accept %(format)s files."), format="." + ext)
        extracted = extract.extract_text(upload.filename, upload.data, competition.max_file_mb * 1024 * 1024,
                                         **_text_caps())
        # The metadata-free copy of a .docx/.pdf is made after the receipt, in
        # a background job (``scrubbed_copy``): at the deadline it is the
        # costliest step of a submission. Until then judges' copy is the text.
        return Manuscript(text=extracted.text, format=extracted.kind, filename=name, data=upload.data)
    if upload is not None and upload.filename and not upload.data:
        raise UserError(N_("The file is empty."))
    text = _clean_typed(body_text or "")
    if not text:
        raise UserError(N_("Please type the text of your entry or upload a file."))
    if "text" not in formats:
        raise UserError(N_("This competition only accepts uploaded files."))
    if len(text) > _text_caps()["max_chars"]:
        raise UserError(N_("The text is too long."))
    return Manuscript(text=text, format="text")


def scrubbed_copy(source_format: str, data: bytes) -> bytes | None:
    """The judges' copy of an uploaded .docx/.pdf without metadata, comments,
    revision authors, headers or footers; None if the file cannot be rewritten."""
    scrub = {"docx": anonymise.scrub_docx, "pdf": anonymise.scrub_pdf}.get(source_format)
    if scrub is None:
        return None
    try:
        return scrub(data)
    except Exception:  # readable but not rewritable: judges keep the text copy
        return None


def store_original(manuscript: Manuscript, actor):
    from core.storage import store_bytes

    return store_bytes(manuscript.data, content_type=CONTENT_TYPES[manuscript.format],
                       original_name=manuscript.filename, suffix="." + manuscript.format, created_by=actor)


def store_judge_copy(entry, manuscript: Manuscript | None, actor, force_text: bool = False):
    """The file judges may download, under a generated name and with no metadata."""
    return store_judge_copy_of(entry.judge_title, entry.judge_text, entry.identity_spans, manuscript, actor,
                               force_text=force_text)


def store_judge_copy_of(judge_title: str, judge_text: str, identity_spans: list[dict] | None,
                        manuscript: Manuscript | None, actor, force_text: bool = False):
    """The judge copy from the redacted title and text (no entry row needed yet).

    The body of a .docx/.pdf is not rewritten by the scrubbers, so when the
    text itself carries identity the judge copy is the redacted text instead.
    """
    from core.storage import store_bytes

    has_identity = any(s.get("redacted") for s in identity_spans or [])
    if not force_text and not has_identity and manuscript is not None and manuscript.scrubbed is not None:
        return store_bytes(manuscript.scrubbed, content_type=CONTENT_TYPES[manuscript.format],
                           suffix="." + manuscript.format, created_by=actor)
    text = (judge_title + "\n\n" + judge_text).encode("utf-8")
    return store_bytes(text, content_type=CONTENT_TYPES["txt"], suffix=".txt", created_by=actor)

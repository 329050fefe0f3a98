"""From a typed text or an uploaded file to the stored original and judge copy.

Validation and extraction run before any row or file is written; files are
written with ``core.storage.store_bytes`` so a rolled-back submission leaves
no file behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import UserError
from core.i18n_markers import N_
from core.storage import store_bytes
from essays import extract, judge_copy

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
    encoding: str | None = None  # a .txt upload's encoding, kept as its charset


def _text_caps() -> dict:
    """The configured caps on a manuscript's characters and a PDF's pages."""
    from flask import current_app, has_app_context

    config = current_app.config if has_app_context() else {}
    return {
        "max_chars": int(config.get("MAX_TEXT_CHARS") or MAX_TEXT_CHARS),
        "max_pages": int(config.get("MAX_PDF_PAGES") or extract.MAX_PDF_PAGES),
    }


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
        extracted = extract.extract_text(
            upload.filename, upload.data, competition.max_file_mb * 1024 * 1024, **_text_caps()
        )
        # The judges' .docx/.pdf is built after the receipt, in a background
        # job (``judge_copy_for``): at the deadline it is the costliest step
        # of a submission. Until then judges' copy is the text.
        return Manuscript(
            text=extracted.text, format=extracted.kind, filename=name, data=upload.data, encoding=extracted.encoding
        )
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


def judge_copy_for(source_format: str, data: bytes, needles) -> judge_copy.JudgeCopy:
    """The judges' .docx/.pdf built by allow-list from the upload (see ``essays.judge_copy``).

    Its ``data`` is None when the copy would carry identity (listed in
    ``found``) or cannot be built; judges then keep the redacted text.
    """
    return judge_copy.build(source_format, data, needles)


def store_original(manuscript: Manuscript, actor):
    content_type = CONTENT_TYPES[manuscript.format]
    if manuscript.format == "txt" and manuscript.encoding:
        # The original's bytes as uploaded: name the charset they are in (GB18030
        # is common), not the UTF-8 of the extracted text.
        charset = {"utf-8-sig": "utf-8"}.get(manuscript.encoding, manuscript.encoding)
        content_type = f"text/plain; charset={charset}"
    return store_bytes(
        manuscript.data,
        content_type=content_type,
        original_name=manuscript.filename,
        suffix="." + manuscript.format,
        created_by=actor,
    )


def store_judge_copy(entry, manuscript: Manuscript | None, actor, force_text: bool = False):
    """The file judges may download, under a generated name and with no metadata."""
    return store_judge_copy_of(
        entry.judge_title, entry.judge_text, entry.identity_spans, manuscript, actor, force_text=force_text
    )


def store_judge_copy_of(
    judge_title: str,
    judge_text: str,
    identity_spans: list[dict] | None,
    manuscript: Manuscript | None,
    actor,
    force_text: bool = False,
):
    """The judge copy from the redacted title and text (no entry row needed yet).

    A .docx/.pdf copy replaces it later, by ``essays.judge_copies.upgrade_judge_copy``,
    only when the allow-list copy carries no identity.
    """
    text = (judge_title + "\n\n" + judge_text).encode("utf-8")
    return store_bytes(text, content_type=CONTENT_TYPES["txt"], suffix=".txt", created_by=actor)

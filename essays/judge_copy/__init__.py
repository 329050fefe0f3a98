"""The file judges download, built by allow-list from an uploaded .docx or .pdf.

Nothing of the upload reaches the judge copy unless this module copies it on
purpose; whatever else the file carries (an author's bio in a note, a
header, a property, a script) is simply not there. Every text the copy keeps
is run through ``anonymise.find_identity``; when identity is found, or when
the copy cannot be built or checked, there is no file copy and judges keep
the redacted text (see ``essays.judge_copies.upgrade_judge_copy``).

* ``.docx``: a new package from python-docx's blank document holding the
  main story only: paragraphs (text, bold, italic, underline, alignment,
  headings), tables, the paragraphs of text boxes, pictures re-encoded by
  Pillow (pixels only: no Exif, XMP, comments, ICC profile), equations'
  text, and footnotes and endnotes as numbered notes at the end (theory
  articles cite in them). Not copied: headers, footers, comments, deleted
  text, field codes, link targets, alt text, embedded objects, charts,
  vector pictures, properties, custom XML, the glossary, the author's
  styles and settings. Core and app properties are blank.
* ``.pdf``: a new PDF with each page's content streams and resources;
  annotations only links to http(s) web pages, rebuilt from their URI and
  rectangle. Not copied: /Info, XMP, outlines, named destinations, page
  labels, forms, attachments, scripts, open and page actions, other
  annotations, structure and private application data. A PDF's page text
  cannot be redacted in place, so identity in it means the text copy.

Pure package: no Flask or SQLAlchemy. ``word`` builds the .docx, ``pdf`` the
.pdf; both report through ``JudgeCopy``.
"""

from __future__ import annotations

from collections.abc import Iterable

from essays.judge_copy.pdf import build_pdf
from essays.judge_copy.result import JudgeCopy
from essays.judge_copy.word import build_docx


def build(source_format: str, data: bytes, needles: Iterable[str]) -> JudgeCopy:
    builder = {"docx": build_docx, "pdf": build_pdf}.get(source_format)
    if builder is None:
        return JudgeCopy(None)
    try:
        return builder(data, list(needles))
    except Exception:  # noqa: BLE001 - unreadable for the builder: judges keep the text
        return JudgeCopy(None)

"""The text of a .docx upload: its main document part, read as a stream (pure: no Flask or SQLAlchemy)."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from core import archives
from core.errors import UserError
from core.i18n_markers import N_
from essays.file_limits import (
    MAX_TEXT_CHARS,
    OLE_MAGIC,
    WORD_PASSWORD,
    check_zip_limits,
    corrupt,
    mismatch,
    too_long,
)
from essays.ooxml import main_document_name

# XML of one top-level block (a paragraph, a table) of the Word body held in
# memory at once while it is read: a long table of a whole essay is a few MB.
MAX_BLOCK_BYTES = 16 * 1024 * 1024
INFLATE_CHUNK = 64 * 1024  # bytes read from a member at a time

_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def docx_text(data: bytes, max_chars: int = MAX_TEXT_CHARS) -> str:
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise UserError(WORD_PASSWORD)
        raise UserError(
            N_(
                "This is an old-format Word file (.doc) renamed to .docx. Please open it "
                "in Word or WPS, save it as .docx and upload it again."
            )
        )
    if not data.startswith(b"PK\x03\x04"):
        raise mismatch(".docx")
    archives.check_central_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise corrupt(".docx") from None
    with archive:
        check_zip_limits(archive)
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise mismatch(".docx")
        try:
            content_types = archive.read("[Content_Types].xml")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise corrupt(".docx") from None
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
            with archive.open(main_document_name(archive, names)) as part:
                return "\n".join(_body_texts(part, max_chars))
        except UserError:
            raise
        except Exception:  # lxml and zipfile raise many kinds
            raise corrupt(".docx") from None


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
                    raise too_long(max_chars)
                continue
            parent = element.getparent()
            if parent is None or parent.tag != _BODY_TAG:
                continue  # a paragraph inside a table: read with its table
            block = _block_texts([element])
            total += sum(len(line) + 1 for line in block)
            if total > max_chars + 1:
                raise too_long(max_chars)
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

"""The judges' .docx: a new package with the main story only (see the package docstring)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from essays.file_limits import check_zip_limits
from essays.judge_copy.result import JudgeCopy, identity_in
from essays.judge_copy.word_package import judges_package, package_texts
from essays.ooxml import main_document_name, parse, write_zip

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_V = "{urn:schemas-microsoft-com:vml}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"

# Elements whose content is never read: deleted text, alternative renderings,
# properties, field codes, embedded objects.
_SKIPPED = {
    f"{_W}del",
    f"{_W}moveFrom",
    f"{_MC}Fallback",
    f"{_W}pPr",
    f"{_W}rPr",
    f"{_W}instrText",
    f"{_W}delText",
    f"{_W}delInstrText",
    f"{_W}fldData",
    f"{_W}object",
    f"{_W}sectPr",
    f"{_W}commentReference",
    f"{_W}annotationRef",
    f"{_W}footnoteRef",
    f"{_W}endnoteRef",
}
_CONTAINERS = {
    f"{_W}sdt",
    f"{_W}sdtContent",
    f"{_W}customXml",
    f"{_W}ins",
    f"{_W}moveTo",
    f"{_MC}AlternateContent",
    f"{_MC}Choice",
}
_ALIGNMENTS = {
    "center": "CENTER",
    "right": "RIGHT",
    "end": "RIGHT",
    "both": "JUSTIFY",
    "distribute": "JUSTIFY",
    "left": "LEFT",
    "start": "LEFT",
}
_OFF = {"0", "false", "off", "none"}
_HEADING = re.compile(r"^heading ([1-9])$")
_IMAGE_FORMATS = {"PNG", "JPEG", "MPO", "GIF", "BMP", "TIFF", "WEBP"}
_MAX_IMAGE_PIXELS = 40_000_000
_MAX_ELEMENTS = 2_000_000  # far above any essay; bounds the work on a crafted file


@dataclass
class _Run:
    text: str = ""
    bold: bool = False
    italic: bool = False
    underline: bool = False
    superscript: bool = False
    image: bytes | None = None
    width: int | None = None  # EMU


@dataclass
class _Paragraph:
    runs: list[_Run] = field(default_factory=list)
    heading: int | None = None  # 0 = title
    alignment: str | None = None


@dataclass
class _Table:
    rows: list[list[list]] = field(default_factory=list)  # rows → cells → blocks


class _Source:
    """The parts of the uploaded package the builder reads, and nothing else."""

    def __init__(self, data: bytes):
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        check_zip_limits(self.archive)
        self.names = {i.filename for i in self.archive.infolist() if not i.is_dir()}
        self.main = main_document_name(self.archive, self.names)
        self.document = parse(self.read(self.main))
        self.rels = self._relationships(self.main)
        self.styles = self._style_names()
        self.notes = {kind: self._notes(kind) for kind in ("footnotes", "endnotes")}

    def read(self, name: str) -> bytes:
        return self.archive.read(name)

    def _relationships(self, part: str) -> dict[str, tuple[str, str, bool]]:
        """rId → (type, resolved target, external)."""
        directory, base = posixpath.split(part)
        rels_name = posixpath.join(directory, "_rels", base + ".rels")
        if rels_name not in self.names:
            return {}
        out = {}
        for rel in parse(self.read(rels_name)).iter(_PKG_REL):
            external = rel.get("TargetMode") == "External"
            target = rel.get("Target", "")
            if not external:
                target = posixpath.normpath(
                    posixpath.join(directory, target) if not target.startswith("/") else target.lstrip("/")
                )
            out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target, external)
        return out

    def _part_of_type(self, kind: str) -> str | None:
        for rel_type, target, external in self.rels.values():
            if rel_type == kind and not external and target in self.names:
                return target
        return None

    def _style_names(self) -> dict[str, str]:
        part = self._part_of_type("styles")
        if part is None:
            return {}
        return {
            style.get(f"{_W}styleId", ""): (
                style.find(f"{_W}name").get(f"{_W}val", "") if style.find(f"{_W}name") is not None else ""
            ).lower()
            for style in parse(self.read(part)).iter(f"{_W}style")
        }

    def _notes(self, kind: str) -> dict[str, tuple[etree._Element, dict]]:
        part = self._part_of_type(kind)
        if part is None:
            return {}
        rels = self._relationships(part)
        tag = f"{_W}{kind[:-1]}"  # footnote / endnote
        return {
            note.get(f"{_W}id", ""): (note, rels)
            for note in parse(self.read(part)).iter(tag)
            if note.get(f"{_W}type") in (None, "normal")
        }

    def image(self, rels: dict, rel_id: str) -> bytes | None:
        rel_type, target, external = rels.get(rel_id, ("", "", True))
        if rel_type != "image" or external or target not in self.names:
            return None
        return _clean_image(self.read(target))


class _Reader:
    """Walks the main story in reading order (changes accepted, as ``extract`` does)."""

    def __init__(self, source: _Source):
        self.source = source
        self.notes: list[list] = []  # blocks of each referenced note, in order of reference
        self.count = 0
        self._open_notes: set[tuple[str, str]] = set()  # a note that refers to itself is read once

    def blocks(self, container: etree._Element, rels: dict) -> list:
        out: list = []
        for child in container:
            self._tick()
            if child.tag == f"{_W}p":
                out += self.paragraph(child, rels)
            elif child.tag == f"{_W}tbl":
                out.append(self.table(child, rels))
            elif child.tag in _CONTAINERS:
                out += self.blocks(child, rels)
        return out

    def _tick(self) -> None:
        self.count += 1
        if self.count > _MAX_ELEMENTS:
            raise ValueError("too many elements")

    def table(self, table: etree._Element, rels: dict) -> _Table:
        out = _Table()
        for row in _children(table, f"{_W}tr"):
            properties = row.find(f"{_W}trPr")
            if properties is not None and properties.find(f"{_W}del") is not None:
                continue  # a deleted row
            out.rows.append([self.blocks(cell, rels) for cell in _children(row, f"{_W}tc")])
        return out

    def paragraph(self, element: etree._Element, rels: dict) -> list:
        paragraph = _Paragraph()
        properties = element.find(f"{_W}pPr")
        if properties is not None:
            style = properties.find(f"{_W}pStyle")
            name = self.source.styles.get(style.get(f"{_W}val", ""), "") if style is not None else ""
            heading = _HEADING.match(name)
            paragraph.heading = int(heading.group(1)) if heading else (0 if name == "title" else None)
            jc = properties.find(f"{_W}jc")
            paragraph.alignment = _ALIGNMENTS.get(jc.get(f"{_W}val", "")) if jc is not None else None
        boxes: list[etree._Element] = []
        self._inline(element, _Run(), paragraph, boxes, rels)
        out: list = [paragraph]
        for box in boxes:
            out += self.blocks(box, rels)
        return out

    def _inline(self, element, style: _Run, paragraph: _Paragraph, boxes: list, rels: dict) -> None:
        for child in element:
            self._tick()
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == f"{_W}txbxContent":
                boxes.append(child)
            elif tag == f"{_W}r":
                self._inline(child, _run_style(child), paragraph, boxes, rels)
            elif tag in (f"{_W}t", f"{_M}t"):
                _add_text(paragraph, style, child.text or "")
            elif tag == f"{_W}tab":
                _add_text(paragraph, style, "\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                _add_text(paragraph, style, "\n")
            elif tag == f"{_W}noBreakHyphen":
                _add_text(paragraph, style, "-")
            elif tag in (f"{_W}footnoteReference", f"{_W}endnoteReference"):
                self._note(tag, child.get(f"{_W}id", ""), paragraph)
            elif tag in (f"{_A}blip", f"{_V}imagedata"):
                blob = self.source.image(rels, child.get(f"{_R}embed") or child.get(f"{_R}id") or "")
                if blob is not None:
                    paragraph.runs.append(_Run(image=blob, width=_extent(child)))
            else:
                self._inline(child, style, paragraph, boxes, rels)

    def _note(self, tag: str, note_id: str, paragraph: _Paragraph) -> None:
        kind = "footnotes" if tag == f"{_W}footnoteReference" else "endnotes"
        note = self.source.notes[kind].get(note_id)
        if note is None or (kind, note_id) in self._open_notes:
            return
        self._open_notes.add((kind, note_id))
        element, rels = note
        blocks = self.blocks(element, rels)
        self._open_notes.discard((kind, note_id))
        self.notes.append(blocks)
        paragraph.runs.append(_Run(text=f"[{len(self.notes)}]", superscript=True))


def _children(element: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children with ``tag``, also through content controls and custom XML wrappers."""
    out = []
    for child in element:
        if child.tag == tag:
            out.append(child)
        elif child.tag in _CONTAINERS:
            out += _children(child, tag)
    return out


def _run_style(run: etree._Element) -> _Run:
    properties = run.find(f"{_W}rPr")
    style = _Run()
    if properties is None:
        return style

    def on(name: str) -> bool:
        element = properties.find(f"{_W}{name}")
        return element is not None and element.get(f"{_W}val", "true").lower() not in _OFF

    style.bold, style.italic, style.underline = on("b"), on("i"), on("u")
    vertical = properties.find(f"{_W}vertAlign")
    style.superscript = vertical is not None and vertical.get(f"{_W}val") == "superscript"
    return style


def _add_text(paragraph: _Paragraph, style: _Run, text: str) -> None:
    last = paragraph.runs[-1] if paragraph.runs else None
    if (
        last is not None
        and last.image is None
        and (last.bold, last.italic, last.underline, last.superscript)
        == (style.bold, style.italic, style.underline, style.superscript)
    ):
        last.text += text
    else:
        paragraph.runs.append(
            _Run(
                text=text,
                bold=style.bold,
                italic=style.italic,
                underline=style.underline,
                superscript=style.superscript,
            )
        )


def _extent(element: etree._Element) -> int | None:
    for ancestor in element.iterancestors(f"{_WP}inline", f"{_WP}anchor"):
        extent = ancestor.find(f"{_WP}extent")
        if extent is not None and extent.get("cx", "").isdigit():
            return int(extent.get("cx"))
    return None


def _clean_image(blob: bytes) -> bytes | None:
    """The picture's pixels only, as PNG or JPEG; None for anything Pillow cannot read
    (vector pictures can hold text that no detection reads)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blob)) as image:
            if image.format not in _IMAGE_FORMATS or image.width * image.height > _MAX_IMAGE_PIXELS:
                return None
            jpeg = image.format in ("JPEG", "MPO")
            image.load()
            keep = {"transparency": image.info["transparency"]} if "transparency" in image.info and not jpeg else {}
            if jpeg:
                clean = image.convert("RGB") if image.mode not in ("RGB", "L") else image.copy()
            else:
                plain = image.mode in ("1", "L", "LA", "P", "RGB", "RGBA")
                clean = image.copy() if plain else image.convert("RGBA")
            clean.info = keep  # Pillow writes comments and ICC profiles it finds here
            out = io.BytesIO()
            clean.save(out, "JPEG", quality=90) if jpeg else clean.save(out, "PNG")
            return out.getvalue()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for bad data
        return None


def build_docx(data: bytes, needles: list[str]) -> JudgeCopy:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Emu

    source = _Source(data)
    body = source.document.find(f"{_W}body")
    if body is None:
        return JudgeCopy(None)
    reader = _Reader(source)
    blocks = reader.blocks(body, source.rels)
    document = docx.Document()
    fonts = document.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(f"{_W}eastAsia", "宋体")  # Chinese text in the usual serif whatever the reader's settings
    section = document.sections[0]
    _page_setup(section, body.find(f"{_W}sectPr"))
    usable = int(section.page_width - section.left_margin - section.right_margin)

    styles: dict[int, object] = {}

    def write_paragraph(paragraph: _Paragraph, target, first=None):
        out = first if first is not None else target.add_paragraph()
        if paragraph.heading is not None:
            if paragraph.heading not in styles:
                name = "Title" if paragraph.heading == 0 else f"Heading {paragraph.heading}"
                styles[paragraph.heading] = document.styles[name] if name in document.styles else None
            if styles[paragraph.heading] is not None:
                out.style = styles[paragraph.heading]
        if paragraph.alignment:
            out.alignment = getattr(WD_ALIGN_PARAGRAPH, paragraph.alignment)
        for item in paragraph.runs:
            if item.image is not None:
                width = min(item.width or usable, usable)
                try:
                    out.add_run().add_picture(io.BytesIO(item.image), width=Emu(width))
                except Exception:  # noqa: BLE001 - a picture python-docx cannot place is left out
                    pass
                continue
            _append_run(out._p, item)
        return out

    def write_blocks(items: list, target, reuse_first: bool = False):
        first = target.paragraphs[0] if reuse_first and target.paragraphs else None
        for item in items:
            if isinstance(item, _Paragraph):
                write_paragraph(item, target, first)
            else:
                write_table(item, target)
            first = None

    def write_table(table: _Table, target):
        if not table.rows:
            return
        columns = max(1, max(len(row) for row in table.rows))
        out = target.add_table(rows=len(table.rows), cols=columns)
        try:
            out.style = document.styles["Table Grid"]
        except KeyError:
            pass
        for row, cells in zip(out.rows, table.rows):
            for cell, content in zip(row.cells, cells):
                write_blocks(content, cell, reuse_first=True)

    write_blocks(blocks, document)
    if reader.notes:
        document.add_paragraph("—" * 6)
        for number, note in enumerate(reader.notes, start=1):
            marker = document.add_paragraph()
            marker.add_run(f"[{number}]")
            write_blocks(note, document)
    out = io.BytesIO()
    document.save(out)
    package = judges_package(out.getvalue())
    found = identity_in(package_texts(package), needles)
    if found:
        return JudgeCopy(None, found)
    return JudgeCopy(write_zip(package))


def _append_run(paragraph: etree._Element, item: _Run) -> None:
    """A text run written as XML (python-docx's run API costs a millisecond a run)."""
    run = etree.SubElement(paragraph, f"{_W}r")
    if item.bold or item.italic or item.underline or item.superscript:
        properties = etree.SubElement(run, f"{_W}rPr")
        if item.bold:
            etree.SubElement(properties, f"{_W}b")
        if item.italic:
            etree.SubElement(properties, f"{_W}i")
        if item.underline:
            etree.SubElement(properties, f"{_W}u", {f"{_W}val": "single"})
        if item.superscript:
            etree.SubElement(properties, f"{_W}vertAlign", {f"{_W}val": "superscript"})
    for piece in re.split(r"([\t\n])", item.text):
        if piece == "\t":
            etree.SubElement(run, f"{_W}tab")
        elif piece == "\n":
            etree.SubElement(run, f"{_W}br")
        elif piece:
            text = etree.SubElement(run, f"{_W}t")
            text.text = piece
            if piece != piece.strip():
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _page_setup(section, properties: etree._Element | None) -> None:
    """The author's page size and margins when sane, else A4 with Word's margins."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Twips

    def twips(element, name, low, high):
        value = element.get(f"{_W}{name}", "") if element is not None else ""
        return int(value) if value.isdigit() and low <= int(value) <= high else None

    size = properties.find(f"{_W}pgSz") if properties is not None else None
    margins = properties.find(f"{_W}pgMar") if properties is not None else None
    width, height = twips(size, "w", 2000, 40000), twips(size, "h", 2000, 40000)
    section.page_width, section.page_height = (Twips(width), Twips(height)) if width and height else (Mm(210), Mm(297))
    if width and height and width > height:
        section.orientation = WD_ORIENT.LANDSCAPE
    for side in ("top", "bottom", "left", "right"):
        value = twips(margins, side, 0, 8000)
        default = Mm(25.4 if side in ("top", "bottom") else 31.8)
        setattr(section, f"{side}_margin", Twips(value) if value is not None else default)
    section.header_distance = section.footer_distance = Mm(15)

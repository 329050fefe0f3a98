"""Strip author identity from manuscripts and text before judges see them.

Judges must not learn who wrote an entry. Identity hides in many places
besides the name field (see the module tests for the planted list):

* ``scrub_docx`` works on the ZIP and XML parts directly so no part is
  missed: document properties, custom properties, people, comments, tracked
  changes (accepted, so deleted text cannot be revealed), headers, footers,
  template paths, document variables, editing permissions, thumbnails, custom
  XML, image metadata, and ZIP timestamps.
* ``scrub_pdf`` removes the /Info dictionary, XMP metadata everywhere,
  annotations other than links, form fields, attachments and scripts.
* ``find_identity`` + ``redact`` deal with the body text, where authors often
  put their name, school and telephone as competition notices ask them to.
* ``new_anonymous_code`` gives entries codes unrelated to order or receipt.

The document body of a .docx or .pdf is not rewritten here: the judge copy
should be generated from the redacted text, or the body checked with
``find_identity`` first. The file judges download is not made by these
scrubbers (which remove what they know of) but built by allow-list in
``essays.judge_copy``.
"""

from __future__ import annotations

import io
import posixpath
import re
import secrets
import struct
import zipfile
from collections.abc import Iterable
from datetime import date

from lxml import etree
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from core.errors import UserError
from essays.extract import check_zip_limits, open_pdf
from essays.wordcount import is_han

# --- .docx -------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

# Parts removed with everything only they refer to, by relationship type
# (the part names are only conventions).
_REMOVED_REL_TYPES = {
    "header",
    "footer",
    "comments",
    "commentsExtended",
    "commentsIds",
    "commentsExtensible",
    "people",
    "custom-properties",
    "thumbnail",
    "customXml",
    "glossaryDocument",
    "attachedTemplate",
    "mailMergeSource",
    "mailMergeHeaderSource",
    "recipientData",
}
_REMOVED_PART_NAMES = re.compile(
    r"(?:word/(?:header|footer)\d*\.xml|word/comments\w*\.xml|word/people\.xml"
    r"|docProps/custom\.xml|docProps/thumbnail\.\w+|customXml/.*|word/glossary/.*)$",
    re.IGNORECASE,
)

_MINIMAL_CORE = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
    b'purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://'
    b'www.w3.org/2001/XMLSchema-instance"/>'
)
# Statistics and the application name say nothing about the author.
_APP_PROPERTIES_KEPT = {
    "Application",
    "AppVersion",
    "DocSecurity",
    "ScaleCrop",
    "LinksUpToDate",
    "SharedDoc",
    "HyperlinksChanged",
    "Pages",
    "Words",
    "Characters",
    "CharactersWithSpaces",
    "Lines",
    "Paragraphs",
}
# Attributes that name or date a person, in any namespace (w:, w15:, w16cex: ...).
_PERSON_ATTRIBUTES_BLANKED = {"author", "initials"}
_PERSON_ATTRIBUTES_REMOVED = {"date", "dateUtc", "userId", "providerId", "ed", "edGrp"}
_SETTINGS_REMOVED = {"attachedTemplate", "docVars", "mailMerge", "rsids"}
_MARKERS_REMOVED = {
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "tblPrExChange",
    "tblGridChange",
    "tcPrChange",
    "trPrChange",
    "numberingChange",
    "cellIns",
    "cellDel",
    "cellMerge",
    "moveFromRangeStart",
    "moveFromRangeEnd",
    "moveToRangeStart",
    "moveToRangeEnd",
    "customXmlInsRangeStart",
    "customXmlInsRangeEnd",
    "customXmlDelRangeStart",
    "customXmlDelRangeEnd",
    "customXmlMoveFromRangeStart",
    "customXmlMoveFromRangeEnd",
    "customXmlMoveToRangeStart",
    "customXmlMoveToRangeEnd",
    "commentRangeStart",
    "commentRangeEnd",
    "commentReference",
    "headerReference",
    "footerReference",
    "permStart",
    "permEnd",
}
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_NAME = re.compile(r"[\\/]|\.(?:jpe?g|png|gif|bmp|tiff?|webp|heic|emf|wmf|svg)$", re.IGNORECASE)
# Link targets that name a person: local paths (C:\\Users\\<name>\\...), mail, phone.
_PRIVATE_TARGET = re.compile(r"^\s*(?:file:|mailto:|tel:|[A-Za-z]:[\\/]|\\\\)", re.IGNORECASE)


def scrub_docx(data: bytes) -> bytes:
    """A copy of the .docx ``data`` without author identity outside the body.

    Input is expected to have passed ``essays.extract`` checks; the ZIP
    limits are enforced again here because this function reads every part.
    """
    return _write_zip(_scrub_package(_read_zip(data), word=True))


def _read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_zip_limits(archive)
        return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}


def _scrub_package(parts: dict[str, bytes], word: bool, depth: int = 0) -> dict[str, bytes]:
    """Scrub an OOXML package: the document, or a chart's embedded workbook."""
    removed = {name for name in parts if _REMOVED_PART_NAMES.match(name)}
    for name in [n for n in parts if n.endswith(".rels")]:
        parts[name], targets = _prune_relationships(name, parts[name])
        removed |= targets
    for name in removed:
        parts.pop(name, None)
    parts = _reachable_parts(parts)
    if "[Content_Types].xml" in parts:
        parts["[Content_Types].xml"] = _prune_content_types(parts["[Content_Types].xml"], parts)
    if "docProps/core.xml" in parts:
        parts["docProps/core.xml"] = _MINIMAL_CORE
    if "docProps/app.xml" in parts:
        parts["docProps/app.xml"] = _keep_app_statistics(parts["docProps/app.xml"])
    for name, content in parts.items():
        if word and name.startswith("word/") and name.endswith(".xml"):
            parts[name] = _scrub_word_part(name, content)
        elif "/media/" in name:
            parts[name] = strip_image_metadata(content)
        elif "/embeddings/" in name and content.startswith(b"PK\x03\x04"):
            parts[name] = _scrub_embedded_package(content, depth + 1)
    return parts


def _scrub_embedded_package(data: bytes, depth: int) -> bytes:
    """Embedded packages (a chart's workbook, an OLE .docx) have their own properties.

    Nesting deeper than one level is emptied rather than followed.
    """
    if depth > 1:
        return b""
    try:
        parts = _read_zip(data)
        word = "word/document.xml" in parts
        return _write_zip(_scrub_package(parts, word=word, depth=depth))
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, UserError):
        return b""


def _parse(content: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(content, parser)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _local(tag: object) -> str:
    # "{namespace}name" -> "name"; plain string work, since this runs for every
    # element and attribute (QName objects made it the slowest part of a scrub).
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _source_dir(rels_name: str) -> str:
    """'word/_rels/document.xml.rels' -> 'word'; '_rels/.rels' -> ''."""
    return posixpath.dirname(posixpath.dirname(rels_name))


def _resolve(source_dir: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(source_dir, target))


def _prune_relationships(name: str, content: bytes) -> tuple[bytes, set[str]]:
    """Drop relationships to identity-bearing parts; blank private link targets."""
    root = _parse(content)
    removed_targets = set()
    for rel in list(root):
        rel_type = rel.get("Type", "").rsplit("/", 1)[-1]
        external = rel.get("TargetMode") == "External"
        if rel_type in _REMOVED_REL_TYPES:
            root.remove(rel)
            if not external:
                removed_targets.add(_resolve(_source_dir(name), rel.get("Target", "")))
        elif external and _PRIVATE_TARGET.match(rel.get("Target", "")):
            rel.set("Target", "#")
    return _serialise(root), removed_targets


def _reachable_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Keep only parts reachable from the package relationships.

    Parts only a removed header referred to (a school logo, say) go too, and
    so does anything smuggled into the ZIP without a relationship.
    """
    kept = {"[Content_Types].xml"}
    pending = ["_rels/.rels"]
    while pending:
        rels_name = pending.pop()
        if rels_name in kept or rels_name not in parts:
            continue
        kept.add(rels_name)
        for rel in _parse(parts[rels_name]):
            if rel.get("TargetMode") == "External":
                continue
            target = _resolve(_source_dir(rels_name), rel.get("Target", ""))
            if target in parts and target not in kept:
                kept.add(target)
                directory, base = posixpath.split(target)
                pending.append(posixpath.join(directory, "_rels", base + ".rels"))
    return {name: content for name, content in parts.items() if name in kept}


def _prune_content_types(content: bytes, parts: dict[str, bytes]) -> bytes:
    root = _parse(content)
    for override in root.findall(f"{{{_CT}}}Override"):
        if override.get("PartName", "").lstrip("/") not in parts:
            root.remove(override)
    return _serialise(root)


def _keep_app_statistics(content: bytes) -> bytes:
    root = _parse(content)
    for child in list(root):
        if _local(child.tag) not in _APP_PROPERTIES_KEPT:
            root.remove(child)
    return _serialise(root)


# The styles parts of an ordinary .docx hold ten thousand elements or more, and
# a Python loop over every element and attribute made the scrub the slowest
# step of a submission. lxml finds tags by local name in C ("{*}name"), and the
# attribute loop runs only when the serialised part shows such an attribute:
# our serialiser writes UTF-8 with every attribute as ` name="` or ` p:name="`.
_MARKER_TAGS = tuple("{*}" + name for name in sorted(_MARKERS_REMOVED))
_SETTINGS_TAGS = tuple("{*}" + name for name in sorted(_SETTINGS_REMOVED))
_PERSON_ATTRIBUTE_BYTES = tuple(
    f'{before}{name}="'.encode()
    for name in sorted(_PERSON_ATTRIBUTES_BLANKED | _PERSON_ATTRIBUTES_REMOVED)
    for before in " :"
)


def _scrub_word_part(name: str, content: bytes) -> bytes:
    root = _parse(content)
    _accept_tracked_changes(root)
    for element in list(root.iter(*_MARKER_TAGS)):
        _remove_marker(element)
    if name == "word/settings.xml":
        for element in list(root.iter(*_SETTINGS_TAGS)):
            if element.getparent() is not None:
                element.getparent().remove(element)
    for element in root.iter("{*}docPr", "{*}cNvPr"):
        _forget_picture_file(element)
    out = _serialise(root)
    if not any(needle in out for needle in _PERSON_ATTRIBUTE_BYTES):
        return out
    for element in root.iter():
        for attribute in list(element.attrib):
            local = _local(attribute)
            if local in _PERSON_ATTRIBUTES_BLANKED:
                element.set(attribute, "")
            elif local in _PERSON_ATTRIBUTES_REMOVED:
                del element.attrib[attribute]
    return _serialise(root)


def _forget_picture_file(element: etree._Element) -> None:
    """Word records an inserted picture's file name, sometimes its full path."""
    if _FILE_NAME.search(element.get("name", "")):
        element.set("name", f"Picture {element.get('id', '')}".strip())
    for attribute in ("descr", "title"):
        if _FILE_NAME.search(element.get(attribute, "")):
            element.set(attribute, "")


def _accept_tracked_changes(root: etree._Element) -> None:
    """Accept every revision, so deleted text (e.g. "作者：李秀英") is gone."""
    for element in list(root.iter(f"{{{_W}}}del", f"{{{_W}}}moveFrom")):
        parent = element.getparent()
        if parent is None:
            continue
        if _local(parent.tag) == "trPr":  # a deleted table row
            row = parent.getparent()
            if row.getparent() is not None:
                row.getparent().remove(row)
        else:  # deleted content, or a property marker (paragraph mark)
            parent.remove(element)
    for element in list(root.iter(f"{{{_W}}}ins", f"{{{_W}}}moveTo")):
        parent = element.getparent()
        if _local(parent.tag).endswith("Pr"):
            parent.remove(element)  # marker: "this row / paragraph mark was inserted"
        else:
            index = parent.index(element)
            parent[index : index + 1] = list(element)  # keep the inserted content
    for tag in ("delText", "delInstrText"):
        for element in list(root.iter(f"{{{_W}}}{tag}")):
            element.getparent().remove(element)


def _remove_marker(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    parent.remove(element)
    # A comment reference sits alone in a run; an empty run would remain.
    if _local(parent.tag) == "r" and all(_local(c.tag) == "rPr" for c in parent):
        grand = parent.getparent()
        if grand is not None:
            grand.remove(parent)


def _write_zip(parts: dict[str, bytes]) -> bytes:
    """A new ZIP with fixed timestamps: entry times tell when and where it was edited."""
    out = io.BytesIO()
    order = sorted(parts, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels"))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, parts[name])
    return out.getvalue()


# --- images -------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_METADATA_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
# JPEG APP1 (Exif, XMP), APP3-APP13 (IPTC, camera makers), APP15 and comments.
# APP0 (JFIF), APP2 (ICC colour) and APP14 (Adobe colour transform) are needed
# to show the picture right.
_JPEG_METADATA_MARKERS = {0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE}


def strip_image_metadata(data: bytes) -> bytes:
    """PNG text/Exif chunks and JPEG Exif/XMP/IPTC/comments removed; others unchanged."""
    try:
        if data.startswith(_PNG_SIGNATURE):
            return _strip_png(data)
        if data.startswith(b"\xff\xd8"):
            return _strip_jpeg(data)
    except (struct.error, IndexError, ValueError):
        pass
    return data


def _strip_png(data: bytes) -> bytes:
    out = [_PNG_SIGNATURE]
    position = len(_PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk_type = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG chunk")
        if chunk_type not in _PNG_METADATA_CHUNKS:
            out.append(data[position:end])
        position = end
        if chunk_type == b"IEND":
            break
    return b"".join(out)


def _strip_jpeg(data: bytes) -> bytes:
    out = [data[:2]]
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append(data[position:])
            return b"".join(out)
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if marker not in _JPEG_METADATA_MARKERS:
            out.append(data[position:end])
        position = end
    raise ValueError("JPEG without image data")


# --- .pdf ---------------------------------------------------------------------


def scrub_pdf(data: bytes) -> bytes:
    """A copy of the PDF without /Info, XMP, annotations, forms, attachments, scripts.

    Only objects still reachable from the catalog are written, so earlier
    incremental-update revisions and orphaned objects, which can hold the
    original metadata, are dropped too.
    """
    reader = open_pdf(data)  # decrypted when only an owner password restricts editing
    root = reader.root_object
    for key in ("/Metadata", "/AcroForm", "/OpenAction", "/AA", "/PieceInfo", "/SpiderInfo"):
        root.pop(NameObject(key), None)
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        for key in ("/EmbeddedFiles", "/JavaScript"):
            names.pop(NameObject(key), None)
    _drop_metadata_everywhere(root)
    # A fresh writer cloning only the catalog: no /Info, nothing unreachable.
    writer = PdfWriter()
    writer.clone_reader_document_root(reader)
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _drop_metadata_everywhere(root: DictionaryObject) -> None:
    """XMP and private application data can sit on any page, image or font.

    Pages keep only link annotations (not to mail, phone or local files):
    notes and comments carry their author's name (/T) and text.
    """
    seen: set[int] = set()
    pending: list[object] = [root]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too
            for key in ("/Metadata", "/PieceInfo", "/AA"):
                item.pop(NameObject(key), None)
            if item.get("/Type") == "/Page" and "/Annots" in item:
                links = [a for a in item["/Annots"].get_object() if _is_public_link(a.get_object())]
                item[NameObject("/Annots")] = ArrayObject(links)
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _is_public_link(annotation: DictionaryObject) -> bool:
    if annotation.get("/Subtype") != "/Link":
        return False
    action = annotation.get("/A")
    target = action.get_object().get("/URI", "") if action is not None else ""
    return not _PRIVATE_TARGET.match(str(target))


# --- body text ------------------------------------------------------------------

# Full-width forms fold to ASCII one for one, so spans stay valid in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", re.ASCII)
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?![0-9A-Za-z])")
_QQ = re.compile(r"(?:QQ|扣扣)(?:号码|号)?\s*:?\s*(\d{5,11})(?!\d)", re.IGNORECASE)
_WECHAT = re.compile(r"(?:微信|wechat|weixin)(?:号)?\s*:?\s*([A-Za-z][-_A-Za-z0-9]{5,19})", re.IGNORECASE)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

REDACTION_MARK = "■"


def is_valid_resident_id(value: str) -> bool:
    """GB 11643 resident ID: 17 digits + check digit (ISO 7064 MOD 11-2) or X.

    The birth date (digits 7-14) must be a real date too, which keeps random
    18-digit numbers with a lucky check digit from being flagged.
    """
    if not re.fullmatch(r"[1-9]\d{16}[\dXx]", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, _ID_WEIGHTS))
    if _ID_CHECK_CHARS[total % 11] != value[17].upper():
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return 1800 <= born.year <= 2100


def find_identity(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) spans of identity in ``text``.

    ``needles`` are the author's known details (name, unit, ...): matched
    case-insensitively, with white space allowed between Han characters
    ("张 三" for "张三") and full-width forms equal to ASCII. Also found
    without needles: mainland mobile and landline numbers, e-mail addresses,
    valid resident ID numbers, and QQ/WeChat IDs written after their label.
    """
    folded = text.translate(_FOLD)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        pattern = _needle_pattern(needle)
        if pattern is not None:
            spans += [m.span() for m in pattern.finditer(folded)]
    for pattern in (_MOBILE, _LANDLINE, _EMAIL):
        spans += [m.span() for m in pattern.finditer(folded)]
    for pattern in (_QQ, _WECHAT):
        spans += [m.span(1) for m in pattern.finditer(folded)]
    for match in _RESIDENT_ID.finditer(folded):
        if is_valid_resident_id(re.sub(r"[ -]", "", match.group())):
            spans.append(match.span())
    return _merge(spans)


def redact(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace each span with as many "■" as it has characters.

    Same length keeps the layout (line lengths, paragraph shape) and keeps
    every other span or offset computed on the text valid.
    """
    pieces = []
    position = 0
    for start, end in _merge(spans):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        pieces += [text[position:start], REDACTION_MARK * (end - start)]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _needle_pattern(needle: str) -> re.Pattern[str] | None:
    chars: list[str] = []
    spaced: list[bool] = []  # white space before chars[i] in the needle
    gap = False
    for char in needle.strip().translate(_FOLD):
        if char.isspace():
            gap = True
            continue
        chars.append(char)
        spaced.append(gap)
        gap = False
    if not chars:
        return None
    pattern = re.escape(chars[0])
    for previous, char, had_space in zip(chars, chars[1:], spaced[1:]):
        if had_space or is_han(previous) or is_han(char):
            pattern += r"\s*"
        pattern += re.escape(char)
    return re.compile(pattern, re.IGNORECASE)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- anonymous codes --------------------------------------------------------------

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0
CODE_ALPHABET = CODE_LETTERS + "23456789"
CODE_LENGTH = 6


def new_anonymous_code(existing: set[str], rng=secrets) -> str:
    """A random code such as "A7K3Q9" that is not in ``existing``.

    Random, so it reveals neither submission order nor receipt number. It
    starts with a letter so spreadsheets never read it as a number
    ("2E4567" would become 2×10⁴⁵⁶⁷). 24·32⁵ ≈ 800 million codes.
    """
    for _ in range(1000):
        code = rng.choice(CODE_LETTERS) + "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH - 1))
        if code not in existing:
            return code
    raise RuntimeError("could not find an unused anonymous code")

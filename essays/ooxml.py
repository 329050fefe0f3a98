"""Office Open XML packages (.docx) as parts: reading relationships, keeping what is reachable, writing.

Shared by the text reader (``extract_docx``), the judges' .docx builder
(``judge_copy.word``) and the old scrubber kept as a benchmark anchor
(``bench/_old_scrubbers.py``). Pure: no Flask or SQLAlchemy.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PACKAGE_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

# Blank core properties: no author, no dates, no title.
MINIMAL_CORE = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
    b'purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://'
    b'www.w3.org/2001/XMLSchema-instance"/>'
)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def parse(content: bytes) -> etree._Element:
    """An XML part, parsed without entities, network or DTD."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(content, parser)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def source_dir(rels_name: str) -> str:
    """'word/_rels/document.xml.rels' -> 'word'; '_rels/.rels' -> ''."""
    return posixpath.dirname(posixpath.dirname(rels_name))


def resolve(directory: str, target: str) -> str:
    """A relationship's target as a part name, relative to the source part's directory."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(directory, target))


def main_document_name(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The part the package relationships name as the document (normally word/document.xml)."""
    if "_rels/.rels" in names:
        for rel in parse(archive.read("_rels/.rels")).iter(PACKAGE_RELATIONSHIP):
            if rel.get("Type") == OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
                target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                if target in names:
                    return target
    return "word/document.xml"


def reachable_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Keep only parts reachable from the package relationships.

    Parts only a removed part referred to (a header's school logo, say) go
    too, and so does anything smuggled into the ZIP without a relationship.
    """
    kept = {"[Content_Types].xml"}
    pending = ["_rels/.rels"]
    while pending:
        rels_name = pending.pop()
        if rels_name in kept or rels_name not in parts:
            continue
        kept.add(rels_name)
        for rel in parse(parts[rels_name]):
            if rel.get("TargetMode") == "External":
                continue
            target = resolve(source_dir(rels_name), rel.get("Target", ""))
            if target in parts and target not in kept:
                kept.add(target)
                directory, base = posixpath.split(target)
                pending.append(posixpath.join(directory, "_rels", base + ".rels"))
    return {name: content for name, content in parts.items() if name in kept}


def prune_content_types(content: bytes, parts: dict[str, bytes]) -> bytes:
    """``[Content_Types].xml`` without overrides for parts no longer in the package."""
    root = parse(content)
    for override in root.findall(f"{{{CONTENT_TYPES_NS}}}Override"):
        if override.get("PartName", "").lstrip("/") not in parts:
            root.remove(override)
    return serialise(root)


def write_zip(parts: dict[str, bytes]) -> bytes:
    """A new ZIP with fixed timestamps: entry times tell when and where it was edited."""
    out = io.BytesIO()
    order = sorted(parts, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels"))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, parts[name])
    return out.getvalue()

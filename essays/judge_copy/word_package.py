"""The package of the judges' .docx: only the parts a reader needs, blank properties, and its texts to check."""

from __future__ import annotations

import io
import zipfile

from essays.ooxml import MINIMAL_CORE, parse, prune_content_types, reachable_parts, serialise

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Parts of the package python-docx writes that a reader needs; anything else
# its template brings (custom XML, thumbnail, stylesWithEffects) is dropped.
_KEPT_PACKAGE_RELS = {"officeDocument", "core-properties", "extended-properties"}
_KEPT_DOCUMENT_RELS = {"styles", "settings", "fontTable", "numbering", "theme", "webSettings", "image"}
_BLANK_APP = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)


def judges_package(data: bytes) -> dict[str, bytes]:
    """python-docx's package with only the parts a reader needs, and blank properties."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for rels_name, kept in (("_rels/.rels", _KEPT_PACKAGE_RELS), ("word/_rels/document.xml.rels", _KEPT_DOCUMENT_RELS)):
        root = parse(parts[rels_name])
        for rel in list(root):
            if rel.get("Type", "").rsplit("/", 1)[-1] not in kept or rel.get("TargetMode") == "External":
                root.remove(rel)
        parts[rels_name] = serialise(root)
    parts = reachable_parts(parts)
    parts["[Content_Types].xml"] = prune_content_types(parts["[Content_Types].xml"], parts)
    parts["docProps/core.xml"] = MINIMAL_CORE
    parts["docProps/app.xml"] = _BLANK_APP
    return parts


# Parts python-docx writes from its own template (the builder only names the
# Normal style's Chinese font): nothing of the upload is in them.
_TEMPLATE_PARTS = {
    "word/styles.xml",
    "word/settings.xml",
    "word/webSettings.xml",
    "word/fontTable.xml",
    "word/theme/theme1.xml",
    "word/numbering.xml",
}


def package_texts(parts: dict[str, bytes]) -> list[str]:
    """Every text node and attribute value of every XML part the upload could reach."""
    texts = []
    for name, content in parts.items():
        if not (name.endswith(".xml") or name.endswith(".rels")) or name in _TEMPLATE_PARTS:
            continue
        root = parse(content)
        pieces = []
        for element in root.iter():
            if isinstance(element.tag, str):
                pieces.extend(element.attrib.values())
            if element.text:
                pieces.append(element.text)
            if element.tail and element.tail.strip():
                pieces.append(element.tail)
        # Paragraph text in one string (names split over runs), attributes one a line.
        body = "".join(t.text or "" for t in root.iter(f"{_W}t"))
        texts += [body, "\n".join(pieces)]
    return texts

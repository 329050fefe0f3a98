"""Builders for manuscripts used in tests: plain ones, and ones with planted identity.

Import with ``from helpers.docs import ...`` after putting ``tests/`` on
``sys.path``. The identity builders hide the author's details in every place
Word, WPS and PDF tools are known to leak them, so a scrubber or a judge view
can be checked against all of them at once:

    identity = {"name": "李秀英", "unit": "临渭区第二中学",
                "phone": "13812345678", "email": "lixiuying@example.com"}
    data = make_docx_with_identity(identity)
    for value in identity.values(): assert value not in everything_a_judge_sees

Missing keys fall back to DEFAULT_IDENTITY. The body text (BODY_TEXT by
default) itself carries no identity, so it must survive scrubbing.
"""

from __future__ import annotations

import html
import io
import struct
import zipfile
import zlib

import docx
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link, Text
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

DEFAULT_IDENTITY = {
    "name": "李秀英",
    "unit": "临渭区第二中学",
    "phone": "13812345678",
    "email": "lixiuying@example.com",
}
BODY_PARAGRAPHS = [
    "春风又绿渭河岸，我站在老城墙上眺望远方。",
    "十年前这里还是一片低矮的平房，如今高楼林立，街道整洁。",
    "家乡的变化，是千千万万普通人用双手创造出来的。",
]
BODY_TEXT = "\n".join(BODY_PARAGRAPHS)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CJK_FONT = "Noto Sans CJK SC"


def identity_values(identity: dict | None = None) -> list[str]:
    """The planted strings to look for."""
    return list(_identity(identity).values())


# --- plain documents ----------------------------------------------------------


def make_docx(text: str) -> bytes:
    """A .docx with one paragraph per line of ``text``."""
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    return _save(document)


def make_pdf(text: str, title: str = "") -> bytes:
    """A text PDF (one paragraph per line) in a CJK font, rendered by WeasyPrint."""
    from weasyprint import HTML

    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    head = f"<title>{html.escape(title)}</title>" if title else ""
    page = (
        f"<html><head><meta charset='utf-8'>{head}</head>"
        f"<body style=\"font-family: '{_CJK_FONT}'\">{paragraphs}</body></html>"
    )
    return HTML(string=page).write_pdf()


# --- documents with planted identity --------------------------------------------


def make_docx_with_identity(identity: dict | None = None, body: str = BODY_TEXT) -> bytes:
    """A .docx whose body is ``body`` and whose every other corner names the author.

    Planted in: core properties (author, last modified by, title, subject,
    keywords, comments, category, identifier, status), app properties
    (Company, Manager, Template, HyperlinkBase), custom properties, a comment
    (author, initials, text), tracked changes (insertion, deletion of
    "作者：<name>", formatting change, paragraph change), people.xml, a
    range permission (w:ed), header, footer, document variables, the
    attached-template path, a mailto: link around the last body paragraph,
    custom XML, the thumbnail, PNG and JPEG picture metadata, an
    unreferenced part, and the ZIP comment.
    """
    who = _identity(identity)
    name, unit, phone, email = who["name"], who["unit"], who["phone"], who["email"]
    document = docx.Document()
    paragraphs = [document.add_paragraph(line) for line in body.split("\n")]
    properties = document.core_properties
    properties.author = name
    properties.last_modified_by = name
    properties.title = f"{unit}{name}参赛稿"
    properties.subject = unit
    properties.keywords = phone
    properties.comments = email
    properties.category = unit
    properties.identifier = email
    properties.content_status = name
    document.add_comment(paragraphs[0].runs, text=f"{name} {email}", author=name, initials=name)
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{unit} {name}"
    section.footer.paragraphs[0].text = f"{phone} {email}"
    document.add_picture(io.BytesIO(png_with_text(f"Author {name} {email}")))
    document.add_picture(io.BytesIO(jpeg_with_text(f"{name} {unit}")))
    parts = _parts(_save(document))

    parts["docProps/app.xml"] = (
        parts["docProps/app.xml"]
        .decode()
        .replace("<Company/>", f"<Company>{unit}</Company>")
        .replace("<Manager/>", f"<Manager>{name}</Manager>")
        .replace("<HyperlinkBase/>", f"<HyperlinkBase>mailto:{email}</HyperlinkBase>")
        .replace("<Template>Normal.dotm</Template>", f"<Template>{name}的模板.dotm</Template>")
        .encode()
    )
    add_part(
        parts,
        "docProps/custom.xml",
        custom_properties(who),
        "_rels/.rels",
        _REL + "custom-properties",
        "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    )
    add_part(
        parts,
        "word/people.xml",
        _people(name, email),
        "word/_rels/document.xml.rels",
        "http://schemas.microsoft.com/office/2011/relationships/people",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml",
    )
    parts["word/document.xml"] = _plant_revisions(parts["word/document.xml"], name, email)
    parts["word/document.xml"] = _plant_mail_link(parts, email)
    parts["word/settings.xml"] = _plant_settings(parts["word/settings.xml"], name, phone)
    parts["word/_rels/settings.xml.rels"] = _relationships(
        [
            (
                "rId1",
                _REL + "attachedTemplate",
                f"file:///C:/Users/{name}/AppData/Roaming/Microsoft/Templates/Normal.dotm",
                True,
            )
        ]
    )
    for item in [n for n in parts if n.startswith("customXml/item") and "Props" not in n]:
        parts[item] = f"<root><author>{name}</author><unit>{unit}</unit></root>".encode()
    if "docProps/thumbnail.jpeg" in parts:
        parts["docProps/thumbnail.jpeg"] = jpeg_with_text(f"{name} {phone}")
    parts["word/unreferenced.xml"] = f"<x>{phone} {email}</x>".encode()
    return zip_parts(parts, comment=f"{name} {unit}".encode())


def make_pdf_with_identity(identity: dict | None = None, body: str = BODY_TEXT) -> bytes:
    """A text PDF whose body is ``body`` and whose metadata names the author.

    Planted in: the HTML title and author WeasyPrint writes to /Info, /Info
    entries (Author, Title, Creator, Producer, Subject, Keywords), document
    XMP, page XMP, /PieceInfo, a sticky-note annotation (/T author,
    /Contents), a mailto: link and an embedded file. A link to a web page
    is the control: scrubbing must keep it.
    """
    who = _identity(identity)
    name, unit, phone, email = who["name"], who["unit"], who["phone"], who["email"]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(body, title=f"{unit}{name}"))))
    writer.add_metadata(
        {
            "/Author": name,
            "/Title": f"{unit}{name}参赛稿",
            "/Creator": unit,
            "/Producer": email,
            "/Subject": phone,
            "/Keywords": f"{name},{unit}",
        }
    )
    xmp = xmp_packet(who)
    writer.xmp_metadata = xmp
    page_xmp = StreamObject()
    page_xmp.set_data(xmp)
    page_xmp[NameObject("/Type")] = NameObject("/Metadata")
    page_xmp[NameObject("/Subtype")] = NameObject("/XML")
    page = writer.pages[0]
    page[NameObject("/Metadata")] = writer._add_object(page_xmp)
    page[NameObject("/PieceInfo")] = DictionaryObject(
        {
            NameObject("/Zhengping"): DictionaryObject(
                {
                    NameObject("/Private"): TextStringObject(f"{name} {phone}"),
                }
            ),
        }
    )
    note = Text(text=f"{email} {phone}", rect=(50, 50, 80, 80))
    note[NameObject("/T")] = TextStringObject(name)
    writer.add_annotation(0, note)
    writer.add_annotation(0, Link(rect=(50, 100, 200, 120), url="https://example.org/"))
    writer.add_annotation(0, Link(rect=(50, 130, 200, 150), url=f"mailto:{email}"))
    writer.add_attachment(f"{name}.txt", f"{unit} {phone}".encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- helpers -------------------------------------------------------------------


def _identity(identity: dict | None) -> dict[str, str]:
    return {**DEFAULT_IDENTITY, **(identity or {})}


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_parts(parts: dict[str, bytes], comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        archive.comment = comment
    return out.getvalue()


def _relationships(rels: list[tuple[str, str, str, bool]]) -> bytes:
    items = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{html.escape(target)}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for rid, kind, target, external in rels
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{items}</Relationships>"
    ).encode()


def add_part(
    parts: dict[str, bytes],
    name: str,
    content: bytes,
    rels_name: str,
    rel_type: str,
    content_type: str,
) -> None:
    parts[name] = content
    rels = etree.fromstring(parts[rels_name])
    source_dir = rels_name.split("_rels/")[0]
    relationship = etree.SubElement(rels, f"{{{rels.nsmap[None]}}}Relationship")
    relationship.set("Id", f"rIdPlanted{len(rels)}")
    relationship.set("Type", rel_type)
    relationship.set("Target", name[len(source_dir) :])
    parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
    types = etree.fromstring(parts["[Content_Types].xml"])
    override = etree.SubElement(types, f"{{{types.nsmap[None]}}}Override")
    override.set("PartName", "/" + name)
    override.set("ContentType", content_type)
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")


def custom_properties(who: dict[str, str]) -> bytes:
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    items = "".join(
        f'<property fmtid="{fmtid}" pid="{pid}" name="{key}"><vt:lpwstr>{html.escape(value)}</vt:lpwstr></property>'
        for pid, (key, value) in enumerate(who.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    ).encode()


def _people(name: str, email: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
        f'<w15:person w15:author="{name}"><w15:presenceInfo w15:providerId="AD"'
        f' w15:userId="{email}"/></w15:person></w15:people>'
    ).encode()


def _plant_revisions(content: bytes, name: str, email: str) -> bytes:
    """Tracked changes by the author: the first paragraph inserted, a deletion,
    a formatting change and a paragraph-property change; plus a permission range."""
    root = etree.fromstring(content)
    w = f"{{{_W}}}"
    body = root.find(f"{w}body")
    paragraphs = body.findall(f"{w}p")
    change = {f"{w}author": name, f"{w}date": "2024-05-01T08:00:00Z"}

    first = paragraphs[0]
    runs = first.findall(f"{w}r")
    inserted = etree.Element(f"{w}ins", {f"{w}id": "901", **change})
    first.insert(first.index(runs[0]), inserted)
    inserted.append(runs[0])
    deleted = etree.SubElement(first, f"{w}del", {f"{w}id": "902", **change})
    deleted_run = etree.SubElement(deleted, f"{w}r")
    etree.SubElement(deleted_run, f"{w}delText").text = f"作者：{name}"

    second = paragraphs[1]
    run = second.find(f"{w}r")
    run_properties = etree.Element(f"{w}rPr")
    run.insert(0, run_properties)
    etree.SubElement(run_properties, f"{w}b")
    etree.SubElement(run_properties, f"{w}rPrChange", {f"{w}id": "903", **change}).append(etree.Element(f"{w}rPr"))
    paragraph_properties = second.find(f"{w}pPr")
    if paragraph_properties is None:
        paragraph_properties = etree.Element(f"{w}pPr")
        second.insert(0, paragraph_properties)
    etree.SubElement(paragraph_properties, f"{w}jc", {f"{w}val": "center"})
    etree.SubElement(paragraph_properties, f"{w}pPrChange", {f"{w}id": "904", **change}).append(
        etree.Element(f"{w}pPr")
    )
    second.insert(1, etree.Element(f"{w}permStart", {f"{w}id": "905", f"{w}ed": email}))
    second.append(etree.Element(f"{w}permEnd", {f"{w}id": "905"}))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _plant_mail_link(parts: dict[str, bytes], email: str) -> bytes:
    """The last body paragraph becomes a mailto: link to the author (text unchanged)."""
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    link = etree.SubElement(rels, f"{{{rels.nsmap[None]}}}Relationship")
    link.attrib.update(
        {"Id": "rIdMail", "Type": _REL + "hyperlink", "Target": f"mailto:{email}", "TargetMode": "External"}
    )
    parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
    root = etree.fromstring(parts["word/document.xml"])
    w = f"{{{_W}}}"
    paragraph = [p for p in root.iter(f"{w}p") if p.find(f"{w}r/{w}t") is not None][-1]
    run = paragraph.find(f"{w}r")
    hyperlink = etree.Element(f"{w}hyperlink", {f"{{{_R}}}id": "rIdMail"})
    paragraph.insert(paragraph.index(run), hyperlink)
    hyperlink.append(run)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _plant_settings(content: bytes, name: str, phone: str) -> bytes:
    root = etree.fromstring(content)
    w = f"{{{_W}}}"
    template = etree.Element(f"{w}attachedTemplate", {f"{{{_R}}}id": "rId1"})
    root.insert(0, template)
    variables = etree.SubElement(root, f"{w}docVars")
    etree.SubElement(variables, f"{w}docVar", {f"{w}name": "author", f"{w}val": name})
    etree.SubElement(variables, f"{w}docVar", {f"{w}name": "phone", f"{w}val": phone})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def png_with_text(text: str) -> bytes:
    """A 1×1 PNG with an iTXt (UTF-8) chunk holding ``text``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    itxt = b"Author\x00\x00\x00\x00\x00" + text.encode()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"iTXt", itxt)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def jpeg_with_text(text: str) -> bytes:
    """A small JPEG with ``text`` in an XMP (APP1) segment and a comment (COM)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    image = out.getvalue()
    xmp = (
        b"http://ns.adobe.com/xap/1.0/\x00"
        + (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{text}</dc:creator></x:xmpmeta>').encode()
    )
    comment = text.encode()
    jfif_end = 4 + struct.unpack(">H", image[4:6])[0]  # viewers expect JFIF first
    return (
        image[:jfif_end]
        + b"\xff\xe1"
        + struct.pack(">H", len(xmp) + 2)
        + xmp
        + b"\xff\xfe"
        + struct.pack(">H", len(comment) + 2)
        + comment
        + image[jfif_end:]
    )


def xmp_packet(who: dict[str, str]) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
        ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"<dc:creator><rdf:Seq><rdf:li>{who['name']}</rdf:li></rdf:Seq></dc:creator>"
        f"<pdf:Producer>{who['unit']}</pdf:Producer>"
        f"<dc:description>{who['email']} {who['phone']}</dc:description>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()

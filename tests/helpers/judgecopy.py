"""Manuscripts with the author's identity planted in ONE place each, and a
reader that shows every layer of a downloaded file (no tests here).

One place per file, because identity in the body sends the entry to the
redacted text and would hide whether the file copy keeps the other places.
``DOCX_PLACES`` / ``PDF_PLACES`` map a place to its builder and to what the
judge should get: ``"copy"`` (the allow-list copy, the place not kept) or
``"text"`` (identity found in what the copy would keep: the redacted text).
"""

from __future__ import annotations

import functools
import html
import io
import zipfile

import docx
from lxml import etree

from helpers.docs import (
    BODY_TEXT,
    DEFAULT_IDENTITY,
    add_part,
    custom_properties,
    jpeg_with_text,
    make_pdf,
    png_with_text,
    zip_parts,
)

WHO = DEFAULT_IDENTITY
NAME, UNIT, PHONE, EMAIL = WHO["name"], WHO["unit"], WHO["phone"], WHO["email"]
BIO = f"作者简介：{NAME}，{UNIT}语文教师。电话{PHONE}，邮箱{EMAIL}。"
FILENAME_STEM = f"{NAME}_{UNIT}"
PLANTED = [NAME, UNIT, PHONE, EMAIL, "lixiuying", FILENAME_STEM]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_NS = (
    f'xmlns:w="{_W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


# --- .docx ----------------------------------------------------------------------


def _document():
    document = docx.Document()
    for line in BODY_TEXT.split("\n"):
        document.add_paragraph(line)
    return document


def _parts_of(document) -> dict[str, bytes]:
    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _append_to_body(parts: dict[str, bytes], xml: str, paragraph: int | None = None) -> None:
    """Add ``xml`` (elements in the w: namespace) at the end of the body or of a paragraph."""
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(f"{{{_W}}}body")
    fragment = etree.fromstring(f"<w:wrap {_NS}>{xml}</w:wrap>")
    if paragraph is None:
        target, index = body, len(body) - 1  # before sectPr
        for child in reversed(list(fragment)):
            target.insert(index, child)
    else:
        target = body.findall(f"{{{_W}}}p")[paragraph]
        for child in list(fragment):
            target.append(child)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _notes_part(kind: str, text: str) -> bytes:
    tag = kind[:-1]
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind} {_NS}>'
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f"</w:{tag}>"
        f'<w:{tag} w:id="1"><w:p><w:r><w:{tag}Ref/></w:r><w:r><w:t xml:space="preserve"> {html.escape(text)}</w:t>'
        f"</w:r></w:p></w:{tag}></w:{kind}>"
    ).encode()


def with_note(kind: str, text: str = BIO) -> bytes:
    parts = _parts_of(_document())
    tag = kind[:-1]
    add_part(
        parts,
        f"word/{kind}.xml",
        _notes_part(kind, text),
        "word/_rels/document.xml.rels",
        _REL + kind,
        f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml",
    )
    _append_to_body(
        parts, f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:{tag}Reference w:id="1"/></w:r>', paragraph=0
    )
    return zip_parts(parts)


def docx_body() -> bytes:
    document = _document()
    document.add_paragraph(f"作者：{NAME}（{UNIT}）")
    return zip_parts(_parts_of(document))


def docx_table() -> bytes:
    document = _document()
    table = document.add_table(rows=2, cols=2)
    for row, (label, value) in zip(table.rows, (("作者", NAME), ("单位", UNIT))):
        row.cells[0].text, row.cells[1].text = label, value
    return zip_parts(_parts_of(document))


def docx_header_footer() -> bytes:
    document = _document()
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{UNIT} {NAME}"
    section.footer.paragraphs[0].text = f"{PHONE} {EMAIL}"
    return zip_parts(_parts_of(document))


def docx_footnote() -> bytes:
    return with_note("footnotes")


def docx_endnote() -> bytes:
    return with_note("endnotes")


def docx_comment() -> bytes:
    document = _document()
    document.add_comment(document.paragraphs[0].runs, text=BIO, author=NAME, initials=NAME)
    return zip_parts(_parts_of(document))


def docx_text_box() -> bytes:
    parts = _parts_of(_document())
    _append_to_body(
        parts,
        '<w:r><w:pict><v:shape style="width:200pt;height:40pt"><v:textbox><w:txbxContent>'
        f"<w:p><w:r><w:t>{html.escape(BIO)}</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>",
        paragraph=2,
    )
    return zip_parts(parts)


def docx_properties() -> bytes:
    """Core, app and custom properties."""
    document = _document()
    core = document.core_properties
    core.author = core.last_modified_by = core.content_status = NAME
    core.title, core.subject, core.keywords, core.comments = f"{UNIT}{NAME}参赛稿", UNIT, PHONE, EMAIL
    parts = _parts_of(document)
    parts["docProps/app.xml"] = (
        parts["docProps/app.xml"]
        .decode()
        .replace("<Company/>", f"<Company>{UNIT}</Company>")
        .replace("<Manager/>", f"<Manager>{NAME}</Manager>")
        .encode()
    )
    add_part(
        parts,
        "docProps/custom.xml",
        custom_properties(WHO),
        "_rels/.rels",
        _REL + "custom-properties",
        "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    )
    return zip_parts(parts, comment=f"{NAME} {UNIT}".encode())


def docx_alt_text() -> bytes:
    document = _document()
    document.add_picture(io.BytesIO(plain_png()))
    parts = _parts_of(document)
    content = parts["word/document.xml"].decode()
    content = content.replace('name="Picture 1"', f'name="Picture 1" descr="{NAME}摄于{UNIT}" title="{NAME}"')
    content = content.replace('name="image.png"', f'name="image.png" descr="{PHONE}"')
    parts["word/document.xml"] = content.encode()
    return zip_parts(parts)


def docx_image_metadata() -> bytes:
    document = _document()
    document.add_picture(io.BytesIO(_jpeg_with_exif()))
    document.add_picture(io.BytesIO(png_with_text(f"Author {NAME} {EMAIL}")))
    return zip_parts(_parts_of(document))


def docx_glossary() -> bytes:
    parts = _parts_of(_document())
    glossary = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:glossaryDocument {_NS}><w:docParts>'
        f'<w:docPart><w:docPartPr><w:name w:val="{NAME}"/></w:docPartPr><w:docPartBody><w:p><w:r>'
        f"<w:t>{html.escape(BIO)}</w:t></w:r></w:p></w:docPartBody></w:docPart></w:docParts>"
        "</w:glossaryDocument>"
    ).encode()
    add_part(
        parts,
        "word/glossary/document.xml",
        glossary,
        "word/_rels/document.xml.rels",
        _REL + "glossaryDocument",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml",
    )
    return zip_parts(parts)


def docx_custom_xml() -> bytes:
    parts = _parts_of(_document())
    items = [n for n in parts if n.startswith("customXml/item") and "Props" not in n]
    assert items, "python-docx's template has a custom XML item"
    for item in items:
        parts[item] = f"<root><author>{NAME}</author><unit>{UNIT}</unit><tel>{PHONE}</tel></root>".encode()
    return zip_parts(parts)


def docx_tracked_deletion() -> bytes:
    parts = _parts_of(_document())
    _append_to_body(
        parts,
        f'<w:del w:id="901" w:author="{NAME}" w:date="2024-05-01T08:00:00Z"><w:r>'
        f"<w:delText>作者：{NAME} {PHONE}</w:delText></w:r></w:del>",
        paragraph=1,
    )
    return zip_parts(parts)


DOCX_PLACES = {
    "body": (docx_body, "text"),
    "table": (docx_table, "text"),
    "header_footer": (docx_header_footer, "copy"),
    "footnote": (docx_footnote, "text"),
    "endnote": (docx_endnote, "text"),
    "comment": (docx_comment, "copy"),
    "text_box": (docx_text_box, "text"),
    "properties": (docx_properties, "copy"),
    "alt_text": (docx_alt_text, "copy"),
    "image_metadata": (docx_image_metadata, "copy"),
    "glossary": (docx_glossary, "copy"),
    "custom_xml": (docx_custom_xml, "copy"),
    "tracked_deletion": (docx_tracked_deletion, "copy"),
}


def plain_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    """A JPEG with Exif (description, artist), XMP and a comment naming the author."""
    from PIL import Image

    image = Image.open(io.BytesIO(jpeg_with_text(f"{NAME} {UNIT}")))
    exif = image.getexif()
    exif[0x010E] = f"{NAME} {UNIT}".encode()  # ImageDescription
    exif[0x013B] = EMAIL  # Artist
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=PHONE.encode())
    data = out.getvalue()
    assert NAME.encode() in data and EMAIL.encode() in data
    return data


# --- .pdf -----------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _base_pdf() -> bytes:
    return make_pdf(BODY_TEXT)


def _edit_pdf(change) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(_base_pdf())) as pdf:
        change(pdf, pikepdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def pdf_page_text() -> bytes:
    return make_pdf(BODY_TEXT + "\n" + BIO)


def pdf_info() -> bytes:
    def change(pdf, pikepdf):
        pdf.trailer.Info = pdf.make_indirect(
            pikepdf.Dictionary(
                Author=pikepdf.String(NAME),
                Title=pikepdf.String(f"{UNIT}{NAME}参赛稿"),
                Creator=pikepdf.String(UNIT),
                Producer=pikepdf.String(EMAIL),
                Subject=pikepdf.String(PHONE),
            )
        )

    return _edit_pdf(change)


def pdf_xmp() -> bytes:
    from helpers.docs import xmp_packet

    def change(pdf, pikepdf):
        stream = pikepdf.Stream(pdf, xmp_packet(WHO))
        stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        pdf.Root.Metadata = pdf.make_indirect(stream)
        page_stream = pikepdf.Stream(pdf, xmp_packet(WHO))
        pdf.pages[0].obj.Metadata = pdf.make_indirect(page_stream)

    return _edit_pdf(change)


def pdf_outlines() -> bytes:
    def change(pdf, pikepdf):
        with pdf.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem(f"{NAME}（{UNIT}）", 0))
            outline.root.append(pikepdf.OutlineItem(f"联系：{PHONE}", 0))

    return _edit_pdf(change)


def _add_annotation(pdf, pikepdf, annotation) -> None:
    page = pdf.pages[0].obj
    if "/Annots" not in page:
        page.Annots = pdf.make_indirect(pikepdf.Array())
    page.Annots.append(pdf.make_indirect(annotation))


def pdf_annotations() -> bytes:
    def change(pdf, pikepdf):
        _add_annotation(
            pdf,
            pikepdf,
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Text,
                Rect=[50, 50, 80, 80],
                T=pikepdf.String(NAME),
                Contents=pikepdf.String(BIO),
            ),
        )
        _add_annotation(
            pdf,
            pikepdf,
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.FreeText,
                Rect=[50, 200, 300, 240],
                DA=pikepdf.String("/Helv 12 Tf 0 g"),
                Contents=pikepdf.String(f"{UNIT} {PHONE}"),
            ),
        )

    return _edit_pdf(change)


def pdf_link_actions() -> bytes:
    """Links whose actions run JavaScript, launch a program or mail the author; a web link (kept)."""

    def change(pdf, pikepdf):
        def link(y, action):
            _add_annotation(
                pdf,
                pikepdf,
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[50, y, 200, y + 20], A=action
                ),
            )

        link(100, pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")))
        link(130, pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{NAME} {PHONE}');")))
        link(160, pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String(f"C:\\Users\\{NAME}\\run.exe")))
        link(190, pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(f"mailto:{EMAIL}")))
        link(
            220,
            pikepdf.Dictionary(
                S=pikepdf.Name.URI,
                URI=pikepdf.String("https://example.net/"),
                Next=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{EMAIL}');")),
            ),
        )
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{NAME}');"))
        pdf.pages[0].obj.AA = pikepdf.Dictionary(
            O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{UNIT}');"))
        )

    return _edit_pdf(change)


def pdf_form_fields() -> bytes:
    def change(pdf, pikepdf):
        field = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Tx,
                Rect=[50, 300, 250, 320],
                T=pikepdf.String("作者"),
                V=pikepdf.String(NAME),
                DA=pikepdf.String("/Helv 12 Tf 0 g"),
                P=pdf.pages[0].obj,
            )
        )
        page = pdf.pages[0].obj
        if "/Annots" not in page:
            page.Annots = pdf.make_indirect(pikepdf.Array())
        page.Annots.append(field)
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), DA=pikepdf.String("/Helv 12 Tf 0 g"))

    return _edit_pdf(change)


def pdf_embedded_files() -> bytes:
    def change(pdf, pikepdf):
        spec = pikepdf.AttachedFileSpec(pdf, f"{UNIT} {PHONE}".encode(), filename=f"{NAME}.txt", description=EMAIL)
        pdf.attachments[f"{NAME}.txt"] = spec

    return _edit_pdf(change)


def pdf_page_labels() -> bytes:
    def change(pdf, pikepdf):
        pdf.Root.PageLabels = pikepdf.Dictionary(
            Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D, P=pikepdf.String(f"{NAME}-"))])
        )

    return _edit_pdf(change)


PDF_PLACES = {
    "page_text": (pdf_page_text, "text"),
    "info": (pdf_info, "copy"),
    "xmp": (pdf_xmp, "copy"),
    "outlines": (pdf_outlines, "copy"),
    "annotations": (pdf_annotations, "copy"),
    "link_actions": (pdf_link_actions, "copy"),
    "form_fields": (pdf_form_fields, "copy"),
    "embedded_files": (pdf_embedded_files, "copy"),
    "page_labels": (pdf_page_labels, "copy"),
}


# --- reading a download -------------------------------------------------------------


def layers(data: bytes) -> list[str]:
    """Every readable layer of a file: its bytes, each ZIP part, extracted text,
    and for a PDF every string and decoded stream of every object."""
    out = [data.decode("utf-8", "ignore"), data.decode("latin-1")]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            out.append(archive.comment.decode("utf-8", "ignore"))
            out += archive.namelist()
            out += [archive.read(name).decode("utf-8", "ignore") for name in archive.namelist()]
        from essays.extract import extract_text

        out.append(extract_text("x.docx", data, 50 * 1024 * 1024).text)
    elif data[:4] == b"%PDF":
        import pikepdf
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        out += [page.extract_text() or "" for page in reader.pages]
        out += [str(value) for value in (reader.metadata or {}).values()]
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for obj in pdf.objects:
                out += _pdf_object_texts(obj, pikepdf)
    return out


def _pdf_object_texts(obj, pikepdf) -> list[str]:
    out = []
    if isinstance(obj, pikepdf.Stream):
        try:
            raw = obj.read_bytes()
        except Exception:  # an image filter pikepdf cannot decode: its raw bytes
            raw = obj.read_raw_bytes()
        out += [raw.decode("utf-8", "ignore"), raw.decode("utf-16-be", "ignore")]
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        items = list(obj.items())
        out += [key for key, _ in items]
        values = [value for _, value in items]
    elif isinstance(obj, pikepdf.Array):
        values = list(obj)
    else:
        values = [obj]
    for value in values:
        if isinstance(value, pikepdf.String):
            out.append(str(value))
        elif isinstance(value, pikepdf.Name):
            out.append(str(value))
        elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
            out += _pdf_object_texts(value, pikepdf)
    return out

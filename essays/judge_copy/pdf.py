"""The judges' .pdf: the pages' content and web links only (see the package docstring)."""

from __future__ import annotations

import io
import re

from essays.judge_copy.result import JudgeCopy, identity_in

_PAGE_KEYS = {
    "/Type",
    "/Parent",
    "/MediaBox",
    "/CropBox",
    "/BleedBox",
    "/TrimBox",
    "/ArtBox",
    "/Rotate",
    "/Resources",
    "/Contents",
    "/Group",
    "/UserUnit",
}
_RESOURCE_KEYS = {"/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/ProcSet", "/Properties"}
# Keys dropped wherever they sit below a page (images, forms, fonts): data about
# the document, not drawing instructions.
_DROPPED_EVERYWHERE = {
    "/Metadata",
    "/PieceInfo",
    "/AA",
    "/OPI",
    "/StructParent",
    "/StructParents",
    "/LastModified",
    "/Alternates",
    "/Thumb",
    "/ID",
}
_WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)
_TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


def build_pdf(data: bytes, needles: list[str]) -> JudgeCopy:
    import pikepdf
    from pypdf import PdfReader

    with pikepdf.open(io.BytesIO(data)) as source, pikepdf.new() as copy:
        for page in source.pages:
            copy.pages.append(page)
        for page in copy.pages:
            _keep_page_content(page.obj, copy)
        _drop_everywhere(copy)
        out = io.BytesIO()
        copy.save(out, deterministic_id=True)
    built = out.getvalue()
    with pikepdf.open(io.BytesIO(built)) as check:
        texts = _pdf_strings(check)
    reader = PdfReader(io.BytesIO(built), strict=False)
    texts.append("\n".join(page.extract_text() or "" for page in reader.pages))
    found = identity_in(texts, needles)
    if found:
        return JudgeCopy(None, found)
    return JudgeCopy(built)


def _keep_page_content(page, pdf) -> None:
    import pikepdf

    annotations = page.get("/Annots")
    for key in list(page.keys()):
        if key not in _PAGE_KEYS:
            del page[key]
    resources = page.get("/Resources")
    if isinstance(resources, pikepdf.Dictionary):
        for key in list(resources.keys()):
            if key not in _RESOURCE_KEYS:
                del resources[key]
    links = (
        [link for link in (_web_link(a) for a in (annotations or [])) if link is not None]
        if isinstance(annotations, pikepdf.Array)
        else []
    )
    if links:
        page["/Annots"] = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link) for link in links]))


def _web_link(annotation):
    """A fresh link annotation to an http(s) page, or None for anything else."""
    import pikepdf

    if not isinstance(annotation, pikepdf.Dictionary) or annotation.get("/Subtype") != pikepdf.Name.Link:
        return None
    action = annotation.get("/A")
    if not isinstance(action, pikepdf.Dictionary) or action.get("/S") != pikepdf.Name.URI:
        return None
    uri = action.get("/URI")
    rect = annotation.get("/Rect")
    if not isinstance(uri, pikepdf.String) or not isinstance(rect, pikepdf.Array) or len(rect) != 4:
        return None
    target = bytes(uri).decode("latin-1").strip()
    if not _WEB_LINK.match(target) or any(ord(c) < 33 or ord(c) > 126 for c in target):
        return None
    try:
        box = [float(value) for value in rect]
    except (TypeError, ValueError):
        return None
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array(box),
        Border=pikepdf.Array([0, 0, 0]),
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(target)),
    )


def _drop_everywhere(pdf) -> None:
    import pikepdf

    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in _DROPPED_EVERYWHERE & set(obj.keys()):
                del obj[key]


def _pdf_strings(pdf) -> list[str]:
    """Every string and name in the PDF's objects, and the strings content streams
    carry outside text-showing operators (marked-content /ActualText, say)."""
    import pikepdf

    pieces: list[str] = []

    def collect(value, depth=0):
        if depth > 50:
            return
        if isinstance(value, pikepdf.String):
            pieces.append(str(value))
        elif isinstance(value, pikepdf.Name):
            pieces.append(str(value)[1:])
        elif isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
            for key, item in value.items():
                pieces.append(key[1:])
                if not (isinstance(item, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) and item.is_indirect):
                    collect(item, depth + 1)
        elif isinstance(value, pikepdf.Array):
            for item in value:
                if not (isinstance(item, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) and item.is_indirect):
                    collect(item, depth + 1)

    for obj in pdf.objects:
        collect(obj)
    streams = [page.obj for page in pdf.pages]
    streams += [
        obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Form
    ]
    for owner in streams:
        for instruction in pikepdf.parse_content_stream(owner):
            if str(instruction.operator) in _TEXT_SHOWING:
                continue
            for operand in getattr(instruction, "operands", ()):
                collect(operand)
    return ["\n".join(pieces)]

"""Render Jinja templates to PDF with WeasyPrint.

- Fonts are chosen by family name in the templates' CSS (Noto Serif CJK SC,
  Noto Sans CJK SC), resolved by fontconfig and embedded as subsets.
- The URL fetcher reaches only the app's own static files and ``data:`` URLs,
  so a template can never make the server fetch anything from a network.
- A character no font can draw is an error (``MissingGlyphError``), never a
  silent box.
- Batches go into one multi-page document: WeasyPrint subsets fonts once per
  document, which is an order of magnitude faster than one document per page.
"""

from __future__ import annotations

import html
import io
import mimetypes
import re
from pathlib import Path

from flask import current_app, render_template

from core.errors import UserError
from core.fonts import missing_glyphs
from core.i18n_markers import N_

STATIC_BASE = "https://zhengping.invalid/static/"
# Images the caller makes for one document (``images=`` of ``html_to_pdf``), fetched
# by name when WeasyPrint reaches them: e.g. QR codes another process is still drawing.
GENERATED_BASE = "https://zhengping.invalid/generated/"

_TAG_RE = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


class MissingGlyphError(UserError):
    def __init__(self, chars: list[str]) -> None:
        listing = "、".join(f"{c}（U+{ord(c):04X}）" for c in chars)
        super().__init__(N_("The fonts cannot draw these characters: %(chars)s"), chars=listing)
        self.chars = chars


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_root = Path(current_app.static_folder).resolve()

    class StaticOnlyFetcher(URLFetcher):
        #: ``name -> PNG bytes or None`` for ``GENERATED_BASE`` URLs (none by default).
        images = None

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(GENERATED_BASE) and self.images is not None:
                body = self.images(url[len(GENERATED_BASE) :])
                if body is None:
                    raise ValueError(f"no such generated image: {url}")
                return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/png"})
            if not url.startswith(STATIC_BASE):
                raise ValueError(f"blocked URL in PDF: {url}")
            rel = url[len(STATIC_BASE) :].split("?", 1)[0].split("#", 1)[0]
            path = (static_root / rel).resolve()
            if static_root not in path.parents or not path.is_file():
                raise ValueError(f"no such static file: {rel}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return StaticOnlyFetcher


def visible_text(markup: str) -> str:
    return html.unescape(_TAG_RE.sub(" ", markup))


def html_to_pdf(markup: str, *, check_glyphs: bool = True, images=None) -> bytes:
    """``images``: a function from a name to PNG bytes (or None), for ``GENERATED_BASE + name``
    URLs in ``markup``; WeasyPrint asks for them after the styles of the whole document are
    computed, so a function that waits for another process loses little time."""
    from weasyprint import HTML

    if check_glyphs:
        missing = missing_glyphs(visible_text(markup))
        if missing:
            raise MissingGlyphError(missing)
    fetcher = _fetcher_class()()
    fetcher.images = images
    document = HTML(string=markup, base_url=STATIC_BASE, url_fetcher=fetcher)
    return document.write_pdf()


def render_pdf(template: str, *, check_glyphs: bool = True, images=None, **context) -> bytes:
    """Render ``templates/<template>`` with ``context`` to PDF bytes (``images`` as for ``html_to_pdf``).

    For a batch, pass the list of pages in the context (e.g. ``pages=[...]``)
    and let the template loop: the result is one multi-page document.
    """
    context.setdefault("static_base", STATIC_BASE)
    return html_to_pdf(render_template(template, **context), check_glyphs=check_glyphs, images=images)


def split_pages(pdf: bytes, pages_per_part: int = 1) -> list[bytes]:
    """Cut a multi-page PDF into parts (e.g. one certificate per file).

    qpdf (through pikepdf) copies the page objects and the font streams
    without decoding them. WeasyPrint gives every page of a document one shared
    resource dictionary (every page's patterns, images and states), so each
    page first gets its own dictionary with only what its content names:
    otherwise every part would carry the whole batch, and splitting n pages
    would cost n².
    """
    return list(iter_split_pages(pdf, pages_per_part))


def iter_split_pages(pdf: bytes, pages_per_part: int = 1):
    """``split_pages`` one part at a time, so a caller writing them out never holds them all."""
    with open_pages(pdf) as source:
        yield from iter_parts(source, pages_per_part)


def open_pages(pdf: bytes):
    """Open a rendered PDF (pikepdf) with every page given its own resources, ready to be
    split (``iter_parts``) and joined (``PdfJoiner``); close it when done."""
    import pikepdf

    source = pikepdf.open(io.BytesIO(pdf))
    for page in source.pages:
        _keep_used_resources(page)
    return source


def iter_parts(source, pages_per_part: int = 1):
    """The pages of ``source`` (from ``open_pages``) as PDFs of ``pages_per_part`` pages."""
    import pikepdf

    pages = list(source.pages)
    for start in range(0, len(pages), pages_per_part):
        with pikepdf.new() as part:
            part.pages.extend(pages[start : start + pages_per_part])
            out = io.BytesIO()
            # Streams are copied as they are (already compressed by WeasyPrint).
            part.save(
                out,
                compress_streams=True,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
            )
        yield out.getvalue()


class PdfJoiner:
    """One document from the pages of several, added as they come (``merge_documents`` a part
    at a time): e.g. the chunks of a batch, each while the next one renders."""

    def __init__(self) -> None:
        import pikepdf

        self._pdf = pikepdf.new()
        self._sources: list = []  # open until saved: their pages' streams are copied then

    def add(self, source) -> None:
        """Append the pages of an open PDF (``open_pages``); the joiner closes it."""
        self._pdf.pages.extend(source.pages)
        self._sources.append(source)

    def save(self) -> bytes:
        out = io.BytesIO()
        self._pdf.save(out, compress_streams=True)
        return out.getvalue()

    def close(self) -> None:
        for source in self._sources:
            source.close()
        self._sources = []
        self._pdf.close()


# A name token in a content stream. Matching inside strings too only finds more
# names than are used, and keeping an unused resource is harmless.
_NAME_TOKEN_RE = re.compile(rb"/([^\s/\[\]<>(){}%]+)")
_NAME_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
_NAMED_RESOURCES = ("/Font", "/XObject", "/Pattern", "/ExtGState", "/Shading", "/ColorSpace", "/Properties")


def _keep_used_resources(page) -> None:
    """Give ``page`` a resource dictionary holding only what its content stream names."""
    import pikepdf

    resources = page.obj.get("/Resources")
    contents = page.obj.get("/Contents")
    if not isinstance(resources, pikepdf.Dictionary) or contents is None:
        return  # inherited or empty: leave as is
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    data = b"\n".join(s.read_bytes() for s in streams)
    used = {
        "/" + _NAME_ESCAPE_RE.sub(lambda m: bytes([int(m[1], 16)]), m[1]).decode("latin-1")
        for m in _NAME_TOKEN_RE.finditer(data)
    }
    own = pikepdf.Dictionary()
    for key, value in resources.items():
        if key in _NAMED_RESOURCES and isinstance(value, pikepdf.Dictionary):
            value = pikepdf.Dictionary({k: v for k, v in value.items() if k in used})
        own[key] = value
    page.obj.Resources = own


def merge_documents(documents: list[bytes], *, title: str | None = None) -> bytes:
    """Join PDFs (e.g. rendered in chunks) into one document; ``title`` sets its metadata title
    (and nothing else of the parts' metadata is kept)."""
    import pikepdf

    if len(documents) == 1:
        return documents[0]
    with pikepdf.new() as merged:
        opened = [pikepdf.open(io.BytesIO(d)) for d in documents]
        try:
            for doc in opened:
                merged.pages.extend(doc.pages)
            if title is not None:
                merged.docinfo["/Title"] = title
            out = io.BytesIO()
            merged.save(out, compress_streams=True)
        finally:
            for doc in opened:
                doc.close()
    return out.getvalue()

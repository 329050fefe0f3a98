"""A call's notice (征文通知) as safe HTML: Markdown typed by the organiser, or older HTML.

Pure: no Flask, no database. Organisers type the notice as Markdown: a blank
line starts a new paragraph, a single line break stays a line break (Chinese
text must not gain a space where the organiser pressed Enter), ``## `` makes a
heading, ``1.`` a numbered list, ``**bold**`` and ``[text](https://…)`` work as
usual. Raw HTML typed into the Markdown is shown as text, indented lines stay
paragraphs (a notice pasted from Word is often indented), and the result goes
through nh3 with the same short list of tags as before. Notices saved before
Markdown (``html``) are cleaned by the same nh3 call.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

MARKDOWN, HTML = "markdown", "html"
FORMATS = (MARKDOWN, HTML)

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "hr",
}
# Inside the call page the notice sits under the page's h1 and the card's h2.
HEADING_TAGS = {"h1": "h3", "h2": "h3", "h3": "h4", "h4": "h4", "h5": "h4", "h6": "h4"}
# A notice that contains none of these was typed as plain text, not HTML.
BLOCK_TAG = re.compile(r"<\s*(p|br|h[1-6]|ul|ol|li|table|div|blockquote|hr)\b", re.IGNORECASE)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"breaks": True, "html": False, "typographer": False})
    md.enable("table")
    md.disable(["code", "fence", "image"])
    return md


_MD = _parser()


def sanitise(html: str) -> str:
    """Keep simple formatting; drop scripts, styles, handlers and unsafe links."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown_to_html(text: str) -> str:
    """Markdown → HTML (not yet sanitised: call ``render``)."""
    tokens = _MD.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = HEADING_TAGS.get(token.tag, token.tag)
    return _MD.renderer.render(tokens, _MD.options, {})


def render(source: str, fmt: str = MARKDOWN) -> str:
    """The notice as safe HTML for the public page."""
    if fmt == HTML:
        return sanitise(source)
    return sanitise(markdown_to_html(source))


def detect_format(text: str) -> str:
    """``html`` when the text uses HTML block tags, else ``markdown`` (plain text is Markdown)."""
    return HTML if BLOCK_TAG.search(text or "") else MARKDOWN

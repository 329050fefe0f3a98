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
from html.parser import HTMLParser

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


# --- older HTML notices, turned into Markdown when an organiser edits them ------------------

# What would start a heading, quote or list at the start of a line: escaped in ordinary text.
_LINE_MARKER = re.compile(r"^(\s*)(?:([#>+\-])|(\d+)([.)])(?=\s|$))")
# A line break in HTML source between two Chinese characters is no space on the page.
_CJK_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]*\n\s*(?=[\u3000-\u9fff\uff00-\uffef])")
_HEADINGS = {"h1": "## ", "h2": "## ", "h3": "## ", "h4": "### ", "h5": "### ", "h6": "### "}


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def _escape_marker(match: re.Match) -> str:
    if match.group(2):
        return match.group(1) + "\\" + match.group(2)
    return match.group(1) + match.group(3) + "\\" + match.group(4)


class _ToMarkdown(HTMLParser):
    """The HTML tags a notice may hold (``TAGS``) as Markdown; anything else keeps its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.lists: list[list] = []  # [["ol", next number] or ["ul", 0], ...]
        self.prefix = ""
        self.links: list[str | None] = []
        self.quotes: list[int] = []
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None

    # Blocks ----------------------------------------------------------------------------
    def _text(self) -> str:
        text = "".join(self.buf)
        self.buf = []
        return "\n".join(line.strip() for line in text.split("\n")).strip("\n ")

    def _flush(self, *, tight: bool = False) -> None:
        text = self._text()
        if not text:
            return
        prefix, self.prefix = self.prefix, ""
        if not prefix:
            text = "\n".join(_LINE_MARKER.sub(_escape_marker, line) for line in text.split("\n"))
        indent = " " * len(prefix) if prefix else ""
        self.lines.append(prefix + text.replace("\n", "\n" + indent))
        if not tight:
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("p", "div") and not self.lists and self.cell is None:
            self._flush()
        elif tag in _HEADINGS:
            self._flush()
            self.prefix = _HEADINGS[tag]
        elif tag in ("ul", "ol"):
            self._flush(tight=bool(self.lists))
            start = attrs.get("start") or "1"
            self.lists.append([tag, int(start) if start.isdigit() else 1])
        elif tag == "li":
            self._flush(tight=True)
            kind = self.lists[-1] if self.lists else ["ul", 0]
            marker = f"{kind[1]}. " if kind[0] == "ol" else "- "
            if kind[0] == "ol":
                kind[1] += 1
            self.prefix = "   " * max(len(self.lists) - 1, 0) + marker
        elif tag == "br":
            (self.cell if self.cell is not None else self.buf).append(" " if self.cell is not None else "\n")
        elif tag == "hr":
            self._flush()
            self.lines += ["---", ""]
        elif tag in ("strong", "b"):
            self._inline("**")
        elif tag in ("em", "i"):
            self._inline("*")
        elif tag == "a":
            self.links.append(attrs.get("href"))
            self._inline("[" if attrs.get("href") else "")
        elif tag == "blockquote":
            self._flush()
            self.quotes.append(len(self.lines))
        elif tag == "table":
            self._flush()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("p", "div") and not self.lists and self.cell is None:
            self._flush()
        elif tag in _HEADINGS:
            self.buf = [" ".join("".join(self.buf).split("\n"))]
            self._flush()
        elif tag in ("ul", "ol") and self.lists:
            self._flush(tight=True)
            self.lists.pop()
            if not self.lists:
                self.lines.append("")
        elif tag == "li":
            self._flush(tight=True)
        elif tag in ("strong", "b"):
            self._inline("**")
        elif tag in ("em", "i"):
            self._inline("*")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self._inline(f"](<{href.replace('<', '%3C').replace('>', '%3E')}>)")
        elif tag == "blockquote" and self.quotes:
            self._flush()
            start = self.quotes.pop()
            body = [line for part in self.lines[start:] for line in part.split("\n")]
            while body and not body[-1]:
                body.pop()
            self.lines[start:] = [("> " + line) if line else ">" for line in body] + [""]
        elif tag in ("td", "th") and self.cell is not None and self.table:
            self.table[-1].append(" ".join("".join(self.cell).split()).replace("|", "\\|"))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self._emit_table(self.table)
            self.table = None

    def _inline(self, mark: str) -> None:
        (self.cell if self.cell is not None else self.buf).append(mark)

    def handle_data(self, data):
        text = _escape(re.sub(r"\s+", " ", _CJK_BREAK.sub("", data)))
        if self.cell is not None:
            self.cell.append(text)
        elif self.table is None:
            self.buf.append(text)

    def _emit_table(self, rows: list[list[str]]) -> None:
        rows = [r for r in rows if r]
        if not rows:
            return
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        self.lines.append("| " + " | ".join(rows[0]) + " |")
        self.lines.append("|" + "---|" * width)
        self.lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        self.lines.append("")

    def result(self) -> str:
        self._flush()
        text = "\n".join(self.lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n" if text.strip() else ""


def html_to_markdown(html: str) -> str:
    """An older HTML notice as Markdown that renders to the same paragraphs, headings, lists and links."""
    parser = _ToMarkdown()
    parser.feed(sanitise(html))
    parser.close()
    return parser.result()

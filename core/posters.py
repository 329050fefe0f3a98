"""Share posters: a picture for WeChat groups and a PDF for notice boards.

A poster is a heading, a title, a few facts (deadline, organiser…), a QR code
to a page and a caption under the code. The PNG is drawn with Pillow in the
Noto CJK fonts (no external program at run time), at a size that suits a
phone screen and WeChat's picture viewer; the PDF is the same layout through
WeasyPrint (``core.pdf``), A4 portrait.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from core.fonts import font_file
from core.pdf import render_pdf

SIZE = (1080, 1440)
MARGIN = 90
RED = (178, 34, 34)
INK = (34, 34, 34)
MUTED = (102, 102, 102)
PAPER = (255, 250, 240)
QR_SIDE = 320
QR_TOP = 860
TITLE_TOP = 230
TITLE_SIZES = (84, 76, 68, 60, 54, 48, 44)
FACT_STEP = 50


@dataclass(frozen=True)
class Poster:
    heading: str  # e.g. 征文通知
    title: str
    facts: tuple[tuple[str, str], ...]  # (label, value), in order
    url: str  # what the QR code opens
    caption: str  # under the code: what scanning it does
    footer: str = ""  # e.g. the organiser, at the bottom


def qr_box() -> tuple[int, int, int, int]:
    """Where the QR code sits on the PNG (left, top, right, bottom)."""
    left = (SIZE[0] - QR_SIDE) // 2
    return left, QR_TOP, left + QR_SIDE, QR_TOP + QR_SIDE


@functools.lru_cache(maxsize=32)
def _font(family: str, style: str, size: int):
    from PIL import ImageFont

    found = font_file(family, style) or font_file(family)
    if found is None:
        return ImageFont.load_default(size)
    path, index = found
    return ImageFont.truetype(path, size, index=index)


# Line-breaking rules for Chinese (禁则): these never start a line, those never end one.
NO_LINE_START = set("，。、；：！？）》」』】〕”’…·,.;:!?)]}%")
NO_LINE_END = set("（《「『【〔“‘([{")


def _wrap(text: str, font, width: int) -> list[str]:
    """Lines of at most ``width`` pixels, breaking between any two characters (Chinese has no
    spaces to break at) except that closing punctuation stays on the line before (hanging a
    little over the edge) and opening punctuation moves down with what it opens."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and font.getlength(line + ch) > width and ch not in NO_LINE_START:
            carry = ""
            while line and line[-1] in NO_LINE_END:
                carry = line[-1] + carry
                line = line[:-1]
            if line:
                lines.append(line)
            line = carry + ("" if ch.isspace() and not carry else ch)
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def _fit_title(title: str, width: int, height: int):
    """The largest title size whose lines fit ``height``; below the smallest size the
    title keeps all its lines (up to five) and the facts give way."""
    for size in TITLE_SIZES:
        font = _font("Noto Serif CJK SC", "Bold", size)
        lines = _wrap(title, font, width)
        if len(lines) * int(size * 1.3) <= height:
            return font, lines
    if len(lines) > 5:
        lines = lines[:5]
        lines[-1] = lines[-1][:-1] + "…"
    return font, lines


def _fact_lines(poster: Poster, label_font, value_font, width: int) -> tuple[int, list[tuple[str, list[str]]]]:
    """The labels' column width, and each fact's value in at most two lines."""
    label_width = int(max((label_font.getlength(label) for label, _ in poster.facts), default=0)) + 30
    facts = []
    for label, value in poster.facts:
        lines = _wrap(value, value_font, width - label_width)
        if len(lines) > 2:
            lines = [lines[0], lines[1][:-1] + "…"]
        facts.append((label, lines))
    return label_width, facts


def _qr_image(url: str, side: int):
    import segno
    from PIL import Image

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=10, border=2)
    buf.seek(0)
    return Image.open(buf).convert("RGB").resize((side, side), Image.Resampling.NEAREST)


@functools.lru_cache(maxsize=32)
def poster_png(poster: Poster) -> bytes:
    from PIL import Image, ImageDraw

    width, height = SIZE
    img = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(img)
    # Heading band.
    draw.rectangle((0, 0, width, 170), fill=RED)
    heading = _font("Noto Serif CJK SC", "Bold", 64)
    draw.text((width // 2, 85), poster.heading, font=heading, fill="white", anchor="mm")
    # Facts first (they are what people need), the title as large as the rest allows.
    label_font = _font("Noto Sans CJK SC", "Bold", 36)
    value_font = _font("Noto Sans CJK SC", "Regular", 36)
    label_width, facts = _fact_lines(poster, label_font, value_font, width - 2 * MARGIN)
    facts_height = sum(FACT_STEP * len(lines) + 12 for _, lines in facts)
    title_height = QR_TOP - 60 - TITLE_TOP - 80 - facts_height
    font, lines = _fit_title(poster.title, width - 2 * MARGIN, title_height)
    step = int(font.size * 1.3)
    y = TITLE_TOP
    for line in lines:
        draw.text((width // 2, y), line, font=font, fill=INK, anchor="mt")
        y += step
    y += 25
    draw.line((MARGIN, y, width - MARGIN, y), fill=RED, width=4)
    y += 45
    for label, value_lines in facts:
        if y + FACT_STEP * len(value_lines) > QR_TOP - 40:
            break
        draw.text((MARGIN, y), label, font=label_font, fill=RED)
        for value_line in value_lines:
            draw.text((MARGIN + label_width, y), value_line, font=value_font, fill=INK)
            y += FACT_STEP
        y += 12
    # QR code on a white square, with its caption.
    left, top, right, bottom = qr_box()
    draw.rectangle((left - 16, top - 16, right + 16, bottom + 16), fill="white", outline=(220, 210, 190), width=2)
    img.paste(_qr_image(poster.url, QR_SIDE), (left, top))
    caption = _font("Noto Sans CJK SC", "Regular", 34)
    draw.text((width // 2, bottom + 40), poster.caption, font=caption, fill=MUTED, anchor="mt")
    url_font = _font("Noto Sans CJK SC", "Regular", 24)
    url = _wrap(poster.url, url_font, width - 2 * MARGIN)[0]
    draw.text((width // 2, bottom + 92), url, font=url_font, fill=MUTED, anchor="mt")
    # Footer band.
    if poster.footer:
        draw.rectangle((0, height - 110, width, height), fill=RED)
        footer_font = _font("Noto Sans CJK SC", "Regular", 36)
        footer = _wrap(poster.footer, footer_font, width - 2 * MARGIN)[0]
        draw.text((width // 2, height - 55), footer, font=footer_font, fill="white", anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=6, border=2, dark="#000")


@functools.lru_cache(maxsize=32)
def _pdf(poster: Poster) -> bytes:
    return render_pdf("pdf/poster.html", poster=poster, qr=_qr_data_uri(poster.url))


def poster_pdf(poster: Poster) -> bytes:
    """The A4 poster (refuses, like every PDF here, characters the fonts cannot draw)."""
    return _pdf(poster)

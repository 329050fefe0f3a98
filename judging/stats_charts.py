"""Server-side SVG charts for the statistics pages: grouped horizontal bars per unit,
genre or group, and participation rates.

As ``judging.charts``: presentation attributes only (no style attribute, no script),
text escaped, labels at least 11 px. The drawing is as narrow as a phone's card (360
units), so that it is shown at about its own size there and its labels stay readable;
``static/css/stats.css`` lets it grow only a little on a desktop.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH = 360
COLOURS = ("#b23a2e", "#d9a441", "#4d6b8a")  # entries, qualified, awards
AXIS = "#6b6b6b"
GRID = "#e4e0d8"
TEXT = "#333333"
LABEL_CHARS = 8


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _text_width(text: str, size: int = 12) -> float:
    """Roughly how wide ``text`` is drawn: a Chinese character is square, Latin about half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _tick(v: float, percent: bool) -> str:
    if percent:
        return f"{v * 100:.0f}%"
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _nice_top(top: float, percent: bool) -> float:
    """The axis end: four equal steps of 1, 2, 2.5 or 5 times a power of ten (rates: at least 100 %)."""
    if percent:
        top = max(top, 1.0)
    scale = 0.01 if percent else 1.0
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * scale
            if percent or factor != 2.5:  # counts keep whole-number ticks
                if 4 * step >= top - 1e-9:
                    return 4 * step
        scale *= 10


def bar_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    title: str,
    *,
    percent: bool = False,
) -> Markup:
    """One group of bars per row (label, values), one bar per series, with a legend."""
    label_w, pad, legend_h = 112, 16, 24
    bar_h, gap = 12, 10
    group_h = bar_h * len(series) + gap
    plot_w = WIDTH - label_w - pad * 2
    height = legend_h + pad + group_h * max(len(rows), 1) + 28
    top = _nice_top(max([v for _label, values in rows for v in values] or [0]), percent)

    def x(v: float) -> float:
        return label_w + plot_w * max(0.0, min(v, top)) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    lx = 8.0
    for i, name in enumerate(series):
        parts.append(f'<rect x="{lx:.1f}" y="6" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>')
        parts.append(f'<text x="{lx + 16:.1f}" y="16" font-size="12" fill="{TEXT}">{escape(name)}</text>')
        lx += 16 + _text_width(name) + 16
    base = legend_h + pad
    bottom = base + group_h * max(len(rows), 1)
    for i in range(5):
        v = top * i / 4
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{base - 4}" x2="{x(v):.1f}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x(v):.1f}" y="{bottom + 16}" font-size="11" fill="{AXIS}" '
            f'text-anchor="middle">{_tick(v, percent)}</text>'
        )
    for r, (label, values) in enumerate(rows):
        y0 = base + group_h * r
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + group_h / 2 + 2:.1f}" font-size="12" fill="{TEXT}" '
            f'text-anchor="end"><title>{escape(label)}</title>{escape(_short(label))}</text>'
        )
        for s, v in enumerate(values):
            y = y0 + s * bar_h
            w = x(v) - label_w
            parts.append(
                f'<rect x="{label_w}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(label)} · {escape(series[s])}: '
                f"{_tick(v, percent)}</title></rect>"
            )
            if v:
                parts.append(
                    f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3:.1f}" font-size="11" '
                    f'fill="{TEXT}">{_tick(v, percent)}</text>'
                )
    parts.append(f'<line x1="{label_w}" y1="{base - 4}" x2="{label_w}" y2="{bottom}" stroke="{AXIS}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))

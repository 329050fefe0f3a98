"""Server-side SVG charts: judge leniency (mean ± SD) and the score histogram.

Only SVG presentation attributes (fill, stroke, ...), no style attributes or
scripts, so the charts pass the Content Security Policy. Text is escaped.

The drawing is 360 units wide with text of 13 units (FONT): on a 390 px phone
the chart is drawn about 326 px wide, so labels come out at 11.5 px or more;
app.css caps a chart's width so that desktop labels do not grow too large.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH = 360
FONT = 13  # labels; never under 11 px on a 390 px phone (see the module docstring)
BAR = "#b23a2e"
AXIS = "#6b6b6b"
GRID = "#e4e0d8"
TEXT = "#333333"


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def leniency_chart(rows: list[tuple[str, float, float, int]], full_marks: float, title: str) -> Markup:
    """One horizontal line per judge: a dot at the mean, whiskers at mean ± SD."""
    label_w, pad, row_h = 72, 14, 28
    plot_w = WIDTH - label_w - pad * 2
    height = pad * 2 + row_h * max(len(rows), 1) + 20
    hi = full_marks or 100.0

    def x(v: float) -> float:
        return label_w + pad + plot_w * max(0.0, min(v, hi)) / hi

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart compact" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i in range(5):
        v = hi * i / 4
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{pad}" x2="{x(v):.1f}" y2="{height - pad - 10}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x(v):.1f}" y="{height - pad + 8}" font-size="{FONT}" fill="{AXIS}" '
            f'text-anchor="middle">{_fmt(v)}</text>'
        )
    for i, (name, mean, sd, n) in enumerate(rows):
        y = pad + row_h * i + row_h / 2
        parts.append(
            f'<text x="{label_w + pad - 8}" y="{y + 4:.1f}" font-size="{FONT}" fill="{TEXT}" '
            f'text-anchor="end">{escape(name)}</text>'
        )
        parts.append(
            f'<line x1="{x(mean - sd):.1f}" y1="{y:.1f}" x2="{x(mean + sd):.1f}" y2="{y:.1f}" '
            f'stroke="{AXIS}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle cx="{x(mean):.1f}" cy="{y:.1f}" r="5" fill="{BAR}">'
            f"<title>{escape(name)}: {_fmt(mean)} ± {_fmt(sd)} (n={n})</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram_chart(counts: list[int], lo: float, hi: float, title: str) -> Markup:
    """Vertical bars, one per equal-width bin."""
    pad, height = 18, 200
    plot_w, plot_h = WIDTH - pad * 2, height - pad * 2
    top = max(counts) if counts and max(counts) > 0 else 1
    bins = max(len(counts), 1)
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart compact" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{WIDTH - pad}" y2="{height - pad}" stroke="{AXIS}"/>',
    ]
    for i, c in enumerate(counts):
        h = plot_h * c / top
        x0 = pad + i * bar_w
        a = lo + (hi - lo) * i / bins
        b = lo + (hi - lo) * (i + 1) / bins
        parts.append(
            f'<rect x="{x0 + 1:.1f}" y="{height - pad - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="{BAR}"><title>{_fmt(a)}–{_fmt(b)}: {c}</title></rect>'
        )
        if c:
            parts.append(
                f'<text x="{x0 + bar_w / 2:.1f}" y="{height - pad - h - 4:.1f}" font-size="{FONT}" '
                f'fill="{TEXT}" text-anchor="middle">{c}</text>'
            )
        parts.append(
            f'<text x="{x0:.1f}" y="{height - pad + 14}" font-size="{FONT}" fill="{AXIS}" '
            f'text-anchor="middle">{_fmt(a)}</text>'
        )
    parts.append(
        f'<text x="{WIDTH - pad:.1f}" y="{height - pad + 14}" font-size="{FONT}" fill="{AXIS}" '
        f'text-anchor="middle">{_fmt(hi)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))

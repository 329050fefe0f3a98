"""Which characters the PDF fonts can draw.

WeasyPrint silently draws a box (tofu) for a character no font has. A
certificate with a box instead of a winner's rare surname is worse than no
certificate, so the PDF helper checks every character against the fonts'
character maps first and refuses to render what would come out as tofu.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata

PDF_FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


@functools.lru_cache(maxsize=16)
def font_file(family: str, style: str = "") -> tuple[str, int] | None:
    """The font file and face index fontconfig picks for an exact family (and style, e.g. "Bold")."""
    if shutil.which("fc-match") is None:
        return None
    pattern = f"{family}:style={style}" if style else family
    out = subprocess.run(
        ["fc-match", "-f", "%{family}|%{file}|%{index}", pattern], capture_output=True, text=True, check=False
    ).stdout
    try:
        families, path, index = out.rsplit("|", 2)
    except ValueError:
        return None
    if family.lower() not in [f.strip().lower() for f in families.split(",")]:
        return None  # fontconfig substituted another family: the font is missing
    return path, int(index or 0)


@functools.lru_cache(maxsize=16)
def family_codepoints(family: str) -> frozenset[int]:
    found = font_file(family)
    if found is None:
        return frozenset()
    from fontTools.ttLib import TTCollection, TTFont

    path, index = found
    if path.lower().endswith((".ttc", ".otc")):
        font = TTCollection(path, lazy=True).fonts[index]
    else:
        font = TTFont(path, lazy=True)
    return frozenset(font.getBestCmap() or {})


@functools.lru_cache(maxsize=16)
def coverage(families=PDF_FONT_FAMILIES) -> frozenset[int]:
    # Cached as the families' code points are: the union of two CJK fonts' maps (some 100,000
    # code points) took 10 ms, 5 % of rendering one certificate, on every check.
    cps: set[int] = set()
    for family in families:
        cps |= family_codepoints(family)
    return frozenset(cps)


def missing_glyphs(text: str, families=PDF_FONT_FAMILIES) -> list[str]:
    """Characters of ``text`` that none of the families can draw, in order."""
    have = coverage(tuple(families))
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            continue
        if ord(ch) not in have:
            missing.append(ch)
    return missing

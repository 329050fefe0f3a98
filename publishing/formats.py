"""Text of certificates and winner lists: dates, numbers, levels, award sentences.

Certificate wording is Chinese by nature (it is a Chinese official document), so
the sentence templates below are Chinese literals used as document templates, not
translatable interface text. Only the interface names of the levels are marked
with ``N_`` and translated where they are shown.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from core.errors import UserError
from core.i18n_markers import N_

# --- dates -----------------------------------------------------------------

_DIGITS = "〇一二三四五六七八九"  # 〇, not 零: the convention for years in documents


def format_date_arabic(d: date) -> str:
    """GB/T 9704 date: Arabic numerals without leading zeros, e.g. 2018年12月26日."""
    return f"{d.year}年{d.month}月{d.day}日"


def format_date_chinese(d: date, with_day: bool = False) -> str:
    """Date in Chinese numerals, e.g. 二〇一八年十二月 or 二〇一八年十二月二十六日."""
    year = "".join(_DIGITS[int(c)] for c in str(d.year))
    text = f"{year}年{_small_number(d.month)}月"
    return f"{text}{_small_number(d.day)}日" if with_day else text


def _small_number(n: int) -> str:
    """1–99 in Chinese numerals as written in dates: 十, 十一, 二十, 二十一."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[units] if units else "")


# Organisers choose how certificates print their date; notices always use Arabic.
DATE_STYLES: dict[str, Callable[[date], str]] = {
    "arabic": format_date_arabic,
    "chinese": format_date_chinese,
    "chinese_with_day": functools.partial(format_date_chinese, with_day=True),
}


def format_date(d: date, style: str = "arabic") -> str:
    """Format ``d`` in one of the ``DATE_STYLES``."""
    try:
        return DATE_STYLES[style](d)
    except KeyError:
        raise ValueError(f"unknown date style {style!r}") from None


# --- certificate numbers ---------------------------------------------------

# Sample values with the same types the callers pass, so a format spec that works
# here (e.g. {serial:04d}, {year}) also works for real certificates.
_SAMPLE_FIELDS: dict[str, object] = {
    "code": "ZW",  # activity code, str
    "year": 2026,  # int
    "level": "first",  # level code, str
    "level_no": 1,  # level_order(level), int: 0 for special, 1 for first…
    "serial": 1,  # int, unique within the numbering sequence
    "group": "A",  # group or genre code, str
}
NUMBER_FIELDS = tuple(_SAMPLE_FIELDS)
# Certificate numbers are printed in one line and stored in a short column.
MAX_NUMBER_LENGTH = 40
_BAD_SPEC = N_("The format “%(spec)s” of {%(field)s} in the number pattern is not valid.")
_TOO_LONG = N_("The certificate number “%(number)s” is longer than %(max)s characters.")


def validate_number_pattern(pattern: str) -> None:
    """Raise UserError unless ``pattern`` is a usable certificate number pattern."""
    _checked_fields(pattern)


def certificate_number(pattern: str, **fields: object) -> str:
    """Fill ``pattern`` (e.g. "{code}-{year}-{level}-{serial:04d}") with ``fields``."""
    unknown = sorted(set(fields) - set(NUMBER_FIELDS))
    if unknown:  # a programming error, not something the organiser can fix
        raise TypeError(f"unknown certificate number fields: {', '.join(unknown)}")
    for name in _checked_fields(pattern):
        if fields.get(name) is None:
            raise UserError(N_("The number pattern uses {%(field)s} but no value was given for it."), field=name)
    try:
        number = pattern.format(**fields)
    except (ValueError, TypeError):
        raise UserError(N_("A value does not fit the number pattern “%(pattern)s”."), pattern=pattern) from None
    if len(number) > MAX_NUMBER_LENGTH:
        raise UserError(_TOO_LONG, number=number, max=MAX_NUMBER_LENGTH)
    return number


def _checked_fields(pattern: str) -> set[str]:
    """Field names of a valid pattern; formats it with sample values to prove it."""
    fields = _pattern_fields(pattern)
    if "serial" not in {name for name, _spec in fields}:
        raise UserError(N_("The number pattern must contain {serial} so that every certificate number is unique."))
    for name, spec in fields:
        try:
            format(_SAMPLE_FIELDS[name], spec)
        except (ValueError, TypeError):
            raise UserError(_BAD_SPEC, spec=spec, field=name) from None
    sample = pattern.format(**_SAMPLE_FIELDS)
    if len(sample) > MAX_NUMBER_LENGTH:
        raise UserError(_TOO_LONG, number=sample, max=MAX_NUMBER_LENGTH)
    return {name for name, _spec in fields}


def _pattern_fields(pattern: str) -> list[tuple[str, str]]:
    """(name, format spec) of each field of ``pattern``; only plain names allowed.

    Attribute and index access ({code.__class__}, {code[0]}), positional fields,
    conversions and nested specs are refused: the pattern is typed by an organiser,
    and attribute access in str.format can reach far beyond the values we pass.
    """
    if not pattern or not pattern.strip():
        raise UserError(N_("The number pattern is empty."))
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        raise UserError(N_("The number pattern has an unmatched brace; write {{ or }} for a literal brace.")) from None
    fields: list[tuple[str, str]] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:  # plain text after the last field
            continue
        spec = spec or ""
        if conversion or not name.isidentifier() or "{" in spec:
            raise UserError(N_("Write each field of the number pattern as a plain name, as in {serial:04d}."))
        if name not in NUMBER_FIELDS:
            raise UserError(
                N_("The number pattern uses the unknown field {%(field)s}; allowed fields: %(allowed)s."),
                field=name,
                allowed=", ".join(NUMBER_FIELDS),
            )
        # A width like {serial:>999999999} would build a huge string; no real
        # number needs a width or precision above MAX_NUMBER_LENGTH.
        if any(int(n) > MAX_NUMBER_LENGTH for n in re.findall(r"\d+", spec)):
            raise UserError(_BAD_SPEC, spec=spec, field=name)
        fields.append((name, spec))
    return fields


# --- award levels ----------------------------------------------------------


@dataclass(frozen=True)
class Level:
    code: str
    name: str  # interface name, English msgid translated where shown
    document_text: str  # the standard wording printed on certificates and lists


# Highest first; the position is the sort key (and the suggested level_no).
LEVELS: tuple[Level, ...] = (
    Level("special", N_("Special prize"), "特等奖"),
    Level("first", N_("First prize"), "一等奖"),
    Level("second", N_("Second prize"), "二等奖"),
    Level("third", N_("Third prize"), "三等奖"),
    Level("excellence", N_("Excellence award"), "优秀奖"),
    Level("organisation", N_("Outstanding organisation award"), "优秀组织奖"),
)
LEVEL_CODES = tuple(level.code for level in LEVELS)
_LEVEL_BY_CODE = {level.code: level for level in LEVELS}


def level_by_code(code: str) -> Level:
    try:
        return _LEVEL_BY_CODE[code]
    except KeyError:
        raise UserError(N_("Unknown award level “%(code)s”."), code=code) from None


def level_order(code: str) -> int:
    """Sort key, highest level first: special 0, first 1, second 2, … organisation 5."""
    level_by_code(code)  # unknown code -> UserError
    return LEVEL_CODES.index(code)


# --- certificate sentences (Chinese document templates) --------------------

CERTIFICATE_CLOSING = "特发此证，以资鼓励。"


def award_sentence(activity: str, work_title: str | None, level_text: str) -> str:
    """在{activity}中，作品《{title}》荣获{level}。 — without a title: 在{activity}中，荣获{level}。"""
    activity = _required(activity, N_("The activity name is missing."))
    level_text = _required(level_text, N_("The award level is missing."))
    title = _strip_pair((work_title or "").strip(), "《", "》")
    if title:
        return f"在{activity}中，作品《{title}》荣获{level_text}。"
    return f"在{activity}中，荣获{level_text}。"


def honour_sentence(recipient: str, title: str, *, person: bool = True) -> str:
    """授予{recipient}同志“{title}”荣誉称号。 — an honour title conferred by a nomination programme.

    A team or a unit is named as it is, without 同志.
    """
    recipient = _required(recipient, N_("The recipient's name is missing."))
    title = _required(_strip_pair((title or "").strip(), "“", "”").strip('"'), N_("The honour title is missing."))
    address = "同志" if person else ""
    return f"授予{recipient}{address}“{title}”荣誉称号。"


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise UserError(message)
    return text


def _strip_pair(text: str, opening: str, closing: str) -> str:
    # Organisers often type the title with its book-title marks already; avoid 《《…》》.
    if text.startswith(opening) and text.endswith(closing):
        return text[len(opening) : -len(closing)].strip()
    return text


# --- glyph coverage --------------------------------------------------------

NOTO_SERIF_CJK = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def validate_glyphs(text: str, font_has: Callable[[str], bool]) -> list[str]:
    """Characters of ``text`` the font lacks, each once, in order of appearance.

    Whitespace, control and format characters and variation selectors are skipped:
    they are laid out without a glyph of their own.
    """
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if _needs_no_glyph(ch) or font_has(ch):
            continue
        missing.append(ch)
    return missing


def _needs_no_glyph(ch: str) -> bool:
    if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
        return True
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


@functools.lru_cache(maxsize=8)
def font_codepoints(path: str = NOTO_SERIF_CJK, family: str = "Noto Serif CJK SC") -> frozenset[int]:
    """Code points mapped by a font; in a collection (.ttc), the face named ``family``."""
    from fontTools.ttLib import TTCollection, TTFont  # heavy import, only when used

    if path.lower().endswith((".ttc", ".otc")):
        collection = TTCollection(path, lazy=True)
        try:
            for font in collection.fonts:
                if family in (font["name"].getDebugName(1), font["name"].getDebugName(16)):
                    return frozenset(font.getBestCmap())
        finally:
            collection.close()
        raise LookupError(f"no face named {family!r} in {path}")
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def font_has_from(codepoints: frozenset[int] | set[int]) -> Callable[[str], bool]:
    """Predicate for ``validate_glyphs`` from ``font_codepoints``."""
    return lambda ch: ord(ch) in codepoints

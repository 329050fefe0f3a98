"""Find and hide author identity in text, and give entries anonymous codes.

Judges must not learn who wrote an entry:

* ``find_identity`` + ``redact`` deal with the body text, where authors often
  put their name, school and telephone as competition notices ask them to.
* ``new_anonymous_code`` gives entries codes unrelated to order or receipt.

The file judges download is built by allow-list in ``essays.judge_copy``,
which runs every text it keeps through ``find_identity``. Pure: no Flask or
SQLAlchemy.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Iterable
from datetime import date

from essays.wordcount import is_han

# --- body text ------------------------------------------------------------------

# Full-width forms fold to ASCII one for one, so spans stay valid in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", re.ASCII)
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?![0-9A-Za-z])")
_QQ = re.compile(r"(?:QQ|扣扣)(?:号码|号)?\s*:?\s*(\d{5,11})(?!\d)", re.IGNORECASE)
_WECHAT = re.compile(r"(?:微信|wechat|weixin)(?:号)?\s*:?\s*([A-Za-z][-_A-Za-z0-9]{5,19})", re.IGNORECASE)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

REDACTION_MARK = "■"


def is_valid_resident_id(value: str) -> bool:
    """GB 11643 resident ID: 17 digits + check digit (ISO 7064 MOD 11-2) or X.

    The birth date (digits 7-14) must be a real date too, which keeps random
    18-digit numbers with a lucky check digit from being flagged.
    """
    if not re.fullmatch(r"[1-9]\d{16}[\dXx]", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, _ID_WEIGHTS))
    if _ID_CHECK_CHARS[total % 11] != value[17].upper():
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return 1800 <= born.year <= 2100


def find_identity(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) spans of identity in ``text``.

    ``needles`` are the author's known details (name, unit, ...): matched
    case-insensitively, with white space allowed between Han characters
    ("张 三" for "张三") and full-width forms equal to ASCII. Also found
    without needles: mainland mobile and landline numbers, e-mail addresses,
    valid resident ID numbers, and QQ/WeChat IDs written after their label.
    """
    folded = text.translate(_FOLD)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        pattern = _needle_pattern(needle)
        if pattern is not None:
            spans += [m.span() for m in pattern.finditer(folded)]
    for pattern in (_MOBILE, _LANDLINE, _EMAIL):
        spans += [m.span() for m in pattern.finditer(folded)]
    for pattern in (_QQ, _WECHAT):
        spans += [m.span(1) for m in pattern.finditer(folded)]
    for match in _RESIDENT_ID.finditer(folded):
        if is_valid_resident_id(re.sub(r"[ -]", "", match.group())):
            spans.append(match.span())
    return _merge(spans)


def redact(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace each span with as many "■" as it has characters.

    Same length keeps the layout (line lengths, paragraph shape) and keeps
    every other span or offset computed on the text valid.
    """
    pieces = []
    position = 0
    for start, end in _merge(spans):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        pieces += [text[position:start], REDACTION_MARK * (end - start)]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


@functools.lru_cache(maxsize=4096)  # an author's details recur: a draft, its edits, the judge copy
def _needle_pattern(needle: str) -> re.Pattern[str] | None:
    chars: list[str] = []
    spaced: list[bool] = []  # white space before chars[i] in the needle
    gap = False
    for char in needle.strip().translate(_FOLD):
        if char.isspace():
            gap = True
            continue
        chars.append(char)
        spaced.append(gap)
        gap = False
    if not chars:
        return None
    pattern = re.escape(chars[0])
    for previous, char, had_space in zip(chars, chars[1:], spaced[1:]):
        if had_space or is_han(previous) or is_han(char):
            pattern += r"\s*"
        pattern += re.escape(char)
    return re.compile(pattern, re.IGNORECASE)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- anonymous codes --------------------------------------------------------------

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0
CODE_ALPHABET = CODE_LETTERS + "23456789"
CODE_LENGTH = 6


def new_anonymous_code(existing: set[str], rng=secrets) -> str:
    """A random code such as "A7K3Q9" that is not in ``existing``.

    Random, so it reveals neither submission order nor receipt number. It
    starts with a letter so spreadsheets never read it as a number
    ("2E4567" would become 2×10⁴⁵⁶⁷). 24·32⁵ ≈ 800 million codes.
    """
    for _ in range(1000):
        code = rng.choice(CODE_LETTERS) + "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH - 1))
        if code not in existing:
            return code
    raise RuntimeError("could not find an unused anonymous code")

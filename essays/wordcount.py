"""Word counts the way Microsoft Word reports 字数, which competition notices cite.

Rules (Word's "字数" in the word-count dialog):

* each Han character counts 1 (CJK Unified Ideographs with extensions A-I,
  compatibility ideographs, and 〇);
* each full-width punctuation mark or symbol counts 1: everything whose East
  Asian Width is Fullwidth or Wide (，。、《》【】「」～￥ ...), plus the
  "ambiguous" width punctuation that Chinese text uses as full width
  (“”‘’—…·※℃ ...). So "……" counts 2 and "——" counts 2;
* Japanese kana count 1 each, as in Word, and so do enclosed numbers (①⑴㉑),
  which Chinese text uses as list markers;
* each run of letters or digits in any other script counts 1 ("word"), after
  folding full-width letters and digits (ＡＢＣ１２３) to ASCII. Inside a run,
  an apostrophe, hyphen, period, underscore or slash between two letters or
  digits joins the run ("don't", "COVID-19", "3.14", "and/or"), and a comma or
  colon joins digits ("1,000", "10:30"); combining marks stay in their word
  ("café" with a decomposed accent is one word);
* a URL or e-mail address counts 1, as Word counts it as one space-free token;
* an emoji counts 1, including skin-tone, ZWJ-joined and flag sequences;
* half-width punctuation, white space and invisible format characters count 0.

Word itself splits Latin words only at white space, so "hello,world" is one
word there and two here; essays in Chinese rarely hit that difference.
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import UserError
from core.i18n_markers import N_

HAN_RANGES = (
    (0x3007, 0x3007),  # 〇 ideographic number zero
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x2A6DF),  # extension B
    (0x2A700, 0x2EE5F),  # extensions C, D, E, F, I
    (0x2F800, 0x2FA1F),  # compatibility ideographs supplement
    (0x30000, 0x323AF),  # extensions G, H
)

# Full-width ASCII letters and digits fold to ASCII; full-width punctuation
# keeps its width because it counts differently.
_FULLWIDTH_ALNUM = {
    code: code - 0xFEE0 for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}

_ALWAYS_JOIN = frozenset("'’ʼ-‐‑._/")
_DIGIT_JOIN = frozenset(",:")

_URL_OR_EMAIL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]*[A-Za-z0-9/#=_\-]"
    r"|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
    re.ASCII,
)

_EMOJI_BASE = (
    "\u231a-\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa-\u25ab"
    "\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf\u2934-\u2935\u2b05-\u2b07"
    "\u2b1b-\u2b1c\u2b50\u2b55\U0001f000-\U0001f1e5\U0001f200-\U0001faff"
)
_EMOJI_TAIL = "\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_EMOJI = re.compile(
    r"[\U0001F1E6-\U0001F1FF]{1,2}"  # a flag is a pair of regional indicators
    rf"|[{_EMOJI_BASE}][{_EMOJI_TAIL}]*(?:\u200d[{_EMOJI_BASE}][{_EMOJI_TAIL}]*)*"
)

RULES = ("word", "han")


def _char_class(ranges) -> str:
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)


_HAN = re.compile(f"[{_char_class(HAN_RANGES)}]")
_KANA_RANGES = ((0x3041, 0x309F), (0x30A1, 0x30FA), (0x30FC, 0x30FF))  # not ゠ (30A0) or ・ (30FB)
# Characters that always count exactly 1 wherever they stand: Han, kana and the
# full-width punctuation of Chinese prose. None of them can belong to a URL, an
# emoji or a Latin word (none is a letter, digit, mark or joiner), so runs of
# them are counted by length, and only the pieces between runs go through the
# per-character rules below. Kept in step with those rules by a test that
# compares both on every listed character.
_SINGLE_PUNCTUATION = (
    (0x3001, 0x3003),
    (0x3008, 0x3011),
    (0x3014, 0x301F),
    (0xFF01, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF5E),
    (0xFFE0, 0xFFE6),
    (0x00B7, 0x00B7),
    (0x2014, 0x2014),
    (0x2018, 0x2018),
    (0x201C, 0x201D),
    (0x2026, 0x2026),
)
SINGLE_RANGES = HAN_RANGES + _KANA_RANGES + _SINGLE_PUNCTUATION
_RUNS = re.compile(f"(?P<single>[{_char_class(SINGLE_RANGES)}]+)|\\s+")


def is_han(char: str) -> bool:
    return _HAN.match(char) is not None


def count_han(text: str) -> int:
    """Number of Han characters, the "pure Han count" shown beside 字数."""
    return len(_HAN.findall(text))


def count_words(text: str) -> int:
    """Word's 字数 for ``text`` (see the module docstring for the rules)."""
    text = text.translate(_FULLWIDTH_ALNUM)
    count = 0
    position = 0
    for run in _RUNS.finditer(text):
        if run.start() > position:
            count += _count_piece(text, position, run.start())
        if run.group("single"):
            count += run.end() - run.start()
        position = run.end()
    if position < len(text):
        count += _count_piece(text, position, len(text))
    return count


def _count_piece(text: str, position: int, length: int) -> int:
    """Count ``text[position:length]`` character by character (no white space runs inside)."""
    count = 0
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        token = _URL_OR_EMAIL.match(text, position, length) if char.isascii() else None
        if token is None and not char.isascii():
            token = _EMOJI.match(text, position, length)
        if token is not None:
            count += 1
            position = token.end()
            continue
        if is_han(char) or _is_kana(char) or _is_enclosed_number(char):
            count += 1
            position += 1
        elif char.isalnum():
            count += 1
            position = _end_of_word(text, position, length)
        else:
            count += _counts_as_fullwidth(char)
            position += 1
    return count


# What a count over or under a genre's limit says, by unit counted (words or 汉字).
_LIMIT_MESSAGES = {
    ("word", "max"): N_("The entry has %(count)s words, more than the limit of %(limit)s."),
    ("han", "max"): N_("The entry has %(count)s Chinese characters, more than the limit of %(limit)s."),
    ("word", "min"): N_("The entry has %(count)s words, fewer than the minimum of %(limit)s."),
    ("han", "min"): N_("The entry has %(count)s Chinese characters, fewer than the minimum of %(limit)s."),
}


def check_length(text: str, minimum: int | None, maximum: int | None, rule: str = "word") -> int:
    """Count ``text`` by ``rule`` ("word" = 字数, "han" = 汉字数) and enforce limits.

    Limits are inclusive; ``None`` means no limit. Returns the count, or raises
    UserError naming the count and the limit so the author can fix the entry
    before the deadline.
    """
    if rule == "word":
        count = count_words(text)
    elif rule == "han":
        count = count_han(text)
    else:
        raise ValueError(f"unknown counting rule {rule!r}; expected one of {RULES}")
    unit = "word" if rule == "word" else "han"
    if maximum is not None and count > maximum:
        raise UserError(_LIMIT_MESSAGES[unit, "max"], count=count, limit=maximum)
    if minimum is not None and count < minimum:
        raise UserError(_LIMIT_MESSAGES[unit, "min"], count=count, limit=minimum)
    return count


def _is_kana(char: str) -> bool:
    return "\u3041" <= char <= "\u30ff" and char not in "\u30a0\u30fb"


def _is_enclosed_number(char: str) -> bool:
    """①, ⑴, ㉑ ...: list markers in Chinese text, one full-width symbol each."""
    return (
        char >= "\u2000"
        and unicodedata.category(char) == "No"
        and unicodedata.east_asian_width(char) in ("A", "W", "F")
    )


def _is_word_char(char: str) -> bool:
    """A letter, digit or combining mark that continues a non-Han word."""
    if is_han(char) or _is_kana(char):
        return False
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _end_of_word(text: str, start: int, length: int) -> int:
    """Index just past the letter/digit run starting at ``start`` (stopping by ``length``)."""
    position = start + 1
    while position < length:
        char = text[position]
        if _is_word_char(char):
            position += 1
            continue
        if position + 1 < length and _joins(text[position - 1], char, text[position + 1]):
            position += 2
            continue
        break
    return position


def _joins(before: str, joiner: str, after: str) -> bool:
    if not _is_word_char(after) or not after.isalnum():
        return False
    if joiner in _ALWAYS_JOIN:
        return True
    return joiner in _DIGIT_JOIN and before.isdigit() and after.isdigit()


def _counts_as_fullwidth(char: str) -> int:
    width = unicodedata.east_asian_width(char)
    category = unicodedata.category(char)
    if category[0] in "CZ":  # controls, format characters, separators
        return 0
    if width in ("F", "W"):
        return 1
    # "Ambiguous" punctuation such as “”‘’—…· is full width in Chinese text.
    return int(width == "A" and category[0] in "PS")

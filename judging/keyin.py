"""Offline judging: parse keyed-in score sheets and compare two independent entries.

Paper score sheets come back from judges and two clerks key them in
independently (双人录入). This module reads each file (.xlsx, or .csv in
UTF-8 with or without BOM, or GBK), checks every row against the round's
rubric and assignments, and compares the two entries cell by cell. Nothing
here touches the database: the caller passes the round as plain data and
stores scores only when ``Comparison.ok``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field

from core.archives import check_workbook
from core.errors import UserError
from core.i18n_markers import N_

CODE_HEADER = "匿名编号"
JUDGE_HEADER = "评委"
COMMENT_HEADER = "评语"
COMMENT_KEY = "comment"  # criterion key of the comment in a Disagreement
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
_EPS = 1e-6


@dataclass(frozen=True)
class CriterionSpec:
    key: str  # criterion id as stored in Score.values
    name: str
    maximum: float
    step: float


@dataclass(frozen=True)
class RoundContext:
    """What the rows are checked against.

    ``judges`` maps every name a clerk may type (username, display name) to
    the judge ids it may mean; several ids make the name ambiguous.
    ``slots`` maps (code, judge id) of live assignments to the assignment id.
    """

    criteria: list[CriterionSpec]
    codes: frozenset[str]
    judges: dict[str, frozenset[int]]
    judge_labels: dict[int, str]
    slots: dict[tuple[str, int], int]
    recused: frozenset[tuple[str, int]] = frozenset()
    unpledged: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RawRow:
    line: int  # 1-based row number in the file, header included
    cells: dict[str, object]  # header -> cell value


@dataclass(frozen=True)
class RowError:
    source: str  # "first" | "second"
    line: int
    message: str  # untranslated msgid with %(name)s parameters
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class KeyedScore:
    code: str
    judge_id: int
    assignment_id: int
    values: dict[str, float]  # criterion key -> value
    comment: str
    line: int


@dataclass(frozen=True)
class Disagreement:
    code: str
    judge_id: int
    judge_label: str
    criterion: str | None  # criterion key, COMMENT_KEY, or None when the row is missing on one side
    criterion_name: str
    first: object
    second: object


@dataclass
class Comparison:
    agreed: list[KeyedScore]
    disagreements: list[Disagreement]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return bool(self.agreed) and not self.disagreements and not self.errors


# --------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; Excel on Chinese Windows saves GBK (GB18030 covers it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UserError(N_("The file is neither UTF-8 nor GBK text.")) from None


def _grid_from_csv(data: bytes) -> list[list[object]]:
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _grid_from_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    check_workbook(data)  # openpyxl trusts the ZIP's declared sizes
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise UserError(N_("The spreadsheet could not be read; save it again as .xlsx.")) from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        wb.close()


def read_rows(data: bytes, filename: str) -> list[RawRow]:
    """The data rows of an .xlsx or .csv file keyed by header; blank rows skipped."""
    if len(data) > MAX_BYTES:
        raise UserError(N_("The file is larger than %(size)s MB."), size=MAX_BYTES // (1024 * 1024))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        grid = _grid_from_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        grid = _grid_from_csv(data)
    else:
        raise UserError(N_("Upload an .xlsx or .csv file."))
    while grid and all(_blank(c) for c in grid[0]):
        grid.pop(0)
    if not grid:
        raise UserError(N_("The file is empty."))
    header = [_clean_header(c) for c in grid[0]]
    if len(grid) - 1 > MAX_ROWS:
        raise UserError(N_("The file has more than %(count)s rows."), count=MAX_ROWS)
    rows = []
    for number, values in enumerate(grid[1:], start=2):
        if all(_blank(c) for c in values):
            continue
        cells = {h: v for h, v in zip(header, values) if h}
        rows.append(RawRow(number, cells))
    return rows


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_header(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def match_columns(headers: list[str], criteria: list[CriterionSpec]) -> dict[str, str]:
    """criterion key -> header. A header may carry a note in brackets: 立意（满分40）."""
    plain = {_SUFFIX.sub("", h): h for h in headers}
    out = {}
    missing = []
    for c in criteria:
        name = unicodedata.normalize("NFKC", c.name).strip()
        if name in headers:
            out[c.key] = name
        elif name in plain:
            out[c.key] = plain[name]
        else:
            missing.append(c.name)
    for required in (CODE_HEADER, JUDGE_HEADER):
        if required not in headers:
            missing.insert(0, required)
    if missing:
        raise UserError(N_("Columns missing from the file: %(names)s."), names="、".join(missing))
    return out


def template_header(criteria: list[CriterionSpec]) -> list[str]:
    return [CODE_HEADER, JUDGE_HEADER] + [c.name for c in criteria] + [COMMENT_HEADER]


# --------------------------------------------------------------------------
# Checking rows
# --------------------------------------------------------------------------


def normalise_name(value: object) -> str:
    """How typed names are compared: full-width folded, spaces dropped, case-insensitive."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text).casefold()


def normalise_code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def normalise_comment(value: object) -> str:
    """Comments agree when they differ only in spacing and line breaks."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


def parse_number(value: object) -> float | None:
    """A score cell as a number; None when blank. Raises ValueError when it is not a number."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        number = float(unicodedata.normalize("NFKC", str(value)).strip())
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def on_step(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < _EPS


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_rows(
    rows: list[RawRow], ctx: RoundContext, source: str
) -> tuple[dict[tuple[str, int], KeyedScore], list[RowError]]:
    """Valid rows keyed by (code, judge id), and an error for every rejected row."""
    if not rows:
        return {}, [RowError(source, 0, N_("The file has no score rows."))]
    headers = list(rows[0].cells)
    for r in rows[1:]:
        headers.extend(h for h in r.cells if h not in headers)
    columns = match_columns(headers, ctx.criteria)
    good: dict[tuple[str, int], KeyedScore] = {}
    errors: list[RowError] = []

    def fail(at: int, message: str, **params) -> None:
        errors.append(RowError(source, at, message, params))

    for row in rows:
        code = normalise_code(row.cells.get(CODE_HEADER))
        judge_text = str(row.cells.get(JUDGE_HEADER) or "").strip()
        if not code:
            fail(row.line, N_("The anonymous code is missing."))
            continue
        if code not in ctx.codes:
            fail(row.line, N_("Unknown anonymous code %(code)s."), code=code)
            continue
        if not judge_text:
            fail(row.line, N_("The judge is missing for %(code)s."), code=code)
            continue
        ids = ctx.judges.get(normalise_name(judge_text), frozenset())
        if not ids:
            fail(row.line, N_("Unknown judge %(judge)s."), judge=judge_text)
            continue
        if len(ids) > 1:
            fail(row.line, N_("%(judge)s matches several judges; type the username."), judge=judge_text)
            continue
        (judge_id,) = ids
        key = (code, judge_id)
        if key in ctx.recused:
            fail(row.line, N_("%(judge)s has recused themselves from %(code)s."), judge=judge_text, code=code)
            continue
        if key not in ctx.slots:
            fail(row.line, N_("%(judge)s is not assigned to %(code)s."), judge=judge_text, code=code)
            continue
        if judge_id in ctx.unpledged:
            fail(row.line, N_("%(judge)s has not accepted the judge's pledge."), judge=judge_text)
            continue
        values: dict[str, float] = {}
        bad = False
        for c in ctx.criteria:
            raw = row.cells.get(columns[c.key])
            try:
                value = parse_number(raw)
            except ValueError:
                fail(row.line, N_("%(name)s: %(value)s is not a number."), name=c.name, value=str(raw).strip())
                bad = True
                continue
            if value is None:
                fail(row.line, N_("Give a score for %(name)s."), name=c.name)
                bad = True
            elif value < -_EPS or value > c.maximum + _EPS:
                fail(
                    row.line,
                    N_("%(name)s: the score must be between 0 and %(maximum)s."),
                    name=c.name,
                    maximum=_fmt(c.maximum),
                )
                bad = True
            elif not on_step(value, c.step):
                fail(
                    row.line, N_("%(name)s: the score must be a multiple of %(step)s."), name=c.name, step=_fmt(c.step)
                )
                bad = True
            else:
                values[c.key] = value
        if key in good:
            fail(
                row.line,
                N_("%(code)s by %(judge)s is keyed in twice (rows %(first)s and %(line)s)."),
                code=code,
                judge=ctx.judge_labels.get(judge_id, judge_text),
                first=good[key].line,
                line=row.line,
            )
            continue
        if bad:
            continue
        good[key] = KeyedScore(
            code, judge_id, ctx.slots[key], values, normalise_comment(row.cells.get(COMMENT_HEADER)), row.line
        )
    return good, errors


# --------------------------------------------------------------------------
# Comparing the two entries
# --------------------------------------------------------------------------


def compare(
    first: dict[tuple[str, int], KeyedScore],
    second: dict[tuple[str, int], KeyedScore],
    ctx: RoundContext,
    *,
    skip: frozenset = frozenset(),
) -> tuple[list[KeyedScore], list[Disagreement]]:
    """Cell-by-cell comparison; rows in ``skip`` (rejected in either file) are left to the errors."""
    agreed: list[KeyedScore] = []
    out: list[Disagreement] = []
    names = {c.key: c.name for c in ctx.criteria}
    for key in sorted(set(first) | set(second)):
        if key in skip:
            continue
        a, b = first.get(key), second.get(key)
        label = ctx.judge_labels.get(key[1], str(key[1]))
        if a is None or b is None:
            out.append(Disagreement(key[0], key[1], label, None, "", a is not None, b is not None))
            continue
        same = True
        for c in ctx.criteria:
            if abs(a.values[c.key] - b.values[c.key]) > _EPS:
                out.append(Disagreement(key[0], key[1], label, c.key, names[c.key], a.values[c.key], b.values[c.key]))
                same = False
        # Spacing means nothing in Chinese text; a clerk's line break must not block the import.
        if re.sub(r"\s+", "", a.comment) != re.sub(r"\s+", "", b.comment):
            out.append(Disagreement(key[0], key[1], label, COMMENT_KEY, COMMENT_HEADER, a.comment, b.comment))
            same = False
        if same:
            agreed.append(a)
    return agreed, out


def check_double_entry(first: list[RawRow], second: list[RawRow], ctx: RoundContext) -> Comparison:
    """Validate both entries and compare them; ``ok`` only if they agree everywhere."""
    a, errors_a = check_rows(first, ctx, "first")
    b, errors_b = check_rows(second, ctx, "second")
    errors = errors_a + errors_b
    # A row rejected in one file would show up again as "missing": report it once, as the error.
    skip = frozenset((_named_keys(first, ctx) - set(a)) | (_named_keys(second, ctx) - set(b)))
    agreed, disagreements = compare(a, b, ctx, skip=skip)
    return Comparison(agreed, disagreements, errors)


def _named_keys(rows: list[RawRow], ctx: RoundContext) -> set[tuple[str, int]]:
    """(code, judge id) every row names, whether or not the row was accepted."""
    out = set()
    for row in rows:
        code = normalise_code(row.cells.get(CODE_HEADER))
        ids = ctx.judges.get(normalise_name(row.cells.get(JUDGE_HEADER)), frozenset())
        if len(ids) == 1:
            out.add((code, next(iter(ids))))
    return out

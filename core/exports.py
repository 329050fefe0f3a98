"""Every table download (.csv, .xlsx) is written here, with the formula guard.

A ``Table`` is a sheet: columns (header text, through gettext at the caller,
and a width), rows as any iterable of sequences (a generator is fine: rows are
written as they come, so a large sheet never sits in memory twice), an
optional title row above the headers (.xlsx only) and the sheet's name.

The guard (OWASP "CSV injection"): a text cell starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return would be run as a formula by a
spreadsheet program. In CSV such a cell gets a leading ``'``; in .xlsx it is
written as a string cell with Excel's quote-prefix flag, never as a formula,
so the text reads exactly as typed. Numbers stay numbers (-1 is a number,
"-1" is text).

CSV is UTF-8 with a byte-order mark so Excel opens Chinese text correctly.
.xlsx uses openpyxl's write-only mode, so rows are never all held as cells;
a download is written into a spooled temporary file and sent from it in chunks.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import numbers
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import IO, Any, Iterable, Iterator, Sequence
from urllib.parse import quote

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_TEXT = 32767  # characters Excel keeps in one cell
_CSV_CHUNK = 64 * 1024


@dataclass
class Column:
    header: Any  # str or a lazy gettext string
    width: float | None = None


@dataclass
class Table:
    columns: Sequence[Column | Any]
    rows: Iterable[Sequence[Any]]
    sheet: Any = "Sheet1"
    title: Any = None  # a bold title row above the headers (.xlsx only)
    freeze_header: bool = True

    def __post_init__(self):
        self.columns = [c if isinstance(c, Column) else Column(c) for c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]


# --- the guard ------------------------------------------------------------------


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet program would run as a formula (never for a number)."""
    return isinstance(value, str) and value[:1] in FORMULA_TRIGGERS


def csv_cell(value: Any) -> Any:
    """A value as it goes into a CSV cell: dangerous text prefixed with ``'``."""
    if type(value) is str:  # the common case first: this runs for every cell
        return "'" + value if value[:1] in FORMULA_TRIGGERS else value
    if value is None:
        return ""
    if _is_number(value):
        return value
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def _is_number(value: Any) -> bool:
    if type(value) in (int, float):
        return True
    return isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """Numbers, dates and None as they are; everything else (lazy strings, enums) as text."""
    if value is None or _is_number(value) or isinstance(value, (str, bool, dt.date, dt.time)):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)  # Excel has no time zones; callers pass local times
        return value
    return str(value)


# --- writers --------------------------------------------------------------------


def iter_csv(table: Table) -> Iterator[bytes]:
    """The table as CSV bytes in chunks, starting with the UTF-8 byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(h) for h in table.headers])
    yield "\ufeff".encode("utf-8")
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
        if buffer.tell() >= _CSV_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(table: Table, fh: IO[bytes]) -> None:
    for chunk in iter_csv(table):
        fh.write(chunk)


def _xlsx_cell_maker(ws):
    """A function turning one value into what ``ws.append`` takes, guarded (openpyxl imported once)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def make(value: Any, font=None):
        if type(value) is not str:
            value = _plain(value)
        if isinstance(value, str):
            # Control characters make openpyxl refuse the whole file; they carry nothing readable.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_TEXT]
            guarded = value[:1] in FORMULA_TRIGGERS
        else:
            guarded = False
        if not guarded and font is None:
            return value
        cell = WriteOnlyCell(ws, value=value)
        if guarded:
            cell.data_type = "s"  # openpyxl would store "=..." as a formula
            cell.quotePrefix = True  # and Excel keeps it text even when the cell is edited
        if font is not None:
            cell.font = font
        return cell

    return make


def write_xlsx(tables: Table | Sequence[Table], fh: IO[bytes]) -> None:
    """One sheet per table, streamed (write-only workbook) into ``fh``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    tables = [tables] if isinstance(tables, Table) else list(tables)
    wb = Workbook(write_only=True)
    bold, big = Font(bold=True), Font(bold=True, size=14)
    for table in tables:
        ws = wb.create_sheet(_sheet_name(table.sheet))
        for index, column in enumerate(table.columns, start=1):
            if column.width:
                ws.column_dimensions[get_column_letter(index)].width = column.width
        header_row = 1 if table.title is None else 2
        if table.freeze_header:
            ws.freeze_panes = f"A{header_row + 1}"
        cell = _xlsx_cell_maker(ws)
        if table.title is not None:
            ws.append([cell(str(table.title), big)])
        ws.append([cell(h, bold) for h in table.headers])
        for row in table.rows:
            ws.append([cell(v) for v in row])
    wb.save(fh)


def _sheet_name(name: Any) -> str:
    text = "".join(ch for ch in str(name) if ch not in "[]:*?/\\").strip("'")
    return text[:31] or "Sheet1"


def write_table(tables: Table | Sequence[Table], fmt: str, fh: IO[bytes]) -> None:
    """Write as ``csv`` (the first table only) or ``xlsx``."""
    if fmt == "csv":
        write_csv(tables if isinstance(tables, Table) else tables[0], fh)
    elif fmt == "xlsx":
        write_xlsx(tables, fh)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def table_bytes(tables: Table | Sequence[Table], fmt: str) -> bytes:
    out = io.BytesIO()
    write_table(tables, fmt, out)
    return out.getvalue()


def mimetype(fmt: str) -> str:
    return CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE


# --- responses ------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266), as send_file does."""
    filename = "".join(ch for ch in filename if ch.isprintable()) or "download"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    # Only printable ASCII in the fallback: a title with a line break must not reach the header raw.
    ascii_name = "".join(ch for ch in ascii_name if " " <= ch <= "~" and ch not in '"\\').strip() or "download"
    if "." in filename and "." not in ascii_name:
        ascii_name += "." + filename.rsplit(".", 1)[1]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def send_table(tables: Table | Sequence[Table], fmt: str, filename: str):
    """A download response. The file is written inside the request (rows may come from a database cursor)
    into a spooled temporary file, which moves to disk past 8 MB, and is sent from there in chunks."""
    from flask import Response

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    try:
        write_table(tables, fmt, spool)
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    spool.seek(0)
    response = Response(_read_and_close(spool), mimetype=mimetype(fmt), direct_passthrough=True)
    response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _read_and_close(fh: IO[bytes], chunk: int = 256 * 1024) -> Iterator[bytes]:
    try:
        for block in iter(lambda: fh.read(chunk), b""):
            yield block
    finally:
        fh.close()

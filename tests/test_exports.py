"""core.exports: the formula guard (a table of cases) and the CSV/.xlsx writers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core import exports
from helpers import PLANT, assert_no_formula


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),  # text that looks like a number is still text
        (-1, -1),  # a number stays a number
        (2.5, 2.5),
        (0, 0),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        (PLANT, "'" + PLANT),
        ("春风又绿渭河岸", "春风又绿渭河岸"),
        ("a=b+c", "a=b+c"),  # only the first character matters
        (" =1", " =1"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_cell_guard(value, expected):
    assert exports.csv_cell(value) == expected


@pytest.mark.parametrize(
    "value, dangerous",
    [
        ("=1+1", True),
        ("+1", True),
        ("-1", True),
        ("@SUM", True),
        ("\t=", True),
        ("\r=", True),
        (-1, False),
        (1.5, False),
        (None, False),
        ("正常的中文标题", False),
        ("", False),
        ("1-1", False),
    ],
)
def test_is_formula_like(value, dangerous):
    assert exports.is_formula_like(value) is dangerous


DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1:A9)", "\t=1+1", PLANT]


def _table(rows=None, **kw):
    return exports.Table(
        [exports.Column("标题", 30), "得分"],
        rows if rows is not None else [[text, -1] for text in DANGEROUS] + [["正常", 2.5]],
        sheet="测试",
        **kw,
    )


def test_xlsx_keeps_dangerous_text_as_text_and_numbers_as_numbers():
    data = exports.table_bytes(_table(), "xlsx")
    assert_no_formula(data)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "测试"
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[0]] == ["标题", "得分"]
    for text, row in zip(DANGEROUS, rows[1:]):
        assert row[0].value == text and row[0].data_type == "s" and row[0].quotePrefix
        assert row[1].value == -1 and row[1].data_type == "n"
    assert [c.value for c in rows[-1]] == ["正常", 2.5]


def test_csv_has_bom_and_prefixes_dangerous_text():
    data = exports.table_bytes(_table(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["标题", "得分"]
    assert [r[0] for r in rows[1:-1]] == ["'" + t for t in DANGEROUS]
    assert all(r[1] == "-1" for r in rows[1:-1])
    assert rows[-1] == ["正常", "2.5"]


def test_headers_and_title_are_guarded_too():
    table = exports.Table(["=A1", "+B"], [], sheet="x", title="=TITLE()")
    data = exports.table_bytes(table, "xlsx")
    assert_no_formula(data)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "=TITLE()" and list(rows[1]) == ["=A1", "+B"]
    assert exports.table_bytes(table, "csv").decode("utf-8-sig").splitlines()[0] == "'=A1,'+B"


def test_control_characters_do_not_break_the_workbook():
    data = exports.table_bytes(_table([["标\x01题\x0b", 1]]), "xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "标题"


def test_several_sheets_and_rows_from_a_generator():
    def rows():
        for i in range(5000):
            yield [i, f"第{i}行"]

    first = exports.Table(["序号", "内容"], rows(), sheet="一:/[二]")
    second = exports.Table(["项"], [["=1"]], sheet="评分细则")
    wb = load_workbook(io.BytesIO(exports.table_bytes([first, second], "xlsx")))
    assert wb.sheetnames == ["一二", "评分细则"]
    assert wb["一二"].max_row == 5001 and wb["一二"]["B5001"].value == "第4999行"
    assert wb["评分细则"]["A2"].value == "=1" and wb["评分细则"]["A2"].data_type == "s"


def test_send_table_names_the_file_in_utf8(app):
    with app.test_request_context():
        response = exports.send_table(_table(), "csv", "稿件清单.csv")
        body = b"".join(response.response)
    assert response.mimetype == "text/csv" and "charset=utf-8" in response.headers["Content-Type"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''%E7%A8%BF" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    assert body.startswith(b"\xef\xbb\xbf") and response.content_length == len(body)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        exports.table_bytes(_table(), "ods")


@pytest.mark.parametrize(
    "filename, ascii_part, utf8_part",
    [
        ("T1-稿件清单.csv", 'filename="T1-.csv"', "UTF-8''T1-%E7%A8%BF%E4%BB%B6%E6%B8%85%E5%8D%95.csv"),
        ("活动\r\nX-Evil: 1.xlsx", 'filename="X-Evil: 1.xlsx"', "UTF-8''%E6%B4%BB%E5%8A%A8X-Evil%3A%201.xlsx"),
        ('a"b\\c.csv', 'filename="abc.csv"', "UTF-8''a%22b%5Cc.csv"),
    ],
)
def test_content_disposition_never_carries_raw_control_characters(filename, ascii_part, utf8_part):
    value = exports.content_disposition(filename)
    assert value.startswith("attachment; ") and ascii_part in value and value.endswith(utf8_part)
    assert "\r" not in value and "\n" not in value

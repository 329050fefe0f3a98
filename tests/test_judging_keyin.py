"""judging.keyin: reading keyed-in score files and comparing two independent entries (pure, no database)."""

from __future__ import annotations

import csv
import io

import pytest

from core.errors import UserError
from judging import keyin

CRITERIA = [
    keyin.CriterionSpec("11", "立意", 40, 1),
    keyin.CriterionSpec("12", "语言", 30, 0.5),
    keyin.CriterionSpec("13", "结构", 30, 1),
]
CTX = keyin.RoundContext(
    criteria=CRITERIA,
    codes=frozenset({"A001", "A002", "A003"}),
    judges={
        "wang": frozenset({1}),
        "王老师": frozenset({1}),
        "li": frozenset({2}),
        "李老师": frozenset({2}),
        "zhao": frozenset({3}),
        "张老师": frozenset({3, 4}),
        "zhang": frozenset({4}),
    },
    judge_labels={1: "王老师（wang）", 2: "李老师（li）", 3: "张老师（zhao）", 4: "张老师（zhang）"},
    slots={("A001", 1): 101, ("A001", 2): 102, ("A002", 1): 103, ("A002", 3): 104, ("A003", 4): 105},
    recused=frozenset({("A003", 2)}),
    unpledged=frozenset({4}),
)
HEADER = ["匿名编号", "评委", "立意", "语言", "结构", "评语"]
GOOD = [
    ["A001", "wang", 35, 25.5, 20, "立意新颖"],
    ["A001", "李老师", 30, 20, 20, ""],
    ["A002", "王老师", 38, 28, 27, "结构严谨"],
]


def _csv(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header] + rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _check(first_rows, second_rows, first_fmt="xlsx", second_fmt="csv"):
    make = {"xlsx": (_xlsx, "a.xlsx"), "csv": (_csv, "b.csv")}
    (f1, n1), (f2, n2) = make[first_fmt], make[second_fmt]
    return keyin.check_double_entry(keyin.read_rows(f1(first_rows), n1), keyin.read_rows(f2(second_rows), n2), CTX)


@pytest.mark.parametrize(
    "data, name",
    [
        (_csv(GOOD), "entry.csv"),
        (_csv(GOOD, encoding="utf-8"), "entry.csv"),
        (_csv(GOOD, encoding="gbk"), "entry.csv"),
        (_xlsx(GOOD), "entry.xlsx"),
        (_csv(GOOD, header=["匿名编号", "评委", "立意（满分40）", "语言(30)", "结构", "评语"]), "entry.csv"),
        (_csv([["", "", "", "", "", ""]] + GOOD + [[" ", "", "", "", "", ""]]), "entry.csv"),  # blank rows skipped
    ],
)
def test_files_in_every_accepted_format_agree_with_the_same_xlsx(data, name):
    result = keyin.check_double_entry(keyin.read_rows(_xlsx(GOOD), "first.xlsx"), keyin.read_rows(data, name), CTX)
    assert result.ok, (result.errors, result.disagreements)
    by_slot = {r.assignment_id: r for r in result.agreed}
    assert sorted(by_slot) == [101, 102, 103]
    assert by_slot[101].values == {"11": 35, "12": 25.5, "13": 20} and by_slot[101].comment == "立意新颖"


def test_gbk_csv_keeps_the_chinese_names_and_comments():
    rows = keyin.read_rows(_csv([["A001", "王老师", 35, 25.5, 20, "语言生动，结构严谨"]], encoding="gbk"), "x.csv")
    assert rows[0].cells["评委"] == "王老师" and rows[0].cells["评语"] == "语言生动，结构严谨"


@pytest.mark.parametrize(
    "second, expected",
    [
        # One cell typed differently.
        ([GOOD[0], ["A001", "李老师", 30, 20, 21, ""], GOOD[2]], [("A001", "李老师（li）", "结构", 20.0, 21.0)]),
        # Two cells in one row.
        (
            [["A001", "wang", 34, 25, 20, "立意新颖"], GOOD[1], GOOD[2]],
            [("A001", "王老师（wang）", "立意", 35.0, 34.0), ("A001", "王老师（wang）", "语言", 25.5, 25.0)],
        ),
        # A row forgotten by the second clerk.
        ([GOOD[0], GOOD[2]], [("A001", "李老师（li）", "", True, False)]),
        # A comment keyed in differently.
        (
            [GOOD[0], GOOD[1], ["A002", "王老师", 38, 28, 27, "结构严禁"]],
            [("A002", "王老师（wang）", "评语", "结构严谨", "结构严禁")],
        ),
    ],
)
def test_disagreements_are_listed_cell_by_cell(second, expected):
    result = _check(GOOD, second)
    assert not result.ok and result.errors == []
    assert [(d.code, d.judge_label, d.criterion_name, d.first, d.second) for d in result.disagreements] == expected


@pytest.mark.parametrize(
    "second",
    [
        [["a001", "WANG", "35", "25.50", "20", " 立意新颖 "], GOOD[1], GOOD[2]],  # case, spacing, text numbers
        [["Ａ００１", "ｗａｎｇ", "３５", "25.5", "20", "立意新颖"], GOOD[1], GOOD[2]],  # full-width typing
        [GOOD[2], GOOD[1], ["A001", "王老师", 35.0, 25.5, 20.0, "立意\n新颖"]],  # other order, name vs username
    ],
)
def test_same_scores_typed_differently_still_agree(second):
    result = _check(GOOD, second)
    assert result.ok, (result.errors, result.disagreements)


@pytest.mark.parametrize(
    "row, message",
    [
        (["A002", "zhao", 41, 25, 20, ""], "between 0 and 40"),
        (["A002", "zhao", -1, 25, 20, ""], "between 0 and 40"),
        (["A002", "zhao", 35, 25.25, 20, ""], "multiple of 0.5"),
        (["A002", "zhao", 35.5, 25, 20, ""], "multiple of 1"),
        (["A002", "zhao", "三十", 25, 20, ""], "is not a number"),
        (["A002", "zhao", "", 25, 20, ""], "Give a score for 立意"),
        (["B999", "zhao", 35, 25, 20, ""], "Unknown anonymous code B999"),
        (["", "zhao", 35, 25, 20, ""], "anonymous code is missing"),
        (["A002", "钱老师", 35, 25, 20, ""], "Unknown judge 钱老师"),
        (["A002", "", 35, 25, 20, ""], "judge is missing"),
        (["A002", "li", 35, 25, 20, ""], "li is not assigned to A002"),
        (["A003", "li", 35, 25, 20, ""], "recused"),
        (["A003", "张老师", 35, 25, 20, ""], "several judges"),
        (["A003", "zhang", 35, 25, 20, ""], "pledge"),
    ],
)
def test_bad_rows_are_reported_with_their_line_and_block_the_import(row, message):
    rows = GOOD + [row]
    result = _check(rows, rows)
    assert not result.ok
    assert result.disagreements == []  # a rejected row is reported once, as an error
    errors = [(e.source, e.line, e.message % e.params) for e in result.errors]
    assert [(s, line) for s, line, _ in errors] == [("first", 5), ("second", 5)]
    assert all(message in text for _, _, text in errors), errors


def test_a_row_keyed_twice_in_one_file_is_an_error():
    result = _check(GOOD + [GOOD[0]], GOOD)
    assert not result.ok
    assert [(e.source, e.line) for e in result.errors] == [("first", 5)]
    assert "twice" in result.errors[0].message


@pytest.mark.parametrize(
    "data, name, message",
    [
        (_csv(GOOD, header=["匿名编号", "评委", "立意", "语言", "评语"]), "x.csv", "结构"),
        (_csv(GOOD, header=["编号", "评委", "立意", "语言", "结构", "评语"]), "x.csv", "匿名编号"),
        (b"\xff\xfe\x00\x00garbage\x80\x81", "x.csv", "neither UTF-8 nor GBK"),
        (b"PK\x03\x04 not really a zip", "x.xlsx", "could not be read"),
        (b"whatever", "scores.xls", "xlsx or .csv"),
        (b"", "x.csv", "empty"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(data, name, message):
    with pytest.raises(UserError, match=message):
        rows = keyin.read_rows(data, name)
        keyin.check_rows(rows, CTX, "first")

"""Password policy and user-sheet parsing, as tables of cases."""

import pytest

from accounts.passwords import password_problems
from accounts.sheets import parse_rows, read_table
from core.errors import UserError


@pytest.mark.parametrize(
    "password, username, expected",
    [
        ("Correct-Horse-9", "wang", []),
        ("长城长江黄河泰山", "wang", []),
        ("short", "wang", ["at least 8"]),
        ("12345678", "wang", ["too common"]),
        ("woaini1314", "wang", ["too common"]),
        ("QWERTY123", "wang", ["too common"]),
        ("aaaaaaaa", "wang", ["too common"]),
        ("abcdefgh", "wang", ["too common"]),
        ("87654321", "wang", ["too common"]),
        ("wangxiaoming-2026", "wangxiaoming", ["user name"]),
        ("WANG-secret-99", "wang", ["user name"]),
        ("my-wanG-key-7", "wang", ["user name"]),
        ("abc", "abc", ["at least 8", "too common", "user name"]),
    ],
)
def test_password_policy(password, username, expected):
    problems = password_problems(password, username)
    assert len(problems) == len(expected)
    for fragment, problem in zip(expected, problems):
        assert fragment in problem


@pytest.mark.parametrize(
    "rows, error",
    [
        ([], "empty"),
        ([["姓名", "角色"]], "lacks these columns"),
        ([["用户名", "姓名", "角色"]], "no data rows"),
    ],
)
def test_sheet_shape_errors(rows, error):
    with pytest.raises(UserError) as info:
        parse_rows(rows)
    assert error in info.value.message


@pytest.mark.parametrize(
    "row, roles, errors",
    [
        (["wangwu", "王五", "评委"], ["judge"], 0),
        (["wangwu", "王五", "评委，作者"], ["judge", "author"], 0),
        (["wangwu", "王五", "judge; committee"], ["judge", "committee"], 0),
        (["wangwu", "王五", "评委 评委"], ["judge"], 0),
        (["wangwu", "王五", "厨师"], [], 1),
        (["w", "王五", "评委"], ["judge"], 1),
        (["wangwu", "", "评委"], ["judge"], 1),
        (["wangwu", "王五", ""], [], 1),
    ],
)
def test_sheet_rows(row, roles, errors):
    parsed = parse_rows([["用户名", "姓名", "角色"], row])
    assert parsed[0].roles == roles
    assert len(parsed[0].errors) == errors
    assert parsed[0].line == 2


def test_sheet_skips_blank_lines_and_numbers_phone_cells():
    parsed = parse_rows(
        [["username", "name", "role", "phone"], ["", "", "", ""], ["zhao", "赵", "作者", "13800000000"]]
    )
    assert len(parsed) == 1 and parsed[0].line == 3 and parsed[0].values["phone"] == "13800000000"


@pytest.mark.parametrize(
    "name, data, ok",
    [
        ("a.csv", "用户名,姓名,角色\n".encode("utf-8-sig"), True),
        ("a.csv", "用户名,姓名,角色\n".encode("gb18030"), True),
        ("a.xlsx", b"not a zip", False),
        ("a.txt", b"x", False),
    ],
)
def test_read_table(name, data, ok):
    if ok:
        assert read_table(name, data)[0] == ["用户名", "姓名", "角色"]
    else:
        with pytest.raises(UserError):
            read_table(name, data)

"""Resident ID numbers (GB 11643): a table of cases for the pure validators."""

from __future__ import annotations

import datetime as dt

import pytest

from nominations.validators import (
    FEMALE,
    MALE,
    agrees,
    birth_date_of,
    check_char,
    is_valid_resident_id,
    mask_resident_id,
    normalise_resident_id,
    sex_of,
)

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        # The well-known example: check sum 167, 167 mod 11 = 2, which maps to X.
        ("11010519491231002X", True),
        ("11010519491231002x", True),  # lower-case x accepted
        (" 110105 19491231 002X ", True),  # spaces are ignored
        ("610525198001010011", True),  # check digit 1
        ("610525199002150029", True),  # check digit 9, a woman
        ("440304198506071237", True),  # check digit 7
        ("310115197701010039", True),  # check digit 9
        ("110101199003070011", True),
        ("11010119900307002X", True),
        ("110105194912310021", False),  # wrong check character (X expected)
        ("610525198001010012", False),  # wrong check digit (1 expected)
        ("61052519800230001X", False),  # 30 February
        ("610525198013010011", False),  # month 13
        ("610525203001010015", False),  # born in 2030: in the future
        ("610525189912310011", False),  # before 1900
        ("61052519800101001", False),  # 17 characters
        ("6105251980010100111", False),  # 19 characters
        ("61052519800101A011", False),  # a letter among the digits
        ("X10525198001010011", False),  # X only as the check character
        ("", False),
    ],
)
def test_resident_id_validity(value, valid):
    assert is_valid_resident_id(value, today=TODAY) is valid


def test_a_date_of_birth_today_is_real_and_tomorrow_is_not():
    first17 = "610525" + "20261201" + "001"
    assert is_valid_resident_id(first17 + check_char(first17), today=TODAY)
    tomorrow = "610525" + "20261202" + "001"
    assert not is_valid_resident_id(tomorrow + check_char(tomorrow), today=TODAY)


def test_normalise_and_mask():
    assert normalise_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert mask_resident_id("610525198001010013") == "6105**********0013"
    assert mask_resident_id("11010519491231002x") == "1101**********002X"
    assert mask_resident_id("") == "" and mask_resident_id(None) == ""
    assert mask_resident_id("1234") == "****"


@pytest.mark.parametrize(
    ("value", "born", "sex"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), FEMALE),  # 17th digit 2: even
        ("610525198001010011", dt.date(1980, 1, 1), MALE),  # 17th digit 1: odd
        ("610525199002150029", dt.date(1990, 2, 15), FEMALE),
    ],
)
def test_birth_date_and_sex(value, born, sex):
    assert birth_date_of(value) == born
    assert sex_of(value) == sex


def test_birth_date_of_an_impossible_date_is_none():
    assert birth_date_of("61052519800230001X") is None


def test_agreement_with_birth_month_and_sex():
    value = "610525198001010011"  # a man born January 1980
    assert agrees(value, dt.date(1980, 1, 1), MALE) == []
    assert agrees(value, None, None) == []
    (month,) = agrees(value, dt.date(1980, 2, 1), MALE)
    assert "month of birth" in month
    (sex,) = agrees(value, dt.date(1980, 1, 1), FEMALE)
    assert "sex" in sex
    assert len(agrees(value, dt.date(1981, 1, 1), FEMALE)) == 2

"""Certificate text: dates (GB/T 9704 and Chinese numerals), numbers, levels,
award sentences and glyph coverage of the certificate font."""

import os
from datetime import date, datetime

import pytest

from core.errors import UserError
from publishing.formats import (
    LEVEL_CODES,
    LEVELS,
    NOTO_SERIF_CJK,
    award_sentence,
    certificate_number,
    font_codepoints,
    font_has_from,
    format_date,
    format_date_arabic,
    format_date_chinese,
    honour_sentence,
    level_by_code,
    level_order,
    validate_glyphs,
    validate_number_pattern,
)

D = date


@pytest.mark.parametrize(
    "d, arabic, chinese_month, chinese_day",
    [
        (D(2018, 12, 26), "2018年12月26日", "二〇一八年十二月", "二〇一八年十二月二十六日"),
        (D(2018, 10, 26), "2018年10月26日", "二〇一八年十月", "二〇一八年十月二十六日"),
        (D(2000, 1, 1), "2000年1月1日", "二〇〇〇年一月", "二〇〇〇年一月一日"),
        (D(2010, 10, 10), "2010年10月10日", "二〇一〇年十月", "二〇一〇年十月十日"),
        (D(2026, 1, 1), "2026年1月1日", "二〇二六年一月", "二〇二六年一月一日"),
        (D(2026, 11, 11), "2026年11月11日", "二〇二六年十一月", "二〇二六年十一月十一日"),
        (D(2025, 9, 20), "2025年9月20日", "二〇二五年九月", "二〇二五年九月二十日"),
        (D(2025, 9, 21), "2025年9月21日", "二〇二五年九月", "二〇二五年九月二十一日"),
        (D(2024, 4, 30), "2024年4月30日", "二〇二四年四月", "二〇二四年四月三十日"),
        (D(2019, 5, 31), "2019年5月31日", "二〇一九年五月", "二〇一九年五月三十一日"),
        (D(2024, 2, 29), "2024年2月29日", "二〇二四年二月", "二〇二四年二月二十九日"),
        (D(2021, 7, 15), "2021年7月15日", "二〇二一年七月", "二〇二一年七月十五日"),
    ],
)
def test_dates(d, arabic, chinese_month, chinese_day):
    assert format_date_arabic(d) == arabic
    assert format_date_chinese(d) == chinese_month
    assert format_date_chinese(d, with_day=True) == chinese_day
    assert "零" not in chinese_day
    assert format_date(d, "arabic") == arabic
    assert format_date(d, "chinese") == chinese_month
    assert format_date(d, "chinese_with_day") == chinese_day


def test_datetime_formats_as_its_date():
    assert format_date_arabic(datetime(2026, 3, 5, 23, 59)) == "2026年3月5日"


def test_unknown_date_style():
    with pytest.raises(ValueError):
        format_date(D(2026, 1, 1), "roman")


PATTERN = "{code}-{year}-{level}-{serial:04d}"


@pytest.mark.parametrize(
    "pattern, fields, number",
    [
        (PATTERN, dict(code="ZW", year=2026, level="first", serial=7), "ZW-2026-first-0007"),
        (PATTERN, dict(code="ZW", year=2026, level="third", serial=12345), "ZW-2026-third-12345"),
        ("{code}{year}{level_no:02d}{serial:03d}", dict(code="HMSX", year=2025, level_no=1, serial=9), "HMSX202501009"),
        ("{group}-{serial}", dict(group="初中组", serial=3), "初中组-3"),
        # literal braces are written doubled
        ("{{{code}}}{serial:02d}", dict(code="ZW", serial=5), "{ZW}05"),
        # unused fields are fine
        ("No.{serial:05d}", dict(code="ZW", year=2026, serial=42), "No.00042"),
    ],
)
def test_certificate_number(pattern, fields, number):
    validate_number_pattern(pattern)
    assert certificate_number(pattern, **fields) == number


@pytest.mark.parametrize(
    "pattern, words",
    [
        ("", ["empty"]),
        ("   ", ["empty"]),
        ("{code}-{year}", ["{serial}", "unique"]),
        ("{author}-{serial}", ["unknown field", "{author}", "code, year, level"]),
        ("{Serial}", ["unknown field", "{Serial}"]),
        ("{code:04d}-{serial}", ["04d", "{code}"]),
        ("{serial:q}", ["“q”", "{serial}"]),
        ("{serial:>999999999}", ["{serial}"]),
        ("{serial:04d", ["brace"]),
        ("{code}}-{serial}", ["brace"]),
        ("{}-{serial}", ["plain name"]),
        ("{0}-{serial}", ["plain name"]),
        ("{code.__class__}-{serial}", ["plain name"]),
        ("{code[0]}-{serial}", ["plain name"]),
        ("{serial!r}", ["plain name"]),
        ("{serial:{year}}", ["plain name"]),
        ("{code}" * 30 + "{serial}", ["longer than 40"]),
    ],
)
def test_bad_number_patterns(pattern, words):
    with pytest.raises(UserError) as caught:
        validate_number_pattern(pattern)
    for word in words:
        assert word in str(caught.value)
    with pytest.raises(UserError):
        certificate_number(pattern, code="ZW", year=2026, serial=1)


@pytest.mark.parametrize(
    "fields, words",
    [
        (dict(code="ZW", year=2026, level="first"), ["{serial}", "no value"]),
        (dict(code="ZW", year=2026, level="first", serial=None), ["{serial}", "no value"]),
        (dict(code="ZW", level="first", serial=1), ["{year}", "no value"]),
        (dict(code="ZW", year=2026, level="first", serial="7"), ["does not fit"]),
        (dict(code="Z" * 40, year=2026, level="first", serial=1), ["longer than 40"]),
    ],
)
def test_bad_number_values(fields, words):
    with pytest.raises(UserError) as caught:
        certificate_number(PATTERN, **fields)
    for word in words:
        assert word in str(caught.value)


def test_unknown_number_field_is_a_programming_error():
    with pytest.raises(TypeError):
        certificate_number(PATTERN, code="ZW", year=2026, level="first", serial=1, author="x")


@pytest.mark.parametrize(
    "code, order, text",
    [
        ("special", 0, "特等奖"),
        ("first", 1, "一等奖"),
        ("second", 2, "二等奖"),
        ("third", 3, "三等奖"),
        ("excellence", 4, "优秀奖"),
        ("organisation", 5, "优秀组织奖"),
    ],
)
def test_levels(code, order, text):
    assert level_order(code) == order
    assert level_by_code(code).document_text == text
    assert LEVELS[order].code == code


def test_levels_sort_highest_first():
    shuffled = ["excellence", "first", "organisation", "third", "special", "second"]
    assert sorted(shuffled, key=level_order) == list(LEVEL_CODES)


@pytest.mark.parametrize("code", ["fourth", "", "First"])
def test_unknown_level(code):
    with pytest.raises(UserError):
        level_order(code)


@pytest.mark.parametrize(
    "activity, title, level, sentence",
    [
        (
            "2026年“翰墨书香”征文活动",
            "我的家乡",
            "一等奖",
            "在2026年“翰墨书香”征文活动中，作品《我的家乡》荣获一等奖。",
        ),
        # the organiser typed the book-title marks already
        (
            "2026年“翰墨书香”征文活动",
            "《我的家乡》",
            "二等奖",
            "在2026年“翰墨书香”征文活动中，作品《我的家乡》荣获二等奖。",
        ),
        (" 清廉家风征文活动 ", " 家书 ", "优秀奖", "在清廉家风征文活动中，作品《家书》荣获优秀奖。"),
        # a unit's award: no work title
        ("清廉家风征文活动", None, "优秀组织奖", "在清廉家风征文活动中，荣获优秀组织奖。"),
        ("清廉家风征文活动", "  ", "优秀组织奖", "在清廉家风征文活动中，荣获优秀组织奖。"),
    ],
)
def test_award_sentence(activity, title, level, sentence):
    assert award_sentence(activity, title, level) == sentence


@pytest.mark.parametrize(
    "recipient, title, person, sentence",
    [
        ("李秀英", "临渭标杆", True, "授予李秀英同志“临渭标杆”荣誉称号。"),
        ("李秀英", "“最美科技工作者”", True, "授予李秀英同志“最美科技工作者”荣誉称号。"),
        ("区人民医院急诊科", "临渭标杆", False, "授予区人民医院急诊科“临渭标杆”荣誉称号。"),
        ("王伟", '"学习型干部"', True, "授予王伟同志“学习型干部”荣誉称号。"),
    ],
)
def test_honour_sentence(recipient, title, person, sentence):
    assert honour_sentence(recipient, title, person=person) == sentence


@pytest.mark.parametrize(
    "call",
    [
        lambda: award_sentence("", "家书", "一等奖"),
        lambda: award_sentence("征文活动", "家书", " "),
        lambda: honour_sentence("", "道德模范"),
        lambda: honour_sentence("李秀英", "“”"),
    ],
)
def test_sentences_need_their_parts(call):
    with pytest.raises(UserError):
        call()


@pytest.mark.parametrize(
    "text, missing",
    [
        ("荣誉证书", []),
        ("张 三\n李四\t", []),  # whitespace needs no glyph
        ("王\ue000明\ue000", ["\ue000"]),  # each missing character once
        ("𪚥字\ue001𪚥", ["𪚥", "\ue001"]),  # in order of appearance
        ("葛\U000e0100", []),  # variation selector
    ],
)
def test_validate_glyphs_with_a_predicate(text, missing):
    font_has = font_has_from({ord(c) for c in "荣誉证书张三李四王明字葛"})
    assert validate_glyphs(text, font_has) == missing


noto = pytest.mark.skipif(
    not os.path.exists(NOTO_SERIF_CJK), reason="Noto Serif CJK (Debian fonts-noto-cjk) not installed"
)


@noto
@pytest.mark.parametrize(
    "text, missing",
    [
        ("二〇二六年三月", []),
        ("龘", []),  # rare but in the SC face
        ("䶮", []),  # CJK Extension A (刘䶮)
        ("荣誉证书特发此证，以资鼓励。《》“”", []),
        ("王\ue000明", ["\ue000"]),  # Private Use Area
        ("𪚥", ["𪚥"]),  # CJK Extension B, not in Noto Serif CJK SC
        ("陈𠀀", ["𠀀"]),
    ],
)
def test_noto_serif_cjk_sc_coverage(text, missing):
    font_has = font_has_from(font_codepoints(NOTO_SERIF_CJK))
    assert validate_glyphs(text, font_has) == missing


@noto
def test_font_face_must_exist():
    with pytest.raises(LookupError):
        font_codepoints(NOTO_SERIF_CJK, "Noto Serif CJK XX")

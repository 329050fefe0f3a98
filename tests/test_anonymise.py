"""Identity must not survive into what judges get: the body text, and anonymous codes."""

import random

import pytest

from essays.anonymise import (
    CODE_ALPHABET,
    find_identity,
    is_valid_resident_id,
    new_anonymous_code,
    redact,
)

# --- body text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needles", "found"),
    [
        ("我叫张三，来自临渭区。", ["张三"], ["张三"]),
        ("作者：张 三", ["张三"], ["张 三"]),
        ("作者：张\u3000三", ["张三"], ["张\u3000三"]),
        ("作者：张\n三", ["张 三"], ["张\n三"]),
        ("By LI Xiuying", ["Li Xiuying"], ["LI Xiuying"]),
        ("By lixiuying", ["Li Xiuying"], ["lixiuying"]),
        ("张三说，张三来了", ["张三"], ["张三", "张三"]),
        ("临渭区第二中学", ["临渭区", "第二中学", "渭区第二"], ["临渭区第二中学"]),
        ("学校：ＸＹＺ中学", ["XYZ中学"], ["ＸＹＺ中学"]),
        ("没有身份信息", ["", "  "], []),
        ("张三13812345678", ["张三"], ["张三13812345678"]),  # adjacent spans merge
        ("电话13812345678", [], ["13812345678"]),
        ("电话：138-1234-5678。", [], ["138-1234-5678"]),
        ("电话 138 1234 5678", [], ["138 1234 5678"]),
        ("手机+86 13812345678", [], ["+86 13812345678"]),
        ("电话：１３８１２３４５６７８", [], ["１３８１２３４５６７８"]),
        ("座机0913-2123456", [], ["0913-2123456"]),
        ("座机（029）88886666", [], ["（029）88886666"]),
        ("邮箱 lixiuying@example.com。", [], ["lixiuying@example.com"]),
        ("邮箱：ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", [], ["ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ"]),
        ("身份证 11010519491231002X", [], ["11010519491231002X"]),
        ("身份证 440524188001010014。", [], ["440524188001010014"]),
        ("身份证 110105 19491231 002x", [], ["110105 19491231 002x"]),
        ("号码 110105194912310021", [], []),  # wrong check digit
        ("QQ：123456789", [], ["123456789"]),
        ("微信号：lixiuying_2008", [], ["lixiuying_2008"]),
        ("2018年发表了12345678901篇", [], []),  # not a mobile (12…), not a date of birth
        ("第3章第12节", [], []),
    ],
)
def test_find_identity_spans(text, needles, found):
    spans = find_identity(text, needles)
    assert [text[start:end] for start, end in spans] == found
    assert spans == sorted(spans)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("440524188001010014", True),
        ("610502199001011233", True),
        ("110105194912310021", False),  # check digit should be X
        ("110105194902300012", False),  # check digit right, 30 February
        ("11010519491231002", False),  # 17 characters
        ("1101051949123100211", False),
        ("11010519491231002Y", False),
        ("", False),
    ],
)
def test_is_valid_resident_id(value, valid):
    assert is_valid_resident_id(value) is valid


@pytest.mark.parametrize(
    ("text", "spans", "redacted"),
    [
        ("张三来了", [(0, 2)], "■■来了"),
        ("张三来了", [], "张三来了"),
        ("张三和李四", [(3, 5), (0, 2)], "■■和■■"),
        ("张三和李四", [(0, 2), (1, 4)], "■■■■四"),
        ("张三", [(1, 10)], "张■"),
    ],
)
def test_redact_keeps_length_and_layout(text, spans, redacted):
    assert redact(text, spans) == redacted
    assert len(redact(text, spans)) == len(text)


def test_redacting_found_identity_removes_it():
    text = "作者：李 秀英\n单位：临渭区第二中学\n电话：138-1234-5678\n正文从这里开始。"
    clean = redact(text, find_identity(text, ["李秀英", "临渭区第二中学"]))
    assert "秀英" not in clean and "临渭" not in clean and "5678" not in clean
    assert clean.endswith("正文从这里开始。")


# --- anonymous codes ----------------------------------------------------------------


def test_anonymous_codes_are_unambiguous_and_new():
    rng = random.Random(42)
    codes = set()
    for _ in range(500):
        code = new_anonymous_code(codes, rng)
        assert len(code) == 6
        assert set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1I")
        assert code[0].isalpha()
        codes.add(code)
    assert len(codes) == 500


def test_anonymous_code_skips_codes_in_use():
    first = new_anonymous_code(set(), random.Random(7))
    assert new_anonymous_code({first}, random.Random(7)) != first


def test_anonymous_code_gives_up_when_nothing_is_free():
    class Stuck:
        def choice(self, options):
            return options[0]

    with pytest.raises(RuntimeError):
        new_anonymous_code({"AAAAAA"}, Stuck())


def test_anonymous_codes_default_to_the_secrets_module():
    assert len(new_anonymous_code(set())) == 6

"""字数 as Microsoft Word counts it, and the length limits of a competition."""

import pytest

from core.errors import UserError
from essays.wordcount import check_length, count_han, count_words

# (text, Word's 字数, pure Han count) — counted by hand with Word's rule:
# Han 1 each, full-width punctuation 1 each, a run of Latin letters/digits 1,
# half-width punctuation and white space 0.
CASES = [
    ("", 0, 0),
    ("   \n\t ", 0, 0),
    ("春天来了", 4, 4),
    ("春天来了。", 5, 4),
    ("春天，来了！", 6, 4),
    ("2018年", 2, 1),
    ("2018年10月1日", 6, 3),
    ("COVID-19", 1, 0),
    ("新冠肺炎（COVID-19）疫情", 9, 6),
    ("……", 2, 0),
    ("——", 2, 0),
    ("他说：“我来了……”", 10, 5),
    ("Hello world", 2, 0),
    ("Hello, world!", 2, 0),
    ("don't", 1, 0),
    ("don’t stop", 2, 0),
    ("我爱China", 3, 2),
    ("我爱 China 和 Python3", 5, 3),
    ("ＡＢＣ１２３", 1, 0),
    ("第１２３页", 3, 2),
    ("3.14", 1, 0),
    ("1,000,000元", 2, 1),
    ("访问https://www.example.com/path?q=1获取", 5, 4),
    ("见 http://example.org/a-b_c.html 。", 3, 1),
    ("邮箱：lixiuying@example.com", 4, 2),
    ("第一段\n第二段\r\n第三段", 9, 9),
    ("Line one\nLine two", 4, 0),
    ("café naïve", 2, 0),
    ("cafe\u0301", 1, 0),
    ("《红楼梦》", 5, 3),
    ("【通知】", 4, 2),
    ("「引号」『书名』", 8, 4),
    ("〔2024〕1号", 5, 1),
    ("二〇二四年", 5, 5),
    ("𠀀𪚥", 2, 2),  # extension B characters
    ("好👍", 2, 1),
    ("👍🏽", 1, 0),  # skin tone belongs to the emoji
    ("👨‍👩‍👧", 1, 0),  # one family emoji joined by ZWJ
    ("🇨🇳", 1, 0),  # a flag is two regional indicators
    ("①②③", 3, 0),
    ("￥100", 2, 0),
    ("30℃", 2, 0),
    ("阿依古丽·买买提", 8, 7),
    ("\u3000\u3000春天", 2, 2),  # full-width indentation is white space
    ("中文,英文.", 4, 4),  # half-width punctuation counts 0
    ("a - b", 2, 0),
    ("春\u200b天", 2, 2),  # an invisible zero-width space counts 0
    ("こんにちは", 5, 0),
]


@pytest.mark.parametrize(("text", "words", "han"), CASES)
def test_count_words_follows_word(text, words, han):
    assert count_words(text) == words


@pytest.mark.parametrize(("text", "words", "han"), CASES)
def test_count_han_counts_only_han(text, words, han):
    assert count_han(text) == han


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "rule", "count"),
    [
        ("春天来了。", None, None, "word", 5),
        ("春天来了。", 5, 5, "word", 5),  # limits are inclusive
        ("春天来了。", None, 4, "han", 4),
        ("Hello 世界", 1, 10, "word", 3),
    ],
)
def test_check_length_returns_the_count_within_limits(text, minimum, maximum, rule, count):
    assert check_length(text, minimum, maximum, rule) == count


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "rule", "count", "limit", "phrase"),
    [
        ("春天来了。", None, 4, "word", 5, 4, "more than"),
        ("春天来了。", 6, None, "word", 5, 6, "fewer than"),
        ("春天来了。", None, 3, "han", 4, 3, "Chinese characters, more than"),
        ("春天来了。Spring", 5, None, "han", 4, 5, "Chinese characters, fewer than"),
    ],
)
def test_check_length_names_count_and_limit(text, minimum, maximum, rule, count, limit, phrase):
    with pytest.raises(UserError) as caught:
        check_length(text, minimum, maximum, rule)
    assert caught.value.params == {"count": count, "limit": limit}
    assert phrase in str(caught.value)
    assert str(count) in str(caught.value) and str(limit) in str(caught.value)


def test_check_length_rejects_an_unknown_rule():
    with pytest.raises(ValueError):
        check_length("春天", None, None, "characters")


def test_characters_counted_by_runs_follow_the_per_character_rules():
    """Han, kana and CJK punctuation are counted a run at a time; each must count 1 alone and end a word."""
    from essays import wordcount

    for low, high in wordcount.SINGLE_RANGES:
        for code in range(low, min(high, low + 500) + 1):
            char = chr(code)
            assert wordcount._count_piece(char, 0, 1) == 1, hex(code)
            assert wordcount._count_piece("ab" + char + "cd", 0, 5) == 3, hex(code)

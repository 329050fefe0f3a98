"""Duplicate detection: normalisation, Jaccard/containment, highlighted spans, all pairs."""

import random

import pytest

from essays.similarity import compare, find_pairs, normalise, shared_spans, shingles
from helpers import han_text


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Ｈｅｌｌｏ，ＷＯＲＬＤ！", "helloworld"),
        ("春天　来了——“好”。", "春天来了好"),
        ("A b\tC\nd", "abcd"),
        ("《春》①②", "春12"),
        ("ﬁne Straße", "finestrasse"),
        ("", ""),
        ("，。！？ ……", ""),
    ],
)
def test_normalise_keeps_only_letters_and_digits(text, normalised):
    assert normalise(text) == normalised


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("abcdef", 5, {"abcde", "bcdef"}),
        ("ab，cd。ef", 5, {"abcde", "bcdef"}),
        ("春天来了", 5, {"春天来了"}),  # shorter than n: one shingle of itself
        ("abcabc", 3, {"abc", "bca", "cab"}),
        ("", 5, set()),
        ("！？", 5, set()),
    ],
)
def test_shingles_are_character_ngrams_of_the_normalised_text(text, n, expected):
    assert shingles(text, n) == expected


@pytest.mark.parametrize(
    ("a", "b", "jaccard", "containment"),
    [
        ("春天来了万物复苏", "春天来了万物复苏", 1.0, 1.0),
        ("春天来了万物复苏", "秋高气爽硕果累累", 0.0, 0.0),
        # punctuation, white space, width and case hide nothing
        ("春天来了，万物复苏。Hello!", "春天 来了 万物 复苏 ＨＥＬＬＯ", 1.0, 1.0),
        ("", "春天来了万物复苏", 0.0, 0.0),
        ("春天来了万物复苏", "", 0.0, 0.0),
        ("", "", 0.0, 0.0),
        # b is a+3 more chars: 4 of a's 4 shingles shared, b has 7
        ("abcdefgh", "abcdefghijk", 4 / 7, 1.0),
    ],
)
def test_compare_reports_jaccard_and_containment(a, b, jaccard, containment):
    assert compare(a, b) == pytest.approx((jaccard, containment))


def test_a_half_copied_essay_has_high_containment_but_low_jaccard():
    original = han_text(400, seed=1)
    half_copy = original[:200] + han_text(50, seed=2)
    jaccard, containment = compare(original, half_copy)
    assert containment >= 0.75
    assert 0.3 <= jaccard <= 0.5


def test_half_and_half_reaches_review_but_not_copy():
    a = han_text(400, seed=3)
    b = a[:210] + han_text(190, seed=5)  # 206 of 396 shingles shared: 0.52
    pairs = find_pairs({"a": a, "b": b})
    assert [(p.a, p.b, p.level) for p in pairs] == [("a", "b", "review")]


def test_shared_spans_highlight_the_shared_passage_in_both_originals():
    passage_a = "春天来了，万物复苏，田野里一片生机"
    passage_b = "春天来了 万物复苏 田野里一片生机"
    a = "我的家乡在渭河边。" + passage_a + "。结尾是完全不同的句子。"
    b = "开头不一样的话语！" + passage_b + "……别的结尾内容。"
    spans_a, spans_b = shared_spans(a, b)
    assert [a[s:e] for s, e in spans_a] == [passage_a]
    assert [b[s:e] for s, e in spans_b] == [passage_b]


def test_shared_spans_map_through_full_width_and_ligatures():
    a = "前言不同的话。ABCDEFGHIJ后文"
    b = "ＡＢＣＤＥＦＧＨＩＪ另外"
    spans_a, spans_b = shared_spans(a, b)
    assert [a[s:e] for s, e in spans_a] == ["ABCDEFGHIJ"]
    assert [b[s:e] for s, e in spans_b] == ["ＡＢＣＤＥＦＧＨＩＪ"]


def test_shared_spans_find_several_passages_and_nothing_in_disjoint_texts():
    one, two = han_text(30, seed=6), han_text(30, seed=7)
    a = one + "甲乙丙丁戊己庚辛壬癸" + two
    b = two + "子丑寅卯辰巳午未申酉" + one
    spans_a, spans_b = shared_spans(a, b)
    assert sorted(a[s:e] for s, e in spans_a) == sorted([one, two])
    assert sorted(b[s:e] for s, e in spans_b) == sorted([one, two])
    assert shared_spans("春天来了万物复苏", "秋高气爽硕果累累") == ([], [])


def test_find_pairs_levels_and_order():
    original = han_text(400, seed=10)
    docs = {
        "original": original,
        "reformatted": "，".join(original[i : i + 20] for i in range(0, 400, 20)),
        "half": original[:220] + han_text(50, seed=11),  # 216 of 266 shared: 0.81
        "unrelated": han_text(400, seed=12),
    }
    pairs = find_pairs(docs)
    found = {(p.a, p.b): p for p in pairs}
    assert set(found) == {("original", "reformatted"), ("original", "half"), ("reformatted", "half")}
    assert found[("original", "reformatted")].level == "copy"
    assert found[("original", "reformatted")].containment == pytest.approx(1.0)
    assert found[("original", "half")].level == "copy"
    assert found[("original", "half")].jaccard < 0.5
    assert [p.containment for p in pairs] == sorted((p.containment for p in pairs), reverse=True)


def test_find_pairs_checks_against_earlier_competitions_only_from_current_docs():
    old = han_text(300, seed=20)
    docs = {101: old[:280] + "新写的结尾部分内容", 102: han_text(300, seed=21)}
    earlier = {7: old, 8: old}  # identical earlier entries are not our business
    pairs = find_pairs(docs, against=earlier)
    assert {(p.a, p.b, p.against_earlier) for p in pairs} == {(101, 7, True), (101, 8, True)}


@pytest.mark.parametrize(("review", "copy"), [(0, 0.8), (0.9, 0.8), (0.5, 1.5)])
def test_find_pairs_rejects_bad_thresholds(review, copy):
    with pytest.raises(ValueError):
        find_pairs({"a": "春天"}, review=review, copy=copy)


def test_find_pairs_handles_empty_and_tiny_texts():
    assert find_pairs({}) == []
    pairs = find_pairs({"a": "", "b": "春", "c": "春", "d": "！"})
    assert [(p.a, p.b, p.level) for p in pairs] == [("b", "c", "copy")]


@pytest.mark.parametrize("review", [0.3, 0.5, 0.8])
def test_find_pairs_agrees_with_comparing_every_pair(review):
    """The candidate filter must never lose a pair: check against brute force."""
    rng = random.Random(review)
    pieces = [han_text(rng.randint(3, 150), seed=100 + i) for i in range(8)]
    docs = {
        f"d{i}": "，".join(rng.choice(pieces)[rng.randint(0, 40) :] for _ in range(rng.randint(1, 3)))
        for i in range(25)
    }
    earlier = {f"e{i}": rng.choice(pieces) for i in range(4)}
    keys = list(docs)
    expected = {}
    for i, a in enumerate(keys):
        others = [(b, docs[b]) for b in keys[i + 1 :]] + list(earlier.items())
        for b, text in others:
            jaccard, containment = compare(docs[a], text)
            if containment >= review:
                expected[(a, b)] = (jaccard, containment)
    found = {(p.a, p.b): (p.jaccard, p.containment) for p in find_pairs(docs, review, 0.9, earlier)}
    assert found.keys() == expected.keys()
    for key, measures in expected.items():
        assert found[key] == pytest.approx(measures)

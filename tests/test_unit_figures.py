"""The statistics' counting, summary sentence and 优秀组织奖 ranking (pure functions)."""

from __future__ import annotations

import pytest

from judging import stats_charts
from judging import unit_figures as uf

SENTENCES = [
    # (units, entries, qualified, awards, sentence)
    (
        12,
        356,
        330,
        {"first": 5, "second": 10, "third": 20, "excellence": 50},
        "共收到来自12个单位的投稿356篇，其中合格作品330篇；评出一等奖5篇、二等奖10篇、三等奖20篇、优秀奖50篇。",
    ),
    (
        3,
        40,
        38,
        {"excellence": 6, "first": 1, "special": 1},
        "共收到来自3个单位的投稿40篇，其中合格作品38篇；评出特等奖1篇、一等奖1篇、优秀奖6篇。",
    ),
    (3, 40, 38, {}, "共收到来自3个单位的投稿40篇，其中合格作品38篇。"),
    (3, 40, None, {}, "共收到来自3个单位的投稿40篇。"),
    (0, 7, 7, {"first": 1}, "共收到投稿7篇，其中合格作品7篇；评出一等奖1篇。"),
    (2, 9, 9, {"first": 0, "second": 2}, "共收到来自2个单位的投稿9篇，其中合格作品9篇；评出二等奖2篇。"),
    (0, 0, None, {}, "尚未收到投稿。"),
]


@pytest.mark.parametrize(("units", "entries", "qualified", "awards", "sentence"), SENTENCES)
def test_summary_sentence(units, entries, qualified, awards, sentence):
    assert uf.summary_sentence(units, entries, qualified, awards) == sentence


def fact(unit, status="qualified", level=None, genre="散文", group="成人组", recommended=True, comp=1):
    return uf.EntryFact(comp, unit, recommended, genre, group, status, level)


UNITS = {
    1: uf.UnitInfo(1, "城关街道", "town"),
    2: uf.UnitInfo(2, "城关一社区", "community", 1),
    3: uf.UnitInfo(3, "城关二社区", "community", 1),
    4: uf.UnitInfo(4, "区教育局", "bureau"),
    5: uf.UnitInfo(5, "区卫健局", "bureau"),
}


def test_sentence_leaves_out_qualified_until_reviewed():
    waiting = uf.tally([fact(4, "submitted"), fact(4, "submitted")])
    assert uf.sentence_for(1, waiting) == "共收到来自1个单位的投稿2篇。"
    reviewed = uf.tally([fact(4, "submitted"), fact(4, "disqualified")])
    assert uf.sentence_for(1, reviewed) == "共收到来自1个单位的投稿2篇，其中合格作品0篇。"


def test_units_rate_against_quota_and_units_without_entries_listed():
    facts = [fact(2, level="first"), fact(2), fact(4, recommended=False), fact(None, recommended=False)]
    rows = {r.key: r for r in uf.unit_rows(facts, UNITS, {1: 2}, unknown="无单位")}
    assert rows[2].tally.entries == 2 and rows[2].tally.rate == 1.0 and rows[2].tally.level("first") == 1
    assert rows[4].tally.entries == 1 and rows[4].tally.rate == 0.0  # sent by its author, not recommended
    assert rows[5].tally.entries == 0 and rows[5].tally.rate == 0.0  # owes its quota
    assert rows[None].label == "无单位" and rows[None].tally.rate is None
    assert list(rows)[-1] is None  # the "no unit" line comes last


def test_recommendations_to_an_activity_without_quota_do_not_raise_the_rate():
    facts = [fact(4, comp=1), fact(4, comp=2), fact(4, comp=2)]
    rows = {r.key: r for r in uf.unit_rows(facts, UNITS, {1: 2, 2: 0}, unknown="-")}
    assert (rows[4].tally.entries, rows[4].tally.recommended, rows[4].tally.quota, rows[4].tally.rate) == (3, 1, 2, 0.5)


def test_no_quota_means_no_rate_and_only_units_that_sent():
    rows = uf.unit_rows([fact(4)], UNITS, {1: 0}, unknown="-")
    assert [(r.key, r.tally.rate) for r in rows] == [(4, None)]


def test_towns_add_up_the_units_under_them():
    facts = [fact(1), fact(2, level="second"), fact(3), fact(4)]
    rows = uf.town_rows(facts, UNITS, {1: 1})
    assert [(r.label, r.tally.entries, r.tally.awards_total, r.tally.quota) for r in rows] == [("城关街道", 3, 1, 3)]


def test_town_of_survives_a_cycle():
    looped = {1: uf.UnitInfo(1, "甲", "bureau", 2), 2: uf.UnitInfo(2, "乙", "bureau", 1)}
    assert uf.town_of(1, looped) is None


def test_genres_keep_the_activity_order_and_unnamed_last():
    facts = [fact(4, genre="诗歌"), fact(4, genre="散文"), fact(4, genre="诗歌"), fact(4, genre="")]
    rows = uf.named_rows(facts, "genre", ["散文", "诗歌"], unknown="未填")
    assert [(r.label, r.tally.entries) for r in rows] == [("散文", 1), ("诗歌", 2), ("未填", 1)]


def test_levels_present_highest_first():
    t = uf.tally([fact(4, level="excellence"), fact(4, level="first"), fact(4, level="odd")])
    assert uf.levels_present(t) == ["first", "excellence", "odd"]


def _rows():
    facts = [
        *(fact(2) for _ in range(2)),  # rate 1.0, 2 entries, no award
        fact(3, level="first"),  # rate 0.5, 1 award
        fact(4, level="third"),
        fact(4, level="excellence"),
        fact(4),  # rate 1.5, 2 awards, 3 entries
        fact(5, recommended=False),  # rate 0, 1 entry
    ]
    return uf.unit_rows(facts, UNITS, {1: 2}, unknown="-")


@pytest.mark.parametrize(
    ("rule", "order"),
    [
        ("rate", ["区教育局", "城关一社区", "城关二社区", "区卫健局"]),
        ("awards", ["区教育局", "城关二社区", "城关一社区", "区卫健局"]),
        ("entries", ["区教育局", "城关一社区", "城关二社区", "区卫健局"]),
        ("nonsense", ["区教育局", "城关一社区", "城关二社区", "区卫健局"]),  # falls back to the default rule
    ],
)
def test_rank_units_by_rule(rule, order):
    ranked = uf.rank_units(_rows(), rule)
    assert [r.row.label for r in ranked] == order
    assert "城关街道" not in order  # no entry: not a candidate


def test_equal_figures_share_a_place():
    facts = [fact(2), fact(3), fact(4), fact(4)]
    ranked = uf.rank_units(uf.unit_rows(facts, UNITS, {1: 1}, unknown="-"), "rate")
    assert [(r.place, r.row.label) for r in ranked] == [(1, "区教育局"), (2, "城关一社区"), (2, "城关二社区")]


def test_bar_chart_labels_readable_and_escaped():
    svg = str(stats_charts.bar_chart([("<script>单位", (3, 2, 1))], ["投稿", "合格", "获奖"], "按单位"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    sizes = {int(s) for s in __import__("re").findall(r'font-size="(\d+)"', svg)}
    assert sizes and min(sizes) >= 11
    assert "style=" not in svg


def test_bar_chart_rate_ticks_in_percent():
    svg = str(stats_charts.bar_chart([("区教育局", (1.5,))], ["参与率"], "参与率", percent=True))
    assert "150%" in svg and "200%" in svg

"""Award allocation: quotas, 宁缺毋滥, one award per author, boundary ties, adjustments."""

import pytest

from core.errors import UserError
from judging.awards import (
    LEVEL_LABELS,
    TRACE_MESSAGES,
    Adjustment,
    Candidate,
    LevelRule,
    allocate,
    apply_adjustments,
    describe,
)


def field(scores, group="prose", authors=None, ties=(), prefix=None):
    """Candidates e1..en ranked in the given order (scores best first).

    ``ties`` lists the entries tied with the one ranked just above them.
    """
    out = []
    for i, score in enumerate(scores, start=1):
        entry = f"{prefix or group[0]}{i}"
        author = (authors or {}).get(entry, f"author-{entry}")
        out.append(Candidate(entry, author, group, score, i, entry in ties))
    return out


def levels(*quotas, **options):
    codes = ["first", "second", "third", "excellence"]
    return [LevelRule(code, count=q, **options) for code, q in zip(codes, quotas)]


def percent_levels(*percents):
    codes = ["first", "second", "third"]
    return [LevelRule(code, percent=p) for code, p in zip(codes, percents)]


def by_level(allocation, group=None):
    table = {}
    for award in allocation.awards:
        if group is None or award.group == group:
            table.setdefault(award.level, []).append(award.entry_id)
    return table


def codes(allocation):
    return [event.code for event in allocation.trace]


# ------------------------------------------------------------------ quotas


@pytest.mark.parametrize(
    "quotas, expected",
    [
        (
            (1, 2, 3, 6),
            {
                "first": ["p1"],
                "second": ["p2", "p3"],
                "third": ["p4", "p5", "p6"],
                "excellence": ["p7", "p8", "p9", "p10", "p11", "p12"],
            },
        ),
        ((0, 1, 1), {"second": ["p1"], "third": ["p2"]}),
    ],
)
def test_pyramid_on_20_candidates(quotas, expected):
    allocation = allocate(field(range(100, 80, -1)), levels(*quotas))
    assert by_level(allocation) == expected
    assert allocation.unfilled == ()
    assert [a.position for a in allocation.awards if a.level == "third"] == [1, 2, 3][: quotas[2]]


@pytest.mark.parametrize(
    "candidates, percents, expected_counts",
    [
        (20, (10, 20, 30), [2, 4, 6]),
        (25, (10, 20, 30), [3, 5, 8]),  # 2.5 -> 3 and 7.5 -> 8: half rounds up
        (15, (10, 20, 30), [2, 3, 5]),  # 1.5 -> 2, 4.5 -> 5
        (4, (10, 20, 30), [0, 1, 1]),  # 0.4 -> 0
        (30, (5, 15, 25), [2, 5, 8]),  # 1.5, 4.5, 7.5
    ],
)
def test_percentage_quotas_round_half_up(candidates, percents, expected_counts):
    rules = percent_levels(*percents)
    assert [rule.quota(candidates) for rule in rules] == expected_counts
    allocation = allocate(field(range(100, 100 - candidates, -1)), rules)
    table = by_level(allocation)
    assert [len(table.get(rule.code, [])) for rule in rules] == expected_counts


@pytest.mark.parametrize(
    "rule",
    [
        dict(code="first"),
        dict(code="first", count=1, percent=10),
        dict(code="first", count=-1),
    ],
)
def test_level_rule_needs_one_non_negative_quota(rule):
    with pytest.raises(ValueError):
        LevelRule(**rule)


# -------------------------------------------------------------- 宁缺毋滥


def test_minimum_score_leaves_places_empty_and_passes_entries_down():
    rules = [
        LevelRule("first", count=2, min_score=90),
        LevelRule("second", count=2, min_score=85),
        LevelRule("third", count=3, min_score=80),
    ]
    allocation = allocate(field([95, 88, 86, 84, 79, 70]), rules)
    assert by_level(allocation) == {"first": ["p1"], "second": ["p2", "p3"], "third": ["p4"]}
    assert [(u.level, u.places, u.reason) for u in allocation.unfilled] == [
        ("first", 1, "below_min_score"),
        ("third", 2, "below_min_score"),
    ]


def test_minimum_score_is_reached_exactly():
    allocation = allocate(field([90.0, 89.99]), [LevelRule("first", count=2, min_score=90)])
    assert by_level(allocation) == {"first": ["p1"]}


def test_running_out_of_candidates_is_reported():
    allocation = allocate(field([90, 80]), levels(1, 3))
    assert by_level(allocation) == {"first": ["p1"], "second": ["p2"]}
    assert [(u.level, u.places, u.reason) for u in allocation.unfilled] == [("second", 2, "no_candidates")]


# ---------------------------------------------------- one award per author


@pytest.mark.parametrize(
    "one_per_author, expected",
    [
        (True, {"first": ["p1"], "second": ["p3", "p4"], "third": ["p6"]}),
        (False, {"first": ["p1"], "second": ["p2", "p3"], "third": ["p4"]}),
    ],
)
def test_one_award_per_author_frees_the_place(one_per_author, expected):
    authors = {"p1": "wang", "p2": "wang", "p5": "wang", "p3": "li", "p4": "zhao"}
    allocation = allocate(
        field([99, 98, 97, 96, 95, 94], authors=authors), levels(1, 2, 1), one_award_per_author=one_per_author
    )
    assert by_level(allocation) == expected
    if one_per_author:
        assert codes(allocation).count("skip_same_author") == 2


def test_one_award_per_author_is_per_group():
    prose = field([90, 80], group="prose", authors={"p1": "wang"})
    poems = field([90, 80], group="poems", authors={"q1": "wang"}, prefix="q")
    allocation = allocate(prose + poems, levels(1))
    assert by_level(allocation) == {"first": ["p1", "q1"]}


# ----------------------------------------------------------- boundary ties

TIED = field([95, 90, 90, 85, 80, 75], ties={"p3"})  # p2 and p3 tie across the first-prize line


def test_boundary_tie_both_take_the_higher_level_and_the_next_level_shrinks():
    allocation = allocate(TIED, levels(2, 2, 1), boundary_tie="both_higher")
    assert by_level(allocation) == {"first": ["p1", "p2", "p3"], "second": ["p4"], "third": ["p5"]}
    assert allocation.pending_ties == ()
    assert {"tie_both_higher", "quota_reduced"} <= set(codes(allocation))
    assert len(allocation.awards) == 5  # as many awards as planned


def test_boundary_tie_overflow_can_reach_several_levels():
    three_way = field([95, 95, 95, 80, 70], ties={"p2", "p3"})
    allocation = allocate(three_way, levels(1, 1, 2), boundary_tie="both_higher")
    assert by_level(allocation) == {"first": ["p1", "p2", "p3"], "third": ["p4"]}


def test_boundary_tie_on_the_last_level_goes_beyond_the_quota():
    allocation = allocate(TIED, levels(1, 1), boundary_tie="both_higher")
    assert by_level(allocation) == {"first": ["p1"], "second": ["p2", "p3"]}
    assert "overflow_beyond_quota" in codes(allocation)


def test_boundary_tie_for_the_committee_keeps_order_and_reports_it():
    allocation = allocate(TIED, levels(2, 2, 1), boundary_tie="committee")
    assert by_level(allocation) == {"first": ["p1", "p2"], "second": ["p3", "p4"], "third": ["p5"]}
    [tie] = allocation.pending_ties
    assert (tie.group, tie.level, tie.awarded, tie.below) == ("prose", "first", ("p2",), ("p3",))


def test_tie_inside_a_level_is_not_a_boundary_tie():
    allocation = allocate(field([95, 95, 90], ties={"p2"}), levels(2, 1), boundary_tie="committee")
    assert allocation.pending_ties == ()


# ------------------------------------------------------- per-group quotas


def test_groups_are_allocated_independently():
    adults = field([90, 85, 80, 75, 70, 65, 60, 55, 50, 45], group="adults")
    youth = field([99, 98, 97, 96], group="youth")
    rules = percent_levels(10, 20)
    alone = allocate(adults, rules)
    together = allocate(youth + adults, rules)
    assert by_level(together, "adults") == by_level(alone) == {"first": ["a1"], "second": ["a2", "a3"]}
    assert by_level(together, "youth") == {"second": ["y1"]}  # 10 % of 4 rounds to 0


def test_groups_may_have_their_own_levels():
    candidates = field([90, 80], group="adults") + field([90, 80], group="youth")
    allocation = allocate(candidates, {"adults": levels(1), "youth": levels(2)})
    assert by_level(allocation, "adults") == {"first": ["a1"]}
    assert by_level(allocation, "youth") == {"first": ["y1", "y2"]}
    with pytest.raises(UserError):
        allocate(candidates, {"adults": levels(1)})


# ------------------------------------------------------------ adjustments


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_adjustment_needs_a_reason(reason):
    allocation = allocate(TIED, levels(2, 2), boundary_tie="committee")
    with pytest.raises(UserError) as caught:
        apply_adjustments(allocation, [Adjustment("p3", "first", reason)])
    assert caught.value.params["entry"] == "p3"


def test_committee_settles_a_tie_by_adjustment():
    allocation = allocate(TIED, levels(2, 2, 1), boundary_tie="committee")
    adjusted, changes = apply_adjustments(
        allocation,
        [
            Adjustment("p3", "first", "并列，评审委员会决定同获一等奖"),
            Adjustment("p5", None, "查实抄袭"),
        ],
    )
    assert by_level(adjusted) == {"first": ["p1", "p2", "p3"], "second": ["p4"]}
    assert [a.position for a in adjusted.awards if a.level == "first"] == [1, 2, 3]
    assert [(c.entry_id, c.old_level, c.new_level) for c in changes] == [
        ("p3", "second", "first"),
        ("p5", "third", None),
    ]
    assert adjusted.pending_ties == ()
    assert codes(adjusted)[-2:] == ["adjusted", "adjusted"]
    assert by_level(allocation)["first"] == ["p1", "p2"]  # the original is untouched


@pytest.mark.parametrize(
    "adjustment",
    [
        Adjustment("nobody", "first", "理由"),
        Adjustment("p4", "special", "理由"),  # level not offered
    ],
)
def test_adjustment_must_name_a_candidate_and_an_offered_level(adjustment):
    with pytest.raises(UserError):
        apply_adjustments(allocate(TIED, levels(1, 1)), [adjustment])


def test_adjustment_keeps_one_award_per_author():
    candidates = field([90, 80, 70], authors={"p1": "wang", "p3": "wang"})
    allocation = allocate(candidates, levels(1, 1))
    with pytest.raises(UserError):
        apply_adjustments(allocation, [Adjustment("p3", "second", "理由")])
    swapped, _ = apply_adjustments(allocation, [Adjustment("p1", None, "作者放弃"), Adjustment("p3", "second", "递补")])
    assert by_level(swapped) == {"second": ["p2", "p3"]}


# ------------------------------------------------------------------ trace


def test_every_trace_event_reads_as_a_sentence():
    rules = [LevelRule("first", count=2, min_score=90), *levels(0, 2, 1)[1:]]
    authors = {"p1": "wang", "p4": "wang"}
    allocation = allocate(field([95, 90, 90, 89, 80], authors=authors, ties={"p3"}), rules)
    committee = allocate(TIED, levels(2, 2), boundary_tie="committee")
    adjusted, _ = apply_adjustments(committee, [Adjustment("p3", "first", "理由")])
    overflow = allocate(TIED, levels(1, 1))
    too_low = allocate(field([80]), [LevelRule("first", count=1, min_score=90)])
    events = allocation.trace + adjusted.trace + overflow.trace + too_low.trace
    assert {e.code for e in events} == set(TRACE_MESSAGES)
    for event in events:
        text = describe(event)
        assert "%(" not in text and text
    assert LEVEL_LABELS["first"] in describe(allocation.trace[0])

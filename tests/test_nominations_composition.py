"""Composition rules over a nomination pool: a table of cases."""

import pytest

from nominations.composition import AT_LEAST, AT_MOST, FEMALE, FRONTLINE, LEADER, PoolMember, Rule, breaches


def pool(n: int, *, female: int = 0, leader: int = 0, frontline: int = 0) -> list[PoolMember]:
    return [PoolMember(female=i < female, leader=i < leader, frontline=i < frontline) for i in range(n)]


@pytest.mark.parametrize(
    ("rule", "members", "broken", "shortfall"),
    [
        (Rule(LEADER, AT_MOST, 20), pool(10, leader=2), False, 0),  # exactly 20 % holds (以下 includes)
        (Rule(LEADER, AT_MOST, 20), pool(10, leader=3), True, 5),  # 3/15 = 20 %
        (Rule(FRONTLINE, AT_LEAST, 50), pool(10, frontline=5), False, 0),
        (Rule(FRONTLINE, AT_LEAST, 50), pool(10, frontline=4), True, 2),  # 6/12
        (Rule(FEMALE, AT_LEAST, 30), pool(3, female=1), False, 0),  # 33.3 %
        (Rule(FEMALE, AT_LEAST, 30), pool(7, female=2), True, 1),  # 28.6 %; 3 of 8 mends it
        (Rule(FEMALE, AT_LEAST, 30), pool(1), True, 1),
        (Rule(LEADER, AT_MOST, 0), pool(4), False, 0),
        (Rule(FEMALE, AT_LEAST, 100), pool(2, female=2), False, 0),
    ],
)
def test_rule_cases(rule, members, broken, shortfall):
    found = breaches([rule], members)
    assert bool(found) is broken
    if broken:
        assert found[0].shortfall == shortfall
        assert found[0].rule == rule


def test_empty_pool_breaks_nothing():
    assert breaches([Rule(FEMALE, AT_LEAST, 30)], []) == []


def test_share_is_reported_in_percent():
    (breach,) = breaches([Rule(LEADER, AT_MOST, 20)], pool(4, leader=2))
    assert (breach.count, breach.size, breach.share) == (2, 4, 50.0)


def test_several_rules_report_in_order():
    rules = [Rule(LEADER, AT_MOST, 20), Rule(FEMALE, AT_LEAST, 30), Rule(FRONTLINE, AT_LEAST, 50)]
    found = breaches(rules, pool(10, leader=5, female=1, frontline=9))
    assert [b.rule.subject for b in found] == [LEADER, FEMALE]

"""Composition rules over a nomination pool (pure: no Flask, no SQLAlchemy).

A rule reads "leading cadres at most 20 %" or "women at least 30 %": the share of
the pool with a property, compared with a bound. Bounds are inclusive (以上/以下
include the bound). An empty pool breaks no rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Rule subjects and operators, as stored (nominations.models.RuleSubject / RuleOp values).
FEMALE = "female"
LEADER = "leader"
FRONTLINE = "frontline"
AT_MOST = "le"
AT_LEAST = "ge"


@dataclass(frozen=True)
class PoolMember:
    """What the rules look at in one dossier."""

    female: bool = False
    leader: bool = False
    frontline: bool = False


@dataclass(frozen=True)
class Rule:
    subject: str  # FEMALE / LEADER / FRONTLINE
    op: str  # AT_MOST / AT_LEAST
    percent: float


@dataclass(frozen=True)
class Breach:
    rule: Rule
    count: int  # pool members with the property
    size: int  # pool size
    share: float  # percent, 0-100
    # How many members with (AT_LEAST) or without (AT_MOST) the property would mend it,
    # adding them to the pool as it stands.
    shortfall: int


def _has(member: PoolMember, subject: str) -> bool:
    if subject == FEMALE:
        return member.female
    if subject == LEADER:
        return member.leader
    if subject == FRONTLINE:
        return member.frontline
    raise ValueError(f"unknown rule subject: {subject}")


def _holds(count: int, size: int, rule: Rule) -> bool:
    # Compare in integers scaled by 100 to avoid 0.1 + 0.2 style surprises at the bound.
    lhs = count * 100
    rhs = rule.percent * size
    if rule.op == AT_MOST:
        return lhs <= rhs + 1e-9
    if rule.op == AT_LEAST:
        return lhs >= rhs - 1e-9
    raise ValueError(f"unknown rule operator: {rule.op}")


def _shortfall(count: int, size: int, rule: Rule) -> int:
    added = 0
    while not _holds(count + (added if rule.op == AT_LEAST else 0), size + added, rule):
        added += 1
        if added > 10_000:  # percent 100 with AT_MOST < count can never hold by adding others
            break
    return added


def breaches(rules: Iterable[Rule], pool: Sequence[PoolMember]) -> list[Breach]:
    """The rules the pool breaks, in the order given."""
    size = len(pool)
    out = []
    if size == 0:
        return out
    for rule in rules:
        count = sum(1 for m in pool if _has(m, rule.subject))
        if not _holds(count, size, rule):
            out.append(Breach(rule, count, size, round(count * 100 / size, 1), _shortfall(count, size, rule)))
    return out

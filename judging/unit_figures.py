"""Participation figures by unit, town, genre and group, the summary sentence, and the
ranking behind an 优秀组织奖 — pure functions over plain rows (no Flask, no SQLAlchemy).

``judging.unit_stats`` reads the rows from the database; this module only counts.

An entry belongs to the unit that recommended it, else to its author's unit. A unit's
quota (``Competition.unit_quota``) limits the entries it recommends, so its
participation rate is recommended entries ÷ quota (capped at nothing: a unit over
quota shows more than 100 %). Across several activities the rate is the sum of
recommended entries over the sum of quotas of the activities that set one; an entry
recommended to an activity without a quota counts as an entry, not against a quota.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from core.i18n_markers import N_
from publishing.formats import LEVELS

# Award levels from the highest down, with the words the department's reports use.
LEVEL_ORDER = tuple(level.code for level in LEVELS)
LEVEL_WORDS = {level.code: level.document_text for level in LEVELS}
QUALIFIED = "qualified"
DISQUALIFIED = "disqualified"
TOWN = "town"


@dataclass(frozen=True)
class EntryFact:
    """One received entry (drafts and withdrawn entries are not received)."""

    competition_id: int
    unit_id: int | None  # recommending unit, else the author's unit
    recommended: bool  # sent by the unit against its quota
    genre: str
    group: str
    status: str
    level: str | None = None  # the award it received, if any


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    kind: str
    parent_id: int | None = None


@dataclass
class Tally:
    entries: int = 0
    qualified: int = 0
    disqualified: int = 0
    recommended: int = 0  # against a quota
    quota: int = 0  # summed over the activities that set one
    awards: dict[str, int] = field(default_factory=dict)

    @property
    def awards_total(self) -> int:
        return sum(self.awards.values())

    @property
    def rate(self) -> float | None:
        """Recommended entries ÷ quota, or None where no quota applies."""
        return self.recommended / self.quota if self.quota else None

    def add(self, fact: EntryFact) -> None:
        self.entries += 1
        self.qualified += fact.status == QUALIFIED
        self.disqualified += fact.status == DISQUALIFIED
        self.recommended += fact.recommended
        if fact.level:
            self.awards[fact.level] = self.awards.get(fact.level, 0) + 1

    def level(self, code: str) -> int:
        return self.awards.get(code, 0)


@dataclass(frozen=True)
class Row:
    """One line of a figures table."""

    key: object
    label: str
    tally: Tally


def tally(facts: Iterable[EntryFact]) -> Tally:
    out = Tally()
    for fact in facts:
        out.add(fact)
    return out


def by_key(facts: Iterable[EntryFact], key) -> dict[object, Tally]:
    out: dict[object, Tally] = {}
    for fact in facts:
        out.setdefault(key(fact), Tally()).add(fact)
    return out


def town_of(unit_id: int | None, units: Mapping[int, UnitInfo]) -> int | None:
    """The town / sub-district a unit is (or lies under), or None."""
    seen: set[int] = set()
    while unit_id is not None and unit_id in units and unit_id not in seen:
        seen.add(unit_id)
        unit = units[unit_id]
        if unit.kind == TOWN:
            return unit.id
        unit_id = unit.parent_id
    return None


def against_quota(facts: Iterable[EntryFact], quotas: Mapping[int, int]) -> list[EntryFact]:
    """The facts with ``recommended`` kept only where the activity sets a quota."""
    return [f if not f.recommended or quotas.get(f.competition_id) else replace(f, recommended=False) for f in facts]


def unit_rows(
    facts: Sequence[EntryFact],
    units: Mapping[int, UnitInfo],
    quotas: Mapping[int, int],
    *,
    unknown: str,
) -> list[Row]:
    """Per unit: every unit that sent an entry, plus every active unit that could have (a quota).

    ``quotas`` maps competition id → unit quota (0: none). A unit with no entry still owes
    its quota, so it is listed with rate 0 % where a quota applies.
    """
    counted = by_key(against_quota(facts, quotas), lambda f: f.unit_id)
    total_quota = sum(q for q in quotas.values() if q)
    if total_quota:
        for unit_id in units:
            counted.setdefault(unit_id, Tally())
    for unit_id, t in counted.items():
        if unit_id is not None:
            t.quota = total_quota
    rows = [
        Row(uid, units[uid].name if uid in units else unknown, t)
        for uid, t in counted.items()
        if uid is not None or t.entries
    ]
    return sorted(rows, key=lambda r: (r.key is None, -r.tally.entries, r.label))


def town_rows(facts: Sequence[EntryFact], units: Mapping[int, UnitInfo], quotas: Mapping[int, int]) -> list[Row]:
    """Per town / sub-district: the entries of the town itself and of the units under it."""
    counted = by_key(against_quota(facts, quotas), lambda f: town_of(f.unit_id, units))
    counted.pop(None, None)
    total_quota = sum(q for q in quotas.values() if q)
    members: dict[int, int] = {}
    for unit_id in units:
        town = town_of(unit_id, units)
        if town is not None:
            members[town] = members.get(town, 0) + 1
    for town, t in counted.items():
        t.quota = total_quota * members.get(town, 1)
    return sorted(
        (Row(tid, units[tid].name, t) for tid, t in counted.items()), key=lambda r: (-r.tally.entries, r.label)
    )


def named_rows(facts: Sequence[EntryFact], attr: str, order: Sequence[str] = (), *, unknown: str) -> list[Row]:
    """Per genre or group (by name, so that several activities add up)."""
    counted = by_key(facts, lambda f: getattr(f, attr) or "")
    position = {name: i for i, name in enumerate(order)}
    rows = [Row(name, name or unknown, t) for name, t in counted.items()]
    return sorted(rows, key=lambda r: (r.key == "", position.get(r.key, len(position)), -r.tally.entries, r.label))


def levels_present(*tallies: Tally) -> list[str]:
    """The award levels that occur, highest first (unknown codes last, alphabetically)."""
    codes = {code for t in tallies for code, n in t.awards.items() if n}
    known = [c for c in LEVEL_ORDER if c in codes]
    return known + sorted(codes - set(LEVEL_ORDER))


# The summary sentence ------------------------------------------------------------------


def summary_sentence(units: int, entries: int, qualified: int | None, awards: Mapping[str, int]) -> str:
    """共收到来自N个单位的投稿M篇，其中合格作品K篇；评出一等奖A篇、……、优秀奖D篇。

    Levels nobody received are left out; without awards the sentence ends after the
    qualified count; ``qualified`` None (review not done) leaves that clause out;
    entries from no unit at all read 共收到投稿M篇.
    """
    if entries <= 0:
        return "尚未收到投稿。"
    received = f"共收到来自{units}个单位的投稿{entries}篇" if units > 0 else f"共收到投稿{entries}篇"
    if qualified is not None:
        received += f"，其中合格作品{qualified}篇"
    given = [
        f"{LEVEL_WORDS.get(code, code)}{awards[code]}篇"
        for code in [*LEVEL_ORDER, *sorted(set(awards) - set(LEVEL_ORDER))]
        if awards.get(code, 0) > 0
    ]
    if not given:
        return received + "。"
    return received + "；评出" + "、".join(given) + "。"


def sentence_for(units: int, t: Tally) -> str:
    """The sentence for a tally: the qualified clause only once some entry has been reviewed."""
    reviewed = t.qualified + t.disqualified > 0
    return summary_sentence(units, t.entries, t.qualified if reviewed else None, t.awards)


def count_units(facts: Iterable[EntryFact]) -> int:
    return len({f.unit_id for f in facts if f.unit_id is not None})


# 优秀组织奖: ranking units ----------------------------------------------------------------

# Each rule compares these figures in order (all descending), then the unit's name.
RANK_RULES: dict[str, tuple[str, ...]] = {
    "rate": ("rate", "awards", "entries"),
    "awards": ("awards", "rate", "entries"),
    "entries": ("entries", "awards", "rate"),
}
RANK_RULE_TEXT = {
    "rate": N_("Participation rate first, then awards, then entries"),
    "awards": N_("Awards first, then participation rate, then entries"),
    "entries": N_("Entries first, then awards, then participation rate"),
}
DEFAULT_RULE = "rate"


@dataclass(frozen=True)
class Ranked:
    place: int  # equal figures share a place (1, 2, 2, 4)
    row: Row


def _figures(t: Tally, rule: str) -> tuple:
    value = {"rate": t.rate or 0.0, "awards": t.awards_total, "entries": t.entries}
    return tuple(value[name] for name in RANK_RULES[rule])


def rank_units(rows: Sequence[Row], rule: str = DEFAULT_RULE) -> list[Ranked]:
    """Units (not the "no unit" line) ranked by ``rule``; units with no entry come last, unranked out."""
    if rule not in RANK_RULES:
        rule = DEFAULT_RULE
    candidates = [r for r in rows if r.key is not None and r.tally.entries > 0]
    candidates.sort(key=lambda r: (tuple(-v for v in _figures(r.tally, rule)), r.label))
    out: list[Ranked] = []
    for i, row in enumerate(candidates):
        same = out and _figures(out[-1].row.tally, rule) == _figures(row.tally, rule)
        out.append(Ranked(out[-1].place if same else i + 1, row))
    return out

"""Award allocation from a ranked list: quotas, minimum scores, ties, adjustments.

Plain data in and out. Each group (genre or age group) is allocated on its
own, levels from the highest down:

* quota per level as a count or a percentage of the group's candidates
  (rounded half up);
* 宁缺毋滥: a level's minimum score may leave places empty;
* one award per author (within a group): walking down the ranking, an
  author's first entry gets the award, the author's later entries are skipped
  and the place goes to the next-ranked entry, so each author keeps the
  highest award;
* a tie across the last place of a level (``tied_with_previous`` chain) is
  settled by the activity's policy: "both_higher" gives every tied entry the
  higher level and takes the overflow off the next levels' quotas (so the
  total number of awards stays as planned wherever a lower level has room),
  "committee" keeps the deterministic order and lists the tie in
  ``pending_ties`` for the committee.

Every decision is written to ``trace`` as a code with parameters, for the
audit log; :func:`describe` turns an event into a sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from core.errors import UserError
from core.i18n_markers import N_

EntryId = Hashable
AuthorId = Hashable
GroupKey = Hashable

LEVEL_CODES = ("special", "first", "second", "third", "excellence")
LEVEL_LABELS = {
    "special": N_("Special prize"),
    "first": N_("First prize"),
    "second": N_("Second prize"),
    "third": N_("Third prize"),
    "excellence": N_("Award of excellence"),
}
BOUNDARY_TIE_POLICIES = ("both_higher", "committee")
_EPS = 1e-9  # a score equal to the minimum up to float noise reaches it


@dataclass(frozen=True)
class Candidate:
    """A ranked entry of one group.

    ``rank`` and ``tied_with_previous`` must come from ranking *within the
    group* (``scoring.rank_entries`` run per group): the tie flag refers to
    the candidate ranked just above in the same group.
    """

    entry_id: EntryId
    author_id: AuthorId
    group: GroupKey
    score: float
    rank: int
    tied_with_previous: bool = False


@dataclass(frozen=True)
class LevelRule:
    """One award level: its quota (``count`` or ``percent``) and minimum score."""

    code: str
    count: int | None = None
    percent: float | None = None
    min_score: float | None = None

    def __post_init__(self) -> None:
        if (self.count is None) == (self.percent is None):
            raise ValueError(f"level {self.code!r}: give exactly one of count or percent")
        if (self.count or 0) < 0 or (self.percent or 0) < 0:
            raise ValueError(f"level {self.code!r}: quota must not be negative")

    def quota(self, candidates: int) -> int:
        """Places for a group of ``candidates`` entries; percentages round half up."""
        if self.count is not None:
            return self.count
        exact = Decimal(str(self.percent)) * candidates / 100
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def describe_quota(self) -> str:
        return str(self.count) if self.count is not None else f"{self.percent:g}%"


@dataclass(frozen=True)
class Award:
    entry_id: EntryId
    author_id: AuthorId
    level: str
    group: GroupKey
    position: int  # 1-based, within the level and group, in rank order
    score: float
    rank: int


@dataclass(frozen=True)
class Unfilled:
    group: GroupKey
    level: str
    places: int
    reason: str  # "below_min_score" or "no_candidates"


@dataclass(frozen=True)
class PendingTie:
    """Entries tied across the last place of ``level``, for the committee."""

    group: GroupKey
    level: str
    awarded: tuple[EntryId, ...]  # tied entries that got ``level`` by the order
    below: tuple[EntryId, ...]  # tied entries that did not


@dataclass(frozen=True)
class TraceEvent:
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Allocation:
    awards: tuple[Award, ...]
    unfilled: tuple[Unfilled, ...]
    pending_ties: tuple[PendingTie, ...]
    trace: tuple[TraceEvent, ...]
    # Kept so adjustments can award entries that had none and re-order lists.
    candidates: tuple[Candidate, ...]
    rules: Mapping[GroupKey, tuple[LevelRule, ...]]
    one_award_per_author: bool
    boundary_tie: str


@dataclass(frozen=True)
class Adjustment:
    """A committee decision: give ``entry_id`` another level (None removes it)."""

    entry_id: EntryId
    new_level: str | None
    reason: str


@dataclass(frozen=True)
class Change:
    entry_id: EntryId
    group: GroupKey
    old_level: str | None
    new_level: str | None
    reason: str


TRACE_MESSAGES = {
    "quota": N_("Group %(group)s, %(level)s: %(quota)s place(s) (rule %(rule)s, %(candidates)s candidates)."),
    "quota_reduced": N_("Group %(group)s, %(level)s: %(places)s place(s) taken by tied entries of a higher level."),
    "award": N_("Group %(group)s: entry %(entry)s (rank %(rank)s, score %(score)s) receives %(level)s."),
    "skip_same_author": N_(
        "Group %(group)s: entry %(entry)s skipped; its author already receives %(level)s for entry %(kept)s."
    ),
    "below_min_score": N_(
        "Group %(group)s, %(level)s: entry %(entry)s scored %(score)s, below the minimum %(minimum)s."
    ),
    "unfilled": N_("Group %(group)s, %(level)s: %(places)s place(s) left empty."),
    "tie_both_higher": N_(
        "Group %(group)s, %(level)s: entries %(entries)s tie with the last place and also receive this level."
    ),
    "tie_pending": N_(
        "Group %(group)s, %(level)s: entries %(entries)s tie across the last place; the committee decides."
    ),
    "overflow_beyond_quota": N_("Group %(group)s: %(places)s tied entries awarded beyond the total quota."),
    "adjusted": N_("Entry %(entry)s changed from %(old)s to %(new)s by the committee. Reason: %(reason)s"),
}


def describe(event: TraceEvent, translate: Callable[[str], str] = lambda s: s) -> str:
    """One sentence for a trace event; pass gettext as ``translate`` in the app."""
    params = dict(event.params)
    for key in ("level", "old", "new"):
        if key in params:
            code = params[key]
            params[key] = (
                translate(LEVEL_LABELS[code]) if code in LEVEL_LABELS else ("-" if code is None else str(code))
            )
    if "entries" in params:
        params["entries"] = "、".join(str(e) for e in params["entries"])  # Chinese enumeration comma
    return translate(TRACE_MESSAGES[event.code]) % params


def allocate(
    ranked: Sequence[Candidate],
    levels: Sequence[LevelRule] | Mapping[GroupKey, Sequence[LevelRule]],
    *,
    one_award_per_author: bool = True,
    boundary_tie: str = "both_higher",
) -> Allocation:
    """Allocate award levels group by group.

    ``levels`` is ordered from the highest level down; one list for every
    group, or a mapping group -> list when groups have their own quotas.
    """
    if boundary_tie not in BOUNDARY_TIE_POLICIES:
        raise ValueError(f"unknown boundary tie policy {boundary_tie!r}")
    if len({c.entry_id for c in ranked}) != len(ranked):
        raise ValueError("an entry appears twice among the candidates")
    by_group: dict[GroupKey, list[Candidate]] = {}
    for candidate in ranked:
        by_group.setdefault(candidate.group, []).append(candidate)
    rules = _rules_per_group(levels, list(by_group))

    awards: list[Award] = []
    unfilled: list[Unfilled] = []
    ties: list[PendingTie] = []
    trace: list[TraceEvent] = []
    for group, members in by_group.items():
        members.sort(key=lambda c: c.rank)
        _GroupAllocator(
            group, members, rules[group], one_award_per_author, boundary_tie, awards, unfilled, ties, trace
        ).run()
    return Allocation(
        awards=tuple(awards),
        unfilled=tuple(unfilled),
        pending_ties=tuple(ties),
        trace=tuple(trace),
        candidates=tuple(ranked),
        rules=rules,
        one_award_per_author=one_award_per_author,
        boundary_tie=boundary_tie,
    )


def _rules_per_group(levels, groups) -> dict[GroupKey, tuple[LevelRule, ...]]:
    if isinstance(levels, Mapping):
        missing = [g for g in groups if g not in levels]
        if missing:
            raise UserError(N_("No award levels are set for group %(group)s."), group=missing[0])
        rules = {g: tuple(rs) for g, rs in levels.items()}
    else:
        rules = {g: tuple(levels) for g in groups}
    for group_rules in rules.values():
        codes = [r.code for r in group_rules]
        if len(set(codes)) != len(codes):
            raise ValueError(f"award level listed twice: {codes}")
    return rules


class _GroupAllocator:
    """Walks one group's ranking once, level by level."""

    def __init__(self, group, members, rules, one_per_author, boundary_tie, awards, unfilled, ties, trace):
        self.group, self.members, self.rules = group, members, rules
        self.one_per_author, self.boundary_tie = one_per_author, boundary_tie
        self.awards, self.unfilled, self.ties, self.trace = awards, unfilled, ties, trace
        self.next = 0  # index of the next candidate in rank order
        self.kept: dict[AuthorId, Award] = {}

    def log(self, code: str, **params) -> None:
        self.trace.append(TraceEvent(code, {"group": self.group, **params}))

    def run(self) -> None:
        overflow = 0  # places already taken by a higher level's boundary tie
        for rule in self.rules:
            quota = rule.quota(len(self.members))
            self.log("quota", level=rule.code, quota=quota, rule=rule.describe_quota(), candidates=len(self.members))
            taken = min(overflow, quota)
            if taken:
                self.log("quota_reduced", level=rule.code, places=taken)
                overflow -= taken
            overflow += self.fill_level(rule, quota - taken)
        if overflow:
            self.log("overflow_beyond_quota", places=overflow)

    def fill_level(self, rule: LevelRule, places: int) -> int:
        """Award up to ``places``; returns how many extra a boundary tie took."""
        given: list[Award] = []
        reason = None
        while len(given) < places:
            if self.next >= len(self.members):
                reason = "no_candidates"
                break
            candidate = self.members[self.next]
            if rule.min_score is not None and candidate.score < rule.min_score - _EPS:
                # The candidate stays available for a lower level with a lower minimum.
                self.log(
                    "below_min_score",
                    level=rule.code,
                    entry=candidate.entry_id,
                    score=candidate.score,
                    minimum=rule.min_score,
                )
                reason = "below_min_score"
                break
            self.next += 1
            if not self.skip_same_author(candidate):
                given.append(self.give(candidate, rule.code, len(given) + 1))
        if reason is not None:
            self.unfilled.append(Unfilled(self.group, rule.code, places - len(given), reason))
            self.log("unfilled", level=rule.code, places=places - len(given))
            return 0
        if not given:
            return 0
        return self.settle_boundary_tie(rule.code, given)

    def skip_same_author(self, candidate: Candidate) -> bool:
        if not self.one_per_author or candidate.author_id not in self.kept:
            return False
        kept = self.kept[candidate.author_id]
        self.log("skip_same_author", entry=candidate.entry_id, level=kept.level, kept=kept.entry_id)
        return True

    def give(self, candidate: Candidate, level: str, position: int) -> Award:
        award = Award(
            candidate.entry_id, candidate.author_id, level, self.group, position, candidate.score, candidate.rank
        )
        self.awards.append(award)
        self.kept.setdefault(candidate.author_id, award)
        self.log("award", entry=candidate.entry_id, rank=candidate.rank, score=candidate.score, level=level)
        return award

    def settle_boundary_tie(self, level: str, given: list[Award]) -> int:
        end = self.next
        while end < len(self.members) and self.members[end].tied_with_previous:
            end += 1
        below = [c for c in self.members[self.next : end] if not (self.one_per_author and c.author_id in self.kept)]
        if not below:
            return 0
        start = self.next - 1  # the last place; walk up to where its tie begins
        while start > 0 and self.members[start].tied_with_previous:
            start -= 1
        tied_above = {c.entry_id for c in self.members[start : self.next]}
        awarded = tuple(a.entry_id for a in given if a.entry_id in tied_above)
        if self.boundary_tie == "committee":
            self.ties.append(PendingTie(self.group, level, awarded, tuple(c.entry_id for c in below)))
            self.log("tie_pending", level=level, entries=[*awarded, *(c.entry_id for c in below)])
            return 0
        self.log("tie_both_higher", level=level, entries=[c.entry_id for c in below])
        extra = 0
        for candidate in self.members[self.next : end]:
            if not self.skip_same_author(candidate):
                given.append(self.give(candidate, level, len(given) + 1))
                extra += 1
        self.next = end
        return extra


def apply_adjustments(allocation: Allocation, adjustments: Sequence[Adjustment]) -> tuple[Allocation, list[Change]]:
    """Apply committee decisions in order; every one needs a reason.

    An adjustment naming an entry of a pending tie settles that tie (a
    decision to keep the order is an adjustment to the entry's current
    level). Quotas are not enforced: the committee may go beyond them, and
    ``unfilled`` keeps describing the automatic allocation.
    """
    candidates = {c.entry_id: c for c in allocation.candidates}
    levels = {a.entry_id: a.level for a in allocation.awards}
    changes: list[Change] = []
    for adjustment in adjustments:
        reason = (adjustment.reason or "").strip()
        if not reason:
            raise UserError(
                N_("A reason is required to change the award of entry %(entry)s."), entry=adjustment.entry_id
            )
        candidate = candidates.get(adjustment.entry_id)
        if candidate is None:
            raise UserError(N_("Entry %(entry)s is not among the candidates."), entry=adjustment.entry_id)
        offered = [r.code for r in allocation.rules[candidate.group]]
        if adjustment.new_level is not None and adjustment.new_level not in offered:
            raise UserError(
                N_("Award level %(level)s is not offered in group %(group)s."),
                level=adjustment.new_level,
                group=candidate.group,
            )
        changes.append(
            Change(candidate.entry_id, candidate.group, levels.get(candidate.entry_id), adjustment.new_level, reason)
        )
        if adjustment.new_level is None:
            levels.pop(candidate.entry_id, None)
        else:
            levels[candidate.entry_id] = adjustment.new_level

    if allocation.one_award_per_author:
        holders: dict[tuple[GroupKey, AuthorId], EntryId] = {}
        for entry_id in levels:
            c = candidates[entry_id]
            if holders.setdefault((c.group, c.author_id), entry_id) != entry_id:
                raise UserError(
                    N_("The author of entry %(entry)s would receive more than one award in group %(group)s."),
                    entry=entry_id,
                    group=c.group,
                )

    adjusted = {c.entry_id for c in changes}
    pending = tuple(t for t in allocation.pending_ties if adjusted.isdisjoint((*t.awarded, *t.below)))
    trace = allocation.trace + tuple(
        TraceEvent(
            "adjusted",
            {"entry": c.entry_id, "group": c.group, "old": c.old_level, "new": c.new_level, "reason": c.reason},
        )
        for c in changes
    )
    return replace(allocation, awards=_rebuild_awards(allocation, levels), pending_ties=pending, trace=trace), changes


def _rebuild_awards(allocation: Allocation, levels: Mapping[EntryId, str]) -> tuple[Award, ...]:
    by_group: dict[GroupKey, list[Candidate]] = {}
    for c in allocation.candidates:
        by_group.setdefault(c.group, []).append(c)
    awards: list[Award] = []
    for group, members in by_group.items():
        members.sort(key=lambda c: c.rank)
        for rule in allocation.rules[group]:
            holders = [c for c in members if levels.get(c.entry_id) == rule.code]
            awards.extend(
                Award(c.entry_id, c.author_id, rule.code, group, position, c.score, c.rank)
                for position, c in enumerate(holders, start=1)
            )
    return tuple(awards)


def settle_tie(
    ranked: Sequence[Candidate], group: GroupKey, tied: Sequence[EntryId], chosen: Sequence[EntryId]
) -> list[Candidate]:
    """The candidates with a boundary tie broken by the committee's decision.

    ``tied`` are the entries tied across a boundary (a ``PendingTie``'s
    ``awarded`` and ``below``); ``chosen`` those the committee puts first. In
    the group's ranking the stretch holding the tied entries is reordered:
    the chosen entries first, then the others, each side in its former order;
    the stretch keeps its ranks, and the tie is broken between the two sides
    (the others still tie among themselves, which may make a tie at the next
    boundary). Allocating the result gives the chosen entries the level.
    """
    tied_set, chosen_set = set(tied), set(chosen)
    if not chosen_set <= tied_set:
        raise ValueError("the chosen entries must be among the tied ones")
    members = sorted((c for c in ranked if c.group == group), key=lambda c: c.rank)
    positions = [i for i, c in enumerate(members) if c.entry_id in tied_set]
    if len(positions) != len(tied_set):
        raise ValueError("a tied entry is not among the group's candidates")
    block = members[min(positions) : max(positions) + 1]
    order = [c for c in block if c.entry_id in chosen_set] + [c for c in block if c.entry_id not in chosen_set]
    ranks = [c.rank for c in block]
    first_flag = block[0].tied_with_previous
    cut = sum(1 for c in block if c.entry_id in chosen_set)
    settled = {
        c.entry_id: replace(c, rank=ranks[i], tied_with_previous=first_flag if i == 0 else i != cut)
        for i, c in enumerate(order)
    }
    return [settled.get(c.entry_id, c) for c in ranked]

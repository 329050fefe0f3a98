"""The committee ballot rule (nominations.ballot.tally): a table of cases."""

from __future__ import annotations

import pytest

from nominations.ballot import tally

NINE = range(1, 10)


def votes(f=0, a=0, ab=0, start=1):
    """Ballots from consecutive member ids: f for, a against, ab abstentions."""
    out, n = {}, start
    for vote, count in (("for", f), ("against", a), ("abstain", ab)):
        for _ in range(count):
            out[n] = vote
            n += 1
    return out


@pytest.mark.parametrize(
    "ballots, members, recused, valid, present, for_votes, needed, passed",
    [
        # 9 members: 6 is two thirds exactly (以上 includes the bound), 5 is short.
        (votes(6), NINE, (), True, 6, 6, 4, True),
        (votes(5), NINE, (), False, 5, 5, 3, False),
        (votes(9), NINE, (), True, 9, 9, 5, True),
        # More than half of those present: 4 of 6 passes, 3 of 6 (a tie) fails.
        (votes(4, 2), NINE, (), True, 6, 4, 4, True),
        (votes(3, 3), NINE, (), True, 6, 3, 4, False),
        # Abstentions count as present, so they raise the bar.
        (votes(4, 0, 3), NINE, (), True, 7, 4, 4, True),
        (votes(3, 0, 4), NINE, (), True, 7, 3, 4, False),
        (votes(0, 0, 6), NINE, (), True, 6, 0, 4, False),
        # 1 recused of 9: 8 eligible, 16/3 = 5.33 so 6 must take part.
        (votes(5, start=2), NINE, (1,), False, 5, 5, 3, False),
        (votes(6, start=2), NINE, (1,), True, 6, 6, 4, True),
        # A recused member's ballot is ignored (not present, not counted).
        (votes(6), NINE, (1,), False, 5, 5, 3, False),
        # Ballots of non-members are ignored.
        ({**votes(5), 99: "for", 100: "for"}, NINE, (), False, 5, 5, 3, False),
        # 3 members: 2 is exactly two thirds.
        (votes(2), (1, 2, 3), (), True, 2, 2, 2, True),
        (votes(1, 1), (1, 2, 3), (), True, 2, 1, 2, False),
        (votes(1), (1, 2, 3), (), False, 1, 1, 1, False),
        # 7 members: 14/3 = 4.67, so 5 needed to be valid.
        (votes(4), range(1, 8), (), False, 4, 4, 3, False),
        (votes(3, 2), range(1, 8), (), True, 5, 3, 3, True),
        # Zero eligible members: never valid.
        ({}, (), (), False, 0, 0, 1, False),
        (votes(1), (1,), (1,), False, 0, 0, 1, False),
        # Nobody voted.
        ({}, NINE, (), False, 0, 0, 1, False),
        # A single member who votes for.
        (votes(1), (1,), (), True, 1, 1, 1, True),
    ],
)
def test_tally_table(ballots, members, recused, valid, present, for_votes, needed, passed):
    t = tally(ballots, members, recused)
    assert (t.valid, t.present, t.for_votes, t.needed, t.passed) == (valid, present, for_votes, needed, passed)


@pytest.mark.parametrize(
    "quorum, present, valid",
    [(0.5, 3, False), (0.5, 4, True), (0.75, 5, False), (0.75, 6, True), (1.0, 7, False), (1.0, 8, True)],
)
def test_other_quorums_are_inclusive_bounds(quorum, present, valid):
    assert tally(votes(present), range(1, 9), quorum=quorum).valid is valid


def test_counts_split_by_vote():
    t = tally(votes(3, 2, 1), NINE)
    assert (t.eligible, t.for_votes, t.against_votes, t.abstentions) == (9, 3, 2, 1)


def test_unknown_vote_is_refused():
    with pytest.raises(ValueError):
        tally({1: "yes"}, NINE)

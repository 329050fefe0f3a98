"""The committee's secret ballot on one candidate (pure: no Flask, no SQLAlchemy).

The vote is valid when at least ``quorum`` of the members who are not recused take
part (以上 includes the bound); a candidate passes with more than half of the votes
of those taking part (abstentions count as taking part, a tie fails). Recused members
neither vote nor count; a ballot from a recused member or a non-member is ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction

FOR = "for"
AGAINST = "against"
ABSTAIN = "abstain"
VOTES = (FOR, AGAINST, ABSTAIN)


@dataclass(frozen=True)
class Tally:
    eligible: int  # members not recused (应到)
    present: int  # eligible members who cast a ballot, abstentions included (实到)
    for_votes: int
    against_votes: int
    abstentions: int
    needed: int  # votes for needed to pass: more than half of those present
    valid: bool  # the quorum was reached
    passed: bool


def _quorum_fraction(quorum: float) -> Fraction:
    # 2/3 as a float is not 2/3; the nearest small fraction is, so the bound stays exact.
    return Fraction(quorum).limit_denominator(1000)


def tally(
    ballots: Mapping[int, str],
    members: Collection[int],
    recused: Collection[int] = (),
    quorum: float = 2 / 3,
) -> Tally:
    """Count one candidate's ballots; ``ballots`` maps a member's id to "for"/"against"/"abstain"."""
    for vote in ballots.values():
        if vote not in VOTES:
            raise ValueError(f"unknown vote {vote!r}")
    voters = set(members) - set(recused)
    counted = {member: vote for member, vote in ballots.items() if member in voters}
    eligible, present = len(voters), len(counted)
    for_votes = sum(1 for v in counted.values() if v == FOR)
    against = sum(1 for v in counted.values() if v == AGAINST)
    q = _quorum_fraction(quorum)
    valid = eligible > 0 and present * q.denominator >= q.numerator * eligible
    needed = present // 2 + 1
    return Tally(
        eligible=eligible,
        present=present,
        for_votes=for_votes,
        against_votes=against,
        abstentions=present - for_votes - against,
        needed=needed,
        valid=valid,
        passed=valid and for_votes >= needed,
    )

"""Who may do what with their own work in a round: the rules the judge's pages and services share."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from judging.models import AssignmentStatus
from judging.permissions import can_accept_pledge, can_change_score, can_recuse, recusal_refusal, score_refusal

PLEDGED = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _member(*, active=True, pledged=True):
    return SimpleNamespace(active=active, pledge_accepted_at=PLEDGED if pledged else None)


def _item(status=AssignmentStatus.ASSIGNED, judge_id=7):
    return SimpleNamespace(status=status, judge_id=judge_id)


@pytest.mark.parametrize(
    ("member", "item", "scoring_open", "refusal"),
    [
        (_member(), _item(), True, None),
        (_member(), _item(AssignmentStatus.SUBMITTED), True, None),  # revised until the round closes
        (_member(), _item(), False, "Judging is closed for this round."),
        (_member(), _item(AssignmentStatus.RECUSED), True, "You have recused yourself from this entry."),
        (_member(pledged=False), _item(), True, "Accept the judge's pledge before scoring."),
        (None, _item(), True, "Accept the judge's pledge before scoring."),
        (_member(active=False), _item(), True, "You were removed from this round's judge pool"),
    ],
)
def test_score_refusals(member, item, scoring_open, refusal):
    got = score_refusal(member, item, scoring_open=scoring_open)
    assert (got is None) if refusal is None else got.startswith(refusal)
    assert can_change_score(member, item, scoring_open=scoring_open) is (refusal is None)


def test_recusal_is_offered_only_on_an_open_unscored_entry():
    assert can_recuse(_member(), _item(), scoring_open=True)
    assert not can_recuse(_member(), _item(AssignmentStatus.SUBMITTED), scoring_open=True)
    assert not can_recuse(_member(), _item(), scoring_open=False)
    assert not can_recuse(_member(active=False), _item(), scoring_open=True)


def test_recusal_refusals():
    judge, organiser = SimpleNamespace(id=7), SimpleNamespace(id=1)
    assert recusal_refusal(_item(), judge, round_open=True) is None
    assert recusal_refusal(_item(), judge, round_open=False) == "Judging is not open in this round."
    assert recusal_refusal(_item(), organiser, round_open=False) is None  # an organiser hands it on at any time
    submitted = _item(AssignmentStatus.SUBMITTED)
    assert recusal_refusal(submitted, organiser, round_open=True).startswith("A submitted score cannot be recused")


def test_only_a_judge_in_the_pool_accepts_the_pledge():
    assert can_accept_pledge(_member(pledged=False))
    assert not can_accept_pledge(_member(active=False))
    assert not can_accept_pledge(None)

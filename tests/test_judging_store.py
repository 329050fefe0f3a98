"""The bulk stores behind assignment and results give what the plain computations give."""

from __future__ import annotations

import random
import statistics

from sqlalchemy import select

from helpers import setup_round


def test_stored_assignments_equal_the_solvers_result_with_the_seeded_queue_keys(
    db, make_user, make_unit, organiser, monkeypatch
):
    from judging import assign as assign_mod
    from judging.models import Assignment

    solved = []
    real_assign = assign_mod.assign

    def spy(problem):
        solved.append(real_assign(problem))
        return solved[-1]

    monkeypatch.setattr(assign_mod, "assign", spy)
    round_, *_ = setup_round(db, make_user, make_unit, organiser, n_entries=40, n_judges=7, k=3, open_=False)
    rows = db.session.execute(
        select(Assignment.judge_id, Assignment.submission_id, Assignment.shuffle_key).where(
            Assignment.round_id == round_.id
        )
    ).all()
    pairs = sorted(solved[0].new)
    assert sorted((j, e) for j, e, _ in rows) == pairs
    # The keys that order each judge's queue: the same ones the round's seed always gave.
    rnd = random.Random(round_.seed * 7919 + len(pairs))
    expected = {pair: rnd.randrange(2**31) for pair in pairs}
    assert {(j, e): key for j, e, key in rows} == expected


def _reference_ranking(scores: dict[int, list[float]], codes: dict[int, str], full_marks: float):
    """Mean per entry, then rank by final, mean, median, top-band count, code (the documented order)."""
    keyed = []
    for sid, values in scores.items():
        final = round(sum(values) / len(values), 9)
        top = sum(1 for v in values if v >= 0.9 * full_marks - 1e-9)
        merit = (final, round(statistics.mean(values), 9), round(statistics.median(values), 9), top)
        keyed.append((tuple(-m for m in merit), codes[sid], sid, merit))
    keyed.sort()
    out, previous = {}, None
    for position, (_, _, sid, merit) in enumerate(keyed, start=1):
        out[sid] = (merit[0], position, merit == previous)
        previous = merit
    return out


def test_results_equal_a_plain_reference_on_a_random_round(db, make_user, make_unit, organiser):
    from judging import results
    from judging.models import Assignment, RoundResult, Score, ScoreStatus

    round_, _, _, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=30, n_judges=6, k=3)
    rnd = random.Random(20261201)
    assignments = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).all()
    scores: dict[int, list[float]] = {}
    for item in assignments:
        if rnd.random() < 0.1:  # some entries end with fewer scores
            continue
        total = float(rnd.choice([70, 81, 88.5, 90, 95]))  # few values: ties happen
        db.session.add(
            Score(assignment_id=item.id, round_id=round_.id, values={}, total=total, status=ScoreStatus.SUBMITTED)
        )
        scores.setdefault(item.submission_id, []).append(total)
    db.session.commit()

    computed = results.compute_results(round_)
    codes = {e.id: e.anonymous_code for e in entries}
    expected = _reference_ranking(scores, codes, round_.full_marks or 100.0)
    got = {r.submission_id: r for r in computed}
    assert set(got) == {e.id for e in entries}
    for sid, r in got.items():
        if sid not in expected:
            assert (r.final_score, r.rank, r.n_scores) == (None, None, 0)
            continue
        final, rank, tied = expected[sid]
        assert (r.final_score, r.rank, r.group_rank, r.tied_with_previous) == (final, rank, rank, tied)
        assert r.n_scores == len(scores[sid])
        assert abs(r.mean - statistics.mean(scores[sid])) < 1e-9
    stored = {
        sid: (final, rank)
        for sid, final, rank in db.session.execute(
            select(RoundResult.submission_id, RoundResult.final_score, RoundResult.rank).where(
                RoundResult.round_id == round_.id
            )
        )
    }
    assert stored == {sid: (r.final_score, r.rank) for sid, r in got.items()}

"""Computed results equal the per-entry computation, and a recomputation rewrites only what changed."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select, update

from helpers import setup_round


def _score(db, round_, assignment, total):
    from judging.models import AssignmentStatus, Score, ScoreStatus

    db.session.add(
        Score(assignment_id=assignment.id, round_id=round_.id, values={}, total=total, status=ScoreStatus.SUBMITTED)
    )
    assignment.status = AssignmentStatus.SUBMITTED


def _reference(round_, entries):
    """The per-entry computation: a dict of scores per entry, verdict() and rank_entries() one entry at a time."""
    from judging import results, scoring
    from judging.arbitration import VerdictRules, verdict

    rows = results.fetch_scores(round_)
    regular = results.regular_matrix(rows)
    extra: dict = {}
    for sid, _judge, role, total in rows:
        if role != "regular":
            extra.setdefault(sid, {})[str(role)] = total
    method_values = scoring.aggregate(regular, round_.method, scale=(0.0, round_.full_marks))
    rules = VerdictRules.of(round_)
    entries = {e.id: e.anonymous_code for e in entries}
    out = {}
    for sid in sorted(entries):
        scores = list(regular.get(sid, {}).values())
        e = extra.get(sid, {})
        v = verdict(rules, scores, e.get("third"), e.get("arbiter"), method_values.get(sid))
        out[sid] = [v.final, str(v.rule), len(scores), sum(scores) / len(scores) if scores else None, v.spread]
    finals = [scoring.RankInput(sid, out[sid][0], list(regular.get(sid, {}).values()), entries[sid]) for sid in out]
    ranked = {r.entry_id: r for r in scoring.rank_entries([f for f in finals if f.final is not None])}
    for sid, row in out.items():
        r = ranked.get(sid)
        row += [r.rank if r else None, bool(r and r.tied_with_previous)]
    return out


def test_results_equal_the_per_entry_computation_with_third_judges(db, make_user, make_unit, organiser):
    from judging import results
    from judging.models import Assignment, AssignmentRole

    round_, _, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=40, n_judges=8, k=2, arbitration="third_judge"
    )
    rnd = random.Random(1412)
    panels: dict[int, list] = {}
    for item in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)):
        panels.setdefault(item.submission_id, []).append(item)
        if rnd.random() < 0.9:
            _score(db, round_, item, rnd.choice([55.0, 70.0, 72.5, 81.0, 88.5, 95.0]))
    for n, (sid, panel) in enumerate(list(panels.items())[:16]):  # a third judge on some entries, agreeing or not
        judge = next(j for j in judges if j.id not in {a.judge_id for a in panel})
        third = Assignment(round_id=round_.id, judge_id=judge.id, submission_id=sid, role=AssignmentRole.THIRD)
        db.session.add(third)
        db.session.flush()
        _score(db, round_, third, (20.0, 60.0, 75.0, 90.0)[n % 4])
    db.session.commit()

    got = {
        r.submission_id: [r.final_score, str(r.rule), r.n_scores, r.mean, r.spread, r.rank, r.tied_with_previous]
        for r in results.compute_results(round_)
    }
    expected = _reference(round_, entries)
    assert {row[1] for row in expected.values()} >= {"agreed", "third_judge", "needs_arbiter", "mean"}
    assert got == expected


@pytest.mark.parametrize("many", [1, 10_000], ids=["in-bulk", "row-by-row"])
def test_a_recomputation_rewrites_only_the_rows_that_changed(db, make_user, make_unit, organiser, monkeypatch, many):
    from judging import result_store, results

    monkeypatch.setattr(result_store, "_MANY", many)  # PostgreSQL's bulk update, or one statement a row
    from judging.models import Assignment, RoundResult, Score

    round_, _, _, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=8, n_judges=4, k=2)
    items = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id))
    place = {e.id: n for n, e in enumerate(entries)}
    for item in items:
        _score(db, round_, item, 60.0 + 4 * place[item.submission_id])  # entry by entry, better and better
    db.session.commit()

    def stored():
        columns = [RoundResult.__table__.c[c] for c in ("submission_id", "id", "computed_at", "rank", "advanced")]
        return {
            row[0]: row[1:] for row in db.session.execute(select(*columns).where(RoundResult.round_id == round_.id))
        }

    first = {r.submission_id: r for r in results.compute_results(round_)}
    db.session.execute(update(RoundResult).where(RoundResult.submission_id == entries[0].id).values(advanced=True))
    db.session.commit()
    before = stored()
    # The entry in second place scores best now: the first two swap, the other rows stay.
    by_rank = sorted(first.values(), key=lambda r: r.rank)
    second = by_rank[1].submission_id
    for score in db.session.scalars(select(Score).join(Assignment).where(Assignment.submission_id == second)):
        score.total = 99.0
    db.session.commit()
    again = {r.submission_id: r for r in results.compute_results(round_)}
    db.session.commit()
    after = stored()

    assert set(after) == set(before)
    assert all(after[sid][0] == before[sid][0] for sid in after)  # the same rows, updated in place
    moved = {sid for sid in after if after[sid][1] != before[sid][1]}
    assert moved == {by_rank[0].submission_id, second} and again[second].rank == 1
    assert moved == {sid for sid in again if again[sid][2:11] != first[sid][2:11]}
    assert {sid: row[2] for sid, row in after.items()} == {sid: r.rank for sid, r in again.items()}
    assert after[entries[0].id][3] and again[entries[0].id].advanced  # the advanced flag is kept

    # An entry that leaves the round loses its result row.
    db.session.execute(
        Score.__table__.delete().where(
            Score.assignment_id.in_(select(Assignment.id).where(Assignment.submission_id == second))
        )
    )
    db.session.execute(Assignment.__table__.delete().where(Assignment.submission_id == second))
    db.session.commit()
    assert second not in {r.submission_id for r in results.compute_results(round_)}
    assert second not in stored()


def test_computed_results_carry_the_stored_columns():
    from judging import result_store, results

    assert results.ComputedResult._fields == result_store.COLUMNS

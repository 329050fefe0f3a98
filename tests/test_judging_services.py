"""Judging services: assignment, scoring rules, recusal, arbitration, results, awards, locking."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from core.errors import UserError
from helpers import make_entry, setup_round, values_for


def _assignments(db, round_, **filters):
    from judging.models import Assignment

    stmt = select(Assignment).where(Assignment.round_id == round_.id)
    for key, value in filters.items():
        stmt = stmt.where(getattr(Assignment, key) == value)
    return db.session.scalars(stmt).all()


def _item(db, round_, judge, entry):
    from judging.models import Assignment

    return db.session.scalar(
        select(Assignment).where(
            Assignment.round_id == round_.id, Assignment.judge_id == judge.id, Assignment.submission_id == entry.id
        )
    )


def test_assignment_gives_k_distinct_eligible_judges_with_even_loads(db, make_user, make_unit, organiser):
    from judging.models import RoundJudge

    round_, comp, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=10, n_judges=4, k=3, open_=False
    )
    # A judge from an author's unit joins later: never gets that author's entry.
    colleague = make_user("judge", unit=entries[0].unit)
    from judging import assign_services, pool_services

    pool_services.add_judge(round_, colleague, actor=organiser)
    extra = make_entry(db, comp, make_user("author", unit=entries[0].unit))
    assign_services.assign_judges(round_, actor=organiser)
    db.session.commit()
    items = _assignments(db, round_)
    per_entry = Counter(a.submission_id for a in items)
    assert set(per_entry.values()) == {3}
    assert len(per_entry) == 11
    assert all(a.judge_id != colleague.id for a in items if a.submission_id in (entries[0].id, extra.id))
    loads = Counter(a.judge_id for a in items)
    original = [loads[j.id] for j in judges]
    assert max(original) - min(original) <= 1
    assert db.session.scalar(select(RoundJudge).where(RoundJudge.user_id == colleague.id)).active


@pytest.mark.parametrize(
    "values, submit, message",
    [
        ((41, 20, 20), True, "between 0 and 40"),
        ((-1, 20, 20), True, "between 0 and 40"),
        ((30, 20.25, 20), True, "multiple of 0.5"),
        ((30, None, 20), True, "Give a score for"),
        (("abc", 20, 20), True, "is not a number"),
        (("nan", 20, 20), True, "is not a number"),
        ((30.5, 20, 20), False, "multiple of 1"),
    ],
)
def test_score_values_are_checked_on_the_server(db, make_user, make_unit, organiser, values, submit, message):
    from judging import judge_services

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser)
    item = _assignments(db, round_, judge_id=judges[0].id)[0]
    with pytest.raises(UserError, match=message):
        judge_services.save_score(item, actor=judges[0], values=values_for(round_, *values), submit=submit)


@pytest.mark.parametrize("values, total", [((40, 30, 30), 100), ((35, 22.5, 20), 77.5), ((0, 0, 0), 0)])
def test_submitted_score_total_is_the_sum(db, make_user, make_unit, organiser, values, total):
    from judging import judge_services
    from judging.models import AssignmentStatus

    round_, _, judges, _, _ = setup_round(db, make_user, make_unit, organiser)
    item = _assignments(db, round_, judge_id=judges[0].id)[0]
    draft = judge_services.save_score(item, actor=judges[0], values=values_for(round_, values[0]), submit=False)
    assert draft.status == "draft" and draft.total is None
    score = judge_services.save_score(item, actor=judges[0], values=values_for(round_, *values), submit=True)
    assert score.total == total and item.status == AssignmentStatus.SUBMITTED


def test_scoring_needs_pledge_and_open_round_and_stops_when_closed(db, make_user, make_unit, organiser):
    from judging import judge_services, round_services

    round_, _, judges, _, _ = setup_round(db, make_user, make_unit, organiser, accept=False)
    item = _assignments(db, round_, judge_id=judges[0].id)[0]
    with pytest.raises(UserError, match="pledge"):
        judge_services.save_score(item, actor=judges[0], values=values_for(round_, 30, 20, 20), submit=True)
    judge_services.accept_pledge(round_, judges[0])
    judge_services.save_score(item, actor=judges[0], values=values_for(round_, 30, 20, 20), submit=True)
    # Revising is allowed while open.
    score = judge_services.save_score(item, actor=judges[0], values=values_for(round_, 31, 20, 20), submit=True)
    assert score.total == 71
    round_services.close_round(round_, actor=organiser)
    with pytest.raises(UserError, match="closed"):
        judge_services.save_score(item, actor=judges[0], values=values_for(round_, 32, 20, 20), submit=True)


def test_recusal_hands_the_entry_to_another_eligible_judge(db, make_user, make_unit, organiser):
    from judging import judge_services
    from judging.models import AssignmentStatus

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_judges=4, k=2)
    item = _assignments(db, round_, judge_id=judges[0].id)[0]
    with pytest.raises(UserError, match="reason"):
        judge_services.recuse(item, actor=judges[0], reason=" ")
    replacement = judge_services.recuse(item, actor=judges[0], reason="认识作者")
    db.session.commit()
    assert item.status == AssignmentStatus.RECUSED
    assert replacement is not None and replacement.judge_id != judges[0].id
    active = [
        a for a in _assignments(db, round_, submission_id=item.submission_id) if a.status != AssignmentStatus.RECUSED
    ]
    assert len(active) == 2 and len({a.judge_id for a in active}) == 2


def test_double_marking_goes_to_a_third_judge_then_the_leader(db, make_user, make_unit, organiser):
    from judging import judge_services, results
    from judging.models import AssignmentRole

    round_, _, judges, entries, leader = setup_round(
        db, make_user, make_unit, organiser, n_entries=3, n_judges=3, k=2, arbitration="third_judge", leader=True
    )
    assert round_.effective_threshold == 15  # 15 % of 100
    entry = entries[0]
    first, second = [a for a in _assignments(db, round_, submission_id=entry.id)]
    by_id = {j.id: j for j in judges}
    judge_services.save_score(first, actor=by_id[first.judge_id], values=values_for(round_, 40, 30, 20), submit=True)
    assert not _assignments(db, round_, submission_id=entry.id, role=AssignmentRole.THIRD)
    judge_services.save_score(second, actor=by_id[second.judge_id], values=values_for(round_, 20, 15, 15), submit=True)
    third = _assignments(db, round_, submission_id=entry.id, role=AssignmentRole.THIRD)
    assert len(third) == 1 and third[0].judge_id not in (first.judge_id, second.judge_id)
    # Third judge far from both (90 vs 50): the leader arbitrates.
    judge_services.save_score(
        third[0], actor=by_id[third[0].judge_id], values=values_for(round_, 35, 20, 15), submit=True
    )
    arbiter = _assignments(db, round_, submission_id=entry.id, role=AssignmentRole.ARBITER)
    assert len(arbiter) == 1 and arbiter[0].judge_id == leader.id
    judge_services.save_score(arbiter[0], actor=leader, values=values_for(round_, 30, 20, 15), submit=True)
    rows = {r.submission_id: r for r in results.compute_results(round_)}
    assert rows[entry.id].final_score == 65 and rows[entry.id].rule == "arbiter"


@pytest.mark.parametrize(
    "s1, s2, s3, final, rule",
    [
        ((40, 30, 20), (35, 30, 20), None, 87.5, "agreed"),
        ((40, 30, 30), (20, 15, 15), (35, 25, 30), 95.0, "third_judge"),
    ],
)
def test_double_marking_rules(db, make_user, make_unit, organiser, s1, s2, s3, final, rule):
    from judging import judge_services, results
    from judging.models import AssignmentRole

    round_, _, judges, entries, leader = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=3, k=2, arbitration="third_judge", leader=True
    )
    by_id = {j.id: j for j in judges}
    entry = entries[0]
    a, b = _assignments(db, round_, submission_id=entry.id)
    judge_services.save_score(a, actor=by_id[a.judge_id], values=values_for(round_, *s1), submit=True)
    judge_services.save_score(b, actor=by_id[b.judge_id], values=values_for(round_, *s2), submit=True)
    if s3:
        (c,) = _assignments(db, round_, submission_id=entry.id, role=AssignmentRole.THIRD)
        judge_services.save_score(c, actor=by_id[c.judge_id], values=values_for(round_, *s3), submit=True)
    row = {r.submission_id: r for r in results.compute_results(round_)}[entry.id]
    assert (row.final_score, row.rule) == (final, rule)


def _score_all(db, round_, judges, totals):
    """Score every regular assignment; totals: entry index -> first-criterion value."""
    from judging import judge_services

    by_id = {j.id: j for j in judges}
    for a in _assignments(db, round_):
        judge_services.save_score(
            a, actor=by_id[a.judge_id], values=values_for(round_, totals[a.submission_id], 20, 20), submit=True
        )


def test_awards_finalise_and_lock(db, make_user, make_unit, organiser, monkeypatch):
    from judging import assign_services, award_services, judge_services, results, round_services
    from judging.models import Award, RoundState

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=5, k=2)
    totals = {e.id: 40 - 5 * i for i, e in enumerate(entries)}  # entry 0 best
    _score_all(db, round_, judges, totals)
    award_services.set_scheme(
        round_,
        actor=organiser,
        grouping="all",
        one_award_per_author=True,
        boundary_tie="both_higher",
        levels=[
            {"code": "first", "count": 1},
            {"code": "second", "count": 1},
            {"code": "third", "count": 1, "min_score": 70},
        ],
    )
    allocation = results.allocate_awards(round_, actor=organiser)
    levels = {a.entry_id: a.level for a in allocation.awards}
    assert levels == {entries[0].id: "first", entries[1].id: "second", entries[2].id: "third"}
    with pytest.raises(UserError, match="reason"):
        award_services.adjust_award(round_, entries[3].id, "third", actor=organiser, reason="")
    award_services.adjust_award(round_, entries[2].id, None, actor=organiser, reason="评委会复议")
    assert {a.submission_id for a in db.session.scalars(select(Award))} == {entries[0].id, entries[1].id}
    with pytest.raises(UserError, match="Close the round"):
        results.finalise_round(round_, actor=organiser)
    round_services.close_round(round_, actor=organiser)
    assert results.finalise_round(round_, actor=organiser) == 2
    db.session.commit()
    assert round_.state == RoundState.FINALISED
    from publishing.models import ResultSet

    (result_set,) = db.session.scalars(select(ResultSet)).all()  # handed over to publishing
    assert sorted(h.level_code for h in result_set.honours) == ["first", "second"]
    assert {h.work_title for h in result_set.honours} == {entries[0].title, entries[1].title}
    item = _assignments(db, round_)[0]
    for action in (
        lambda: round_services.update_round(round_, actor=organiser, name="x"),
        lambda: judge_services.save_score(item, actor=judges[0], values={}, submit=False),
        lambda: award_services.adjust_award(round_, entries[3].id, "third", actor=organiser, reason="r"),
        lambda: assign_services.assign_judges(round_, actor=organiser),
    ):
        with pytest.raises(UserError, match="finalised"):
            action()


def test_next_round_takes_the_top_entries(db, make_user, make_unit, organiser):
    from judging import pool_services, results, round_services
    from judging.models import PoolRule

    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=5, k=2)
    totals = {e.id: 40 - 5 * i for i, e in enumerate(entries)}
    _score_all(db, round_, judges, totals)
    round_services.close_round(round_, actor=organiser)
    results.finalise_round(round_, actor=organiser)
    final = round_services.create_round(comp, actor=organiser, name="终评", k=3, pool_rule=PoolRule.TOP_N, pool_value=2)
    assert final.position == 2
    assert pool_services.pool_entry_ids(final) == sorted([entries[0].id, entries[1].id])


def test_removing_a_judge_reassigns_their_open_entries(db, make_user, make_unit, organiser):
    from judging import pool_services
    from judging.models import AssignmentStatus

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=4, k=2)
    before = len(_assignments(db, round_, judge_id=judges[0].id))
    handed = pool_services.remove_judge(round_, judges[0], actor=organiser, reason="生病")
    assert handed == before
    live = [a for a in _assignments(db, round_) if a.status != AssignmentStatus.RECUSED]
    assert all(a.judge_id != judges[0].id for a in live)
    assert set(Counter(a.submission_id for a in live).values()) == {2}

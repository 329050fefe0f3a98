"""Assignment read from and stored to the database in bulk: the same problem, the same rows."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import exc, insert, select

from bench._setup import populate


@pytest.mark.parametrize("sizes", [(500, 499, 1), (1000,), (1, 998, 1)])
def test_stored_pairs_are_all_there_whatever_the_statement_sizes(db, sizes):
    """Full multi-row statements, rows left over, both: each pair once, with its constants."""
    from essays.models import Submission
    from judging import assign_services
    from judging.models import Assignment, AssignmentRole, AssignmentStatus, RoundJudge

    round_ = populate(100, 10, 5, 1, seed=6)
    judges = db.session.scalars(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id)).all()
    entries = db.session.scalars(select(Submission.id).where(Submission.competition_id == round_.competition_id)).all()
    pairs = [(j, e) for j in judges for e in entries]
    start = 0
    for size in sizes:
        assign_services.store_assignments(round_, pairs[start : start + size], AssignmentRole.THIRD)
        start += size
    rows = db.session.execute(
        select(Assignment.judge_id, Assignment.submission_id, Assignment.role, Assignment.status).where(
            Assignment.round_id == round_.id
        )
    ).all()
    assert sorted((j, e) for j, e, _, _ in rows) == sorted(pairs)
    assert {(role, status) for _, _, role, status in rows} == {(AssignmentRole.THIRD, AssignmentStatus.ASSIGNED)}


def _reference_problem(round_):
    """The round's problem read the plain way, one object per entry and judge (as before the columns)."""
    from accounts.models import User
    from core.extensions import db
    from essays.models import Submission, SubmissionStatus
    from judging.assign import AssignmentProblem, Entry, Judge
    from judging.models import Assignment, AssignmentRole, AssignmentStatus, Conflict, RoundJudge

    entries = [
        Entry(sid, frozenset(u for u in (unit, rec) if u is not None))
        for sid, unit, rec in db.session.execute(
            select(Submission.id, Submission.unit_id, Submission.recommending_unit_id).where(
                Submission.competition_id == round_.competition_id, Submission.status == SubmissionStatus.QUALIFIED
            )
        )
    ]
    judges = [
        Judge(uid, unit, cap if active else 0)
        for uid, cap, active, unit in db.session.execute(
            select(RoundJudge.user_id, RoundJudge.capacity, RoundJudge.active, User.unit_id)
            .join(User, User.id == RoundJudge.user_id)
            .where(RoundJudge.round_id == round_.id)
        )
    ]
    pool, ids = {j.id for j in judges}, {e.id for e in entries}
    existing, conflicts = set(), set()
    for judge_id, sid, status, role in db.session.execute(
        select(Assignment.judge_id, Assignment.submission_id, Assignment.status, Assignment.role).where(
            Assignment.round_id == round_.id
        )
    ):
        if sid in ids:
            regular = status != AssignmentStatus.RECUSED and role == AssignmentRole.REGULAR and judge_id in pool
            (existing if regular else conflicts).add((judge_id, sid))
    conflicts |= set(
        db.session.execute(
            select(Conflict.judge_id, Conflict.submission_id).where(Conflict.round_id == round_.id)
        ).tuples()
    )
    return AssignmentProblem(entries, judges, round_.k, conflicts, existing, round_.seed)


def test_the_problem_read_as_columns_assigns_as_the_plain_reading_does(db):
    """Recusals, third judges, declared conflicts, inactive and capped judges, judges without a
    unit, recommending units: the columnar reading gives the same assignment."""
    from accounts.models import User
    from essays.models import Submission
    from judging import assign, assign_services
    from judging.models import Assignment, AssignmentRole, AssignmentStatus, Conflict, RoundJudge

    round_ = populate(120, 9, 4, 2, seed=5)
    members = db.session.scalars(select(RoundJudge).where(RoundJudge.round_id == round_.id)).all()
    members[0].active = False
    members[1].capacity = 7
    db.session.get(User, members[2].user_id).unit_id = None
    sids = db.session.scalars(select(Submission.id).where(Submission.competition_id == round_.competition_id)).all()
    db.session.get(Submission, sids[3]).recommending_unit_id = db.session.get(User, members[4].user_id).unit_id
    j = [m.user_id for m in members]
    db.session.execute(
        insert(Assignment),
        [
            {"round_id": round_.id, "judge_id": j[3], "submission_id": sids[0], "status": AssignmentStatus.RECUSED},
            {"round_id": round_.id, "judge_id": j[5], "submission_id": sids[1], "role": AssignmentRole.THIRD},
            {"round_id": round_.id, "judge_id": j[6], "submission_id": sids[2]},
            {"round_id": round_.id, "judge_id": j[0], "submission_id": sids[5]},  # inactive: still counts
        ],
    )
    db.session.add(Conflict(round_id=round_.id, judge_id=j[7], submission_id=sids[4], reason="亲属"))
    db.session.flush()
    expected = assign.assign(_reference_problem(round_))
    assert expected.new and assign.assign(assign_services.build_problem(round_)) == expected
    problem, any_active = assign_services.read_problem(round_)  # the same in one round trip
    assert any_active and assign.assign(problem) == expected


def test_stored_rows_in_several_statements_are_the_solvers_pairs_with_their_keys(db):
    """More rows than one INSERT statement carries: every pair stored once, with the seeded key,
    and each judge's rows in the order of their entries."""
    from judging import assign_services
    from judging.models import Assignment

    round_ = populate(400, 12, 5, 3, seed=8)
    result = assign_services.assign_judges(round_, actor=None)
    assert len(result.new) == 1200
    rows = db.session.execute(
        select(Assignment.id, Assignment.judge_id, Assignment.submission_id, Assignment.shuffle_key).where(
            Assignment.round_id == round_.id
        )
    ).all()
    assert sorted((j, e) for _, j, e, _ in rows) == result.new
    rnd = random.Random(round_.seed * 7919 + len(result.new))
    assert {(j, e): key for _, j, e, key in rows} == {pair: rnd.randrange(2**31) for pair in result.new}
    by_id = sorted(rows)
    for judge in {j for _, j, _, _ in rows}:
        entries = [e for _, j, e, _ in by_id if j == judge]
        assert entries == sorted(entries)


def test_a_duplicate_pair_fails_as_an_integrity_error(db):
    from judging import assign_services

    round_ = populate(5, 3, 3, 1, seed=2)
    result = assign_services.assign_judges(round_, actor=None)
    with pytest.raises(exc.IntegrityError):
        assign_services.store_assignments(round_, result.new[:1])
    db.session.rollback()


def test_a_problem_for_chosen_entries_holds_only_those(db):
    from judging import assign, assign_services

    round_ = populate(30, 6, 3, 2, seed=4)
    reference = _reference_problem(round_)
    chosen = sorted(e.id for e in reference.entries)[::3]
    reference.entries = [e for e in reference.entries if e.id in chosen]
    table = assign_services.build_problem(round_, entry_ids=list(reversed(chosen)))
    assert sorted(table.entry_ids.tolist()) == chosen
    assert assign.assign(table) == assign.assign(reference)


def test_an_assignment_run_undone_after_its_audit_is_written_leaves_no_assignments(db):
    """The bulk insert belongs to the run's transaction: rolled back with the audit record,
    never committed on its own when the audit row is flushed."""
    from judging import assign_services
    from judging.models import Assignment

    round_ = populate(60, 6, 3, 2, seed=8)
    db.session.commit()
    result = assign_services.assign_judges(round_, actor=None)
    assert result.new
    db.session.flush()  # writes the audit record
    db.session.rollback()
    assert db.session.scalars(select(Assignment.id).where(Assignment.round_id == round_.id)).all() == []

"""Organisers adding and taking off judges entry by entry."""

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.errors import UserError
from helpers import setup_round, values_for


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    # 4 entries, 3 judges, k=1: each entry has one judge and two more could be added.
    return setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=3, k=1)


def _assignments(db, round_id, submission_id):
    from judging.models import Assignment

    return db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_id, Assignment.submission_id == submission_id)
    ).all()


def test_add_and_take_off_a_judge_by_hand(db, setup, organiser):
    from judging import manual

    round_, comp, judges, entries, _leader = setup
    entry = entries[0]
    (current,) = _assignments(db, round_.id, entry.id)
    other = next(j for j in judges if j.id != current.judge_id)
    line = manual.entry_line(round_, entry.id)
    assert other.id in {u.id for u in manual.eligible_judges(round_, [line])[entry.id]}
    item = manual.add_judge_to_entry(round_, entry.id, other.id, actor=organiser)
    db.session.commit()
    assert {a.judge_id for a in _assignments(db, round_.id, entry.id)} == {current.judge_id, other.id}
    with pytest.raises(UserError):  # not twice
        manual.add_judge_to_entry(round_, entry.id, other.id, actor=organiser)
    db.session.rollback()
    with pytest.raises(UserError):  # a reason is required
        manual.remove_judge_from_entry(item, actor=organiser, reason=" ")
    manual.remove_judge_from_entry(item, actor=organiser, reason="与作者相识")
    db.session.commit()
    assert item.status == "recused" and item.recuse_reason == "与作者相识"
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "judging.assign_by_hand" in actions and "judging.unassign_by_hand" in actions
    # A judge taken off does not come back by hand either.
    with pytest.raises(UserError):
        manual.add_judge_to_entry(round_, entry.id, other.id, actor=organiser)


def test_conflict_rules_hold_for_manual_additions(db, setup, organiser, make_user):
    from judging import manual, pool_services

    round_, comp, judges, entries, _leader = setup
    (current,) = _assignments(db, round_.id, entries[1].id)
    # A judge from the author's own unit is refused.
    author = db.session.get(type(judges[0]), entries[1].author_id)
    same_unit = make_user("judge", unit=author.unit)
    pool_services.add_judge(round_, same_unit, actor=organiser)
    db.session.commit()
    with pytest.raises(UserError) as info:
        manual.add_judge_to_entry(round_, entries[1].id, same_unit.id, actor=organiser)
    assert "所在单位" in info.value.render() or "unit" in info.value.message
    db.session.rollback()
    # Someone outside the pool is refused.
    outsider = make_user("judge")
    with pytest.raises(UserError):
        manual.add_judge_to_entry(round_, entries[1].id, outsider.id, actor=organiser)


def test_a_submitted_score_cannot_be_taken_away(db, setup, organiser):
    from judging import judge_services, manual

    round_, comp, judges, entries, _leader = setup
    (item,) = _assignments(db, round_.id, entries[2].id)
    judge = next(j for j in judges if j.id == item.judge_id)
    judge_services.save_score(item, actor=judge, values=values_for(round_, 30, 20, 20), submit=True)
    db.session.commit()
    with pytest.raises(UserError):
        manual.remove_judge_from_entry(item, actor=organiser, reason="改派")


def test_entries_page_and_its_refusals(app, db, setup, organiser, judge, author, login, post):
    round_, comp, judges, entries, _leader = setup
    c = app.test_client()
    login(c, organiser)
    html = c.get(f"/judging/rounds/{round_.id}/entries").get_data(as_text=True)
    assert entries[0].anonymous_code in html and "添加评委" in html and "作品与评委" in html
    (current,) = _assignments(db, round_.id, entries[0].id)
    other = next(j for j in judges if j.id != current.judge_id)
    r = post(
        c,
        f"/judging/rounds/{round_.id}/entries/{entries[0].id}/judges",
        {"judge_id": str(other.id)},
        page=f"/judging/rounds/{round_.id}/entries",
        follow_redirects=True,
    )
    assert "已将评委加入该作品" in r.get_data(as_text=True)
    added = next(a for a in _assignments(db, round_.id, entries[0].id) if a.judge_id == other.id)
    r = post(
        c,
        f"/judging/rounds/{round_.id}/assignments/{added.id}/remove",
        {"reason": ""},
        page=f"/judging/rounds/{round_.id}/entries",
        follow_redirects=True,
    )
    assert "请填写原因" in r.get_data(as_text=True)
    r = post(
        c,
        f"/judging/rounds/{round_.id}/assignments/{added.id}/remove",
        {"reason": "工作调整"},
        page=f"/judging/rounds/{round_.id}/entries",
        follow_redirects=True,
    )
    assert "已将评委移出该作品" in r.get_data(as_text=True)
    # Refusals: anonymous, other roles, someone else's round.
    anonymous = app.test_client()
    r = anonymous.get(f"/judging/rounds/{round_.id}/entries")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    for user in (judge, author):
        other_client = app.test_client()
        login(other_client, user)
        assert other_client.get(f"/judging/rounds/{round_.id}/entries").status_code == 403
        assert (
            post(
                other_client,
                f"/judging/rounds/{round_.id}/entries/{entries[0].id}/judges",
                {"judge_id": str(other.id)},
                page="/profile",
            ).status_code
            == 403
        )
    assert c.get("/judging/rounds/999999/entries").status_code == 404
    assert (
        post(
            c,
            f"/judging/rounds/{round_.id}/assignments/999999/remove",
            {"reason": "x"},
            page=f"/judging/rounds/{round_.id}/entries",
        ).status_code
        == 404
    )


def test_score_summary_names_the_rule_in_words(app, db, make_user, make_unit, organiser, tmp_path):
    from judging import judge_services
    from judging.models import Assignment

    round_, comp, judges, entries, _leader = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=2, arbitration="third_judge"
    )
    by_id = {j.id: j for j in judges}
    for item in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).all():
        judge_services.save_score(item, actor=by_id[item.judge_id], values=values_for(round_, 30, 20, 20), submit=True)
    db.session.commit()
    out = tmp_path / "summary.csv"
    result = app.test_cli_runner().invoke(
        args=["judging", "results", str(round_.id), "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    assert "计分规则" in text and "双评一致" in text and "agreed" not in text


def test_leader_decides_when_no_third_judge_is_eligible(app, db, make_user, make_unit, organiser):
    """Two judges disagree past T and nobody else may read the entry: the leader's score is final."""
    from judging import judge_services, results
    from judging.models import Assignment, AssignmentRole

    round_, comp, judges, entries, leader = setup_round(
        db, make_user, make_unit, organiser, n_entries=1, n_judges=2, k=2, arbitration="third_judge", leader=True
    )
    by_id = {j.id: j for j in judges + [leader]}
    first, second = db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id)
    ).all()
    judge_services.save_score(first, actor=by_id[first.judge_id], values=values_for(round_, 10, 10, 10), submit=True)
    judge_services.save_score(second, actor=by_id[second.judge_id], values=values_for(round_, 35, 25, 25), submit=True)
    db.session.commit()
    arbiter = db.session.scalar(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.role == AssignmentRole.ARBITER)
    )
    assert arbiter is not None and arbiter.judge_id == leader.id
    judge_services.save_score(arbiter, actor=leader, values=values_for(round_, 30, 20, 20), submit=True)
    db.session.commit()
    (row,) = results.compute_results(round_)
    assert row.final_score == 70 and row.rule == "arbiter"


def test_entries_page_queries_do_not_grow_with_the_entries(app, db, make_user, make_unit, organiser, login):
    from sqlalchemy import event

    from core.extensions import db as _db

    def queries_for(n):
        round_ = setup_round(db, make_user, make_unit, organiser, n_entries=n, n_judges=3, k=2)[0]
        c = app.test_client()
        login(c, organiser)
        seen = []

        def count(*args):
            seen.append(1)

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert c.get(f"/judging/rounds/{round_.id}/entries").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    assert queries_for(3) == queries_for(12)

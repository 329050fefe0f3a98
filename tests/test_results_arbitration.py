"""Issue #9, item 5: arbitration follows the assignment's conflict rules and cannot deadlock.

The leader who already scored an entry, or comes from the author's unit, or declared a
conflict, is not made its arbiter; a third judge is never the leader (who must stay free to
arbitrate). When nobody eligible remains the organiser sees the entry on the round page and
picks an eligible judge by hand or accepts the scores with a reason.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import UserError
from helpers import NO_ROUND, audit, follow, refused, setup_round, values_for


@pytest.fixture(autouse=True)
def _one_hash_per_password(monkeypatch):
    from accounts import services

    real, seen = services.hash_password, {}
    monkeypatch.setattr(services, "hash_password", lambda pw: seen.get(pw) or seen.setdefault(pw, real(pw)))


def _on_entry(db, round_, entry):
    from judging.models import Assignment, AssignmentStatus

    db.session.expire_all()
    return db.session.scalars(
        select(Assignment)
        .where(
            Assignment.round_id == round_.id,
            Assignment.submission_id == entry.id,
            Assignment.status != AssignmentStatus.RECUSED,
        )
        .order_by(Assignment.id)
    ).all()


def _score(round_, item, judge, first):
    from judging import judge_services

    judge_services.save_score(item, actor=judge, values=values_for(round_, first, 25, 25), submit=True)


@pytest.fixture
def leader_scored(db, make_user, make_unit, organiser):
    """Leader arbitration; the leader is also a regular judge and scored the entry 90, the other judge 55.
    A third pool judge (on other entries) is eligible."""
    from judging import round_services
    from judging.models import Assignment

    round_, _, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=3, n_judges=3, k=2, arbitration="leader"
    )
    leader = judges[0]
    round_services.update_round(round_, actor=organiser, leader_id=leader.id)
    db.session.commit()
    by_id = {j.id: j for j in judges}
    mine = db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.judge_id == leader.id)
    ).first()
    entry = next(e for e in entries if e.id == mine.submission_id)
    other = next(a for a in _on_entry(db, round_, entry) if a.judge_id != leader.id)
    _score(round_, mine, leader, 40)
    _score(round_, other, by_id[other.judge_id], 5)
    db.session.commit()
    free = next(j for j in judges if j.id not in (leader.id, other.judge_id))
    return round_, entry, leader, by_id[other.judge_id], free


def test_a_leader_who_scored_the_entry_is_not_its_arbiter_and_the_organiser_picks_one(db, organiser, leader_scored):
    from judging import arbitration, results
    from judging.models import AssignmentRole

    round_, entry, leader, _, free = leader_scored
    # Before: the leader's own regular assignment was handed back as the "arbiter" and the
    # entry waited for ever. Now nobody is given the entry and the organiser is told why.
    assert [a.role for a in _on_entry(db, round_, entry)] == [AssignmentRole.REGULAR, AssignmentRole.REGULAR]
    (stuck,) = arbitration.stuck_entries(round_)
    assert stuck.submission_id == entry.id and stuck.rule == "needs_arbiter"
    assert any("already has" in params.get("reason", "") for _msg, params in stuck.why)
    assert [uid for uid, _ in stuck.eligible] == [free.id]
    with pytest.raises(UserError):
        arbitration.assign_arbiter_by_hand(round_, entry.id, leader.id, actor=organiser)
    item = arbitration.assign_arbiter_by_hand(round_, entry.id, free.id, actor=organiser)
    assert item.role == AssignmentRole.ARBITER and item.judge_id == free.id
    assert arbitration.stuck_entries(round_) == []
    (entry_audit,) = audit(db, "judging.arbiter_by_hand")
    assert entry_audit.changes["judge_id"] == free.id and entry_audit.changes["entry"] == entry.anonymous_code
    _score(round_, item, free, 30)
    row = {r.submission_id: r for r in results.compute_results(round_)}[entry.id]
    assert (row.final_score, row.rule) == (80, "arbiter")


def test_a_leader_from_the_authors_unit_is_not_given_the_entry(db, make_user, make_unit, organiser):
    from judging import arbitration, results, round_services
    from judging.models import AssignmentRole

    round_, _, judges, entries, leader = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=2, arbitration="leader", leader=True
    )
    entry = entries[0]
    leader.unit_id = entry.unit_id  # the leader works in the author's unit
    db.session.commit()
    by_id = {j.id: j for j in judges}
    a, b = _on_entry(db, round_, entry)
    _score(round_, a, by_id[a.judge_id], 40)
    _score(round_, b, by_id[b.judge_id], 5)
    db.session.commit()
    assert all(x.judge_id != leader.id for x in _on_entry(db, round_, entry))

    (stuck,) = arbitration.stuck_entries(round_)
    assert any("own or recommending unit" in params.get("reason", "") for _msg, params in stuck.why)
    assert stuck.eligible == []  # both pool judges already scored it
    with pytest.raises(UserError, match="reason"):
        arbitration.accept_without_arbiter(round_, entry.id, actor=organiser, reason=" ")
    arbitration.accept_without_arbiter(round_, entry.id, actor=organiser, reason="组长与作者同单位，按两评均分")
    row = {r.submission_id: r for r in results.compute_results(round_)}[entry.id]
    assert (row.final_score, row.rule) == (72.5, "accepted")
    (entry_audit,) = audit(db, "judging.result_accept")
    assert entry_audit.changes["reason"] == "组长与作者同单位，按两评均分"
    for x in _on_entry(db, round_, entries[1]):
        _score(round_, x, by_id[x.judge_id], 30)
    round_services.close_round(round_, actor=organiser)
    results.finalise_round(round_, actor=organiser)  # no longer waits for the leader
    assert AssignmentRole.ARBITER not in {x.role for x in _on_entry(db, round_, entry)}


def test_a_leader_with_a_declared_conflict_is_not_given_the_entry(db, make_user, make_unit, organiser):
    from judging import arbitration, pool_services

    round_, _, judges, entries, leader = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=2, arbitration="leader", leader=True
    )
    entry = entries[0]
    pool_services.record_conflict(round_, leader, entry.receipt_number, reason="师生关系", actor=organiser)
    by_id = {j.id: j for j in judges}
    a, b = _on_entry(db, round_, entry)
    _score(round_, a, by_id[a.judge_id], 40)
    _score(round_, b, by_id[b.judge_id], 5)
    assert all(x.judge_id != leader.id for x in _on_entry(db, round_, entry))

    (stuck,) = arbitration.stuck_entries(round_)
    assert any("declared a conflict" in params.get("reason", "") for _msg, params in stuck.why)


def test_the_third_judge_is_never_the_leader_so_the_leader_can_still_arbitrate(db, make_user, make_unit, organiser):
    """Third-judge selection (the sibling): the leader in the pool with room used to be picked as the
    third judge, and when the third score settled nothing the leader's own third assignment came back
    as the "arbiter" — for ever. Now no third judge is found and the leader arbitrates directly."""
    from judging import pool_services, results
    from judging.models import AssignmentRole

    round_, _, judges, entries, leader = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=2, arbitration="third_judge", leader=True
    )
    pool_services.add_judge(round_, leader, actor=organiser, capacity=None)  # the leader may take entries
    db.session.commit()
    entry = entries[0]
    by_id = {j.id: j for j in judges}
    a, b = _on_entry(db, round_, entry)
    _score(round_, a, by_id[a.judge_id], 40)
    _score(round_, b, by_id[b.judge_id], 5)
    roles = {x.judge_id: x.role for x in _on_entry(db, round_, entry)}
    assert roles.get(leader.id) == AssignmentRole.ARBITER
    (arbiter,) = [x for x in _on_entry(db, round_, entry) if x.role == AssignmentRole.ARBITER]
    _score(round_, arbiter, leader, 20)
    row = {r.submission_id: r for r in results.compute_results(round_)}[entry.id]
    assert (row.final_score, row.rule) == (70, "arbiter")


def test_no_third_judge_and_no_leader_is_listed_for_the_organiser(db, make_user, make_unit, organiser):
    from judging import arbitration

    round_, _, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=2, arbitration="third_judge"
    )
    by_id = {j.id: j for j in judges}
    a, b = _on_entry(db, round_, entries[0])
    _score(round_, a, by_id[a.judge_id], 40)
    _score(round_, b, by_id[b.judge_id], 5)
    (stuck,) = arbitration.stuck_entries(round_)
    assert stuck.rule == "needs_third" and stuck.role == "third"
    assert {msg for msg, _ in stuck.why} == {arbitration.NO_THIRD, arbitration.NO_LEADER}


# Pages ----------------------------------------------------------------------


def test_round_page_lists_the_stuck_entry_and_the_organiser_picks_a_judge(
    client, login, post, db, organiser, leader_scored
):
    from judging.models import AssignmentRole

    round_, entry, leader, _, free = leader_scored
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    html = client.get(page).get_data(as_text=True)
    card = html[html.index('id="stuck-arbitration"') :]
    assert "无合格评委可承担的仲裁" in html and entry.anonymous_code in card
    assert "组长不能仲裁" in card and free.display_name in card
    wrong = post(client, f"{page}/arbitration/{entry.id}/assign", {"judge_id": leader.id}, page=page)
    assert "该评委已评阅（或已回避）这件作品。" in follow(client, wrong)
    shown = follow(client, post(client, f"{page}/arbitration/{entry.id}/assign", {"judge_id": free.id}, page=page))
    assert f"已将该作品交由 {free.display_name} 评定。" in shown
    assert 'id="stuck-arbitration"' not in shown
    assert [x.role for x in _on_entry(db, round_, entry) if x.judge_id == free.id] == [AssignmentRole.ARBITER]
    again = post(client, f"{page}/arbitration/{entry.id}/assign", {"judge_id": free.id}, page=page)
    assert "该作品并未等待仲裁。" in follow(client, again)


def test_organiser_accepts_the_scores_with_a_reason(client, login, post, db, organiser, leader_scored):
    round_, entry, _, _, _ = leader_scored
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    here = f"{page}/arbitration/{entry.id}/accept"
    assert "未经仲裁认可现有评分须填写理由。" in follow(client, post(client, here, {"reason": ""}, page=page))
    assert not audit(db, "judging.result_accept")
    shown = follow(client, post(client, here, {"reason": "组长回避，按两评均分"}, page=page))
    assert "现有评分未经仲裁予以认可" in shown and 'id="stuck-arbitration"' not in shown
    scores = client.get(f"{page}/scores").get_data(as_text=True)
    assert "未经仲裁，按现有评分认可" in scores
    assert audit(db, "judging.result_accept")[0].changes["reason"] == "组长回避，按两评均分"


def test_arbitration_routes_refuse_others(app, login, csrf, db, make_user, organiser, leader_scored):
    round_, entry, _, _, free = leader_scored
    users = {role: make_user(role) for role in ("judge", "committee", "author")} | {"organiser": organiser}
    for action, data in (("assign", {"judge_id": free.id}), ("accept", {"reason": "理由"})):
        here = f"/judging/rounds/{round_.id}/arbitration/{entry.id}/{action}"
        refused(
            app,
            login,
            csrf,
            users,
            [
                (None, here, 302),
                ("judge", here, 403),
                ("committee", here, 403),
                ("author", here, 403),
                ("organiser", f"/judging/rounds/{NO_ROUND}/arbitration/{entry.id}/{action}", 404),
            ],
            data=data,
        )
    assert not audit(db, "judging.arbiter_by_hand") and not audit(db, "judging.result_accept")

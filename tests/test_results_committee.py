"""Issue #9, item 9: the committee settles ties at award boundaries on its own screen.

A round's committee is the committee-role users the organiser chose for it. Its members see
the ties of the rounds they serve (home page and committee page), decide which tied entries
take the level, each decision with a reason in the audit log; the awards follow the decision.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import UserError
from helpers import NO_ROUND, audit, follow, refused, setup_round, values_for
from judging.awards import Candidate, LevelRule, allocate


@pytest.fixture(autouse=True)
def _one_hash_per_password(monkeypatch):
    from accounts import services

    real, seen = services.hash_password, {}
    monkeypatch.setattr(services, "hash_password", lambda pw: seen.get(pw) or seen.setdefault(pw, real(pw)))


# Pure: breaking a tie ---------------------------------------------------------


def _field(scores, ties=()):
    return [Candidate(f"p{i}", f"author-p{i}", "prose", s, i, f"p{i}" in ties) for i, s in enumerate(scores, 1)]


def _levels(*counts):
    return [LevelRule(code, count=c) for code, c in zip(("first", "second", "third"), counts)]


def _by_level(allocation):
    out = {}
    for a in allocation.awards:
        out.setdefault(a.level, []).append(a.entry_id)
    return out


@pytest.mark.parametrize(
    "scores, ties, counts, chosen, expected, still_pending",
    [
        # p2 and p3 tie across the first-prize line: the committee gives it to p3.
        ([95, 90, 90, 85], {"p3"}, (2, 1, 1), ["p3"], {"first": ["p1", "p3"], "second": ["p2"], "third": ["p4"]}, 0),
        # Keeping the order is a decision too.
        ([95, 90, 90, 85], {"p3"}, (2, 1, 1), ["p2"], {"first": ["p1", "p2"], "second": ["p3"], "third": ["p4"]}, 0),
        # Three-way tie for one first prize: the two left still tie across the one second prize.
        ([90, 90, 90, 70], {"p2", "p3"}, (1, 1, 1), ["p3"], {"first": ["p3"], "second": ["p1"], "third": ["p2"]}, 1),
    ],
)
def test_settle_tie_puts_the_chosen_entries_first(scores, ties, counts, chosen, expected, still_pending):
    from judging.awards import settle_tie

    candidates = _field(scores, ties)
    (tie,) = allocate(candidates, _levels(*counts), boundary_tie="committee").pending_ties[:1]
    settled = settle_tie(candidates, "prose", (*tie.awarded, *tie.below), chosen)
    allocation = allocate(settled, _levels(*counts), boundary_tie="committee")
    assert _by_level(allocation) == expected
    assert len(allocation.pending_ties) == still_pending
    assert sorted(c.rank for c in settled) == [1, 2, 3, 4]


def test_settle_tie_refuses_entries_outside_the_tie():
    from judging.awards import settle_tie

    candidates = _field([95, 90, 90], {"p3"})
    with pytest.raises(ValueError):
        settle_tie(candidates, "prose", ("p2", "p3"), ["p1"])


# Services ----------------------------------------------------------------------


@pytest.fixture
def tied(db, make_user, make_unit, organiser):
    """Both judges score every entry; entries 1 and 2 tie exactly across the line of the two first prizes
    (two places: entry 0 and, by anonymous code, entry 1). The tie policy: the committee decides."""
    from judging import award_services, committee_services, judge_services, results
    from judging.models import Assignment

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=2, k=2)
    by_id = {j.id: j for j in judges}
    totals = {entries[0].id: 38, entries[1].id: 30, entries[2].id: 30, entries[3].id: 10}
    for a in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)):
        judge_services.save_score(
            a, actor=by_id[a.judge_id], values=values_for(round_, totals[a.submission_id], 20, 20), submit=True
        )
    award_services.set_scheme(
        round_,
        actor=organiser,
        grouping="all",
        one_award_per_author=True,
        boundary_tie="committee",
        levels=[{"code": "first", "count": 2}, {"code": "second", "count": 1}],
    )
    allocation = results.allocate_awards(round_, actor=organiser)
    assert len(allocation.pending_ties) == 1
    member = make_user("committee", display_name="赵委员")
    committee_services.add_member(round_, member, actor=organiser)
    db.session.commit()
    return round_, entries, member


def _levels_of(db, round_):
    from judging.models import Award

    db.session.expire_all()
    return dict(db.session.execute(select(Award.submission_id, Award.level).where(Award.round_id == round_.id)).all())


def test_the_committee_decision_changes_the_awards_and_is_replayed(db, organiser, tied):
    from judging import award_services, results, round_services

    round_, entries, member = tied
    (tie,) = award_services.pending_ties(round_)
    assert set((*tie.awarded, *tie.below)) == {entries[1].id, entries[2].id}
    assert _levels_of(db, round_)[entries[1].id] == "first"
    args = dict(group_label="", level="first", entries=[entries[1].id, entries[2].id], actor=member)
    with pytest.raises(UserError, match="reason"):
        award_services.decide_tie(round_, chosen=[entries[2].id], reason="  ", **args)
    with pytest.raises(UserError, match="exactly 1"):
        award_services.decide_tie(round_, chosen=[entries[1].id, entries[2].id], reason="两篇都好", **args)
    with pytest.raises(UserError, match="exactly 1"):
        award_services.decide_tie(round_, chosen=[entries[0].id], reason="理由", **args)
    award_services.decide_tie(round_, chosen=[entries[2].id], reason="立意更深刻", **args)
    levels = _levels_of(db, round_)
    assert (levels[entries[0].id], levels[entries[2].id], levels[entries[1].id]) == ("first", "first", "second")
    assert award_services.pending_ties(round_) == []
    (entry,) = audit(db, "judging.tie_decide")
    assert entry.changes["reason"] == "立意更深刻" and entry.actor_id == member.id
    assert entry.changes["chosen"] == [entries[2].anonymous_code]
    with pytest.raises(UserError, match="no longer"):
        award_services.decide_tie(round_, chosen=[entries[1].id], reason="改主意", **args)
    # Replayed when the organiser allocates again, and finalising no longer waits for the committee.
    results.allocate_awards(round_, actor=organiser)
    assert _levels_of(db, round_)[entries[2].id] == "first"
    round_services.close_round(round_, actor=organiser)
    assert results.finalise_round(round_, actor=organiser) == 3


def test_only_committee_role_users_join_a_round_committee(db, make_user, organiser, tied):
    from judging import committee_services

    round_, _, member = tied
    with pytest.raises(UserError, match="committee role"):
        committee_services.add_member(round_, make_user("judge"), actor=organiser)
    with pytest.raises(UserError, match="already"):
        committee_services.add_member(round_, member, actor=organiser)
    assert audit(db, "judging.committee_add")[0].changes["user_id"] == member.id


# Pages ----------------------------------------------------------------------


def test_committee_home_shows_the_ties_to_settle(client, login, db, tied):
    round_, _, member = tied
    login(client, member)
    home = client.get("/").get_data(as_text=True)
    assert "1 处并列待裁定" in home and f"/judging/committee/{round_.id}" in home
    assert "目前没有需要您处理的事项" not in home


def test_committee_member_settles_a_tie_with_a_reason(client, login, post, db, tied):
    round_, entries, member = tied
    login(client, member)
    page = f"/judging/committee/{round_.id}"
    html = client.get(page).get_data(as_text=True)
    assert entries[1].anonymous_code in html and entries[2].anonymous_code in html
    assert entries[0].anonymous_code not in html  # not part of the tie
    assert entries[1].author.display_name not in html  # the committee sees no author
    data = {"group": "", "level": "first", "entries": [entries[1].id, entries[2].id], "chosen": [entries[2].id]}
    no_reason = follow(client, post(client, f"{page}/decide", data | {"reason": ""}, page=page))
    assert "请填写评委会裁定的理由。" in no_reason
    assert not audit(db, "judging.tie_decide") and _levels_of(db, round_)[entries[1].id] == "first"
    shown = follow(client, post(client, f"{page}/decide", data | {"reason": "语言更精炼"}, page=page))
    assert "评委会裁定已记录" in shown and "语言更精炼" in shown and "目前没有待评委会裁定的奖项分界并列" in shown
    assert _levels_of(db, round_)[entries[2].id] == "first" and _levels_of(db, round_)[entries[1].id] == "second"
    assert audit(db, "judging.tie_decide")[0].changes["reason"] == "语言更精炼"


def test_committee_pages_refuse_others(app, login, csrf, db, make_user, organiser, tied):
    round_, entries, member = tied
    outsider = make_user("committee")  # a committee member not serving this round
    users = {
        "judge": make_user("judge"),
        "author": make_user("author"),
        "organiser": organiser,
        "outsider": outsider,
        "member": member,
    }
    page = f"/judging/committee/{round_.id}"
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, page, 302),
            ("judge", page, 403),
            ("organiser", page, 403),
            ("author", page, 403),
            ("outsider", page, 404),
            ("member", f"/judging/committee/{NO_ROUND}", 404),
            (None, "/judging/committee", 302),
            ("organiser", "/judging/committee", 403),
        ],
        method="get",
    )
    data = {
        "group": "",
        "level": "first",
        "entries": [entries[1].id, entries[2].id],
        "chosen": [entries[2].id],
        "reason": "理由",
    }
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, f"{page}/decide", 302),
            ("judge", f"{page}/decide", 403),
            ("organiser", f"{page}/decide", 403),
            ("outsider", f"{page}/decide", 404),
            ("member", f"/judging/committee/{NO_ROUND}/decide", 404),
        ],
        data=data,
    )
    assert not audit(db, "judging.tie_decide")
    assert _levels_of(db, round_)[entries[1].id] == "first"


def test_organiser_chooses_the_committee_on_the_awards_page(client, login, post, db, make_user, organiser, tied):
    round_, _, member = tied
    newcomer = make_user("committee", display_name="钱委员")
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}/awards"
    html = client.get(page).get_data(as_text=True)
    assert "本轮评委会" in html and "赵委员" in html and "待评委会裁定" in html
    shown = follow(client, post(client, f"/judging/rounds/{round_.id}/committee", {"user_id": newcomer.id}, page=page))
    assert "钱委员 已加入本轮评委会。" in shown
    judge = make_user("judge", display_name="孙评委")
    refused_add = follow(
        client, post(client, f"/judging/rounds/{round_.id}/committee", {"user_id": judge.id}, page=page)
    )
    assert "孙评委 不具有评审委员会委员角色。" in refused_add
    shown = follow(client, post(client, f"/judging/rounds/{round_.id}/committee/{member.id}/remove", {}, page=page))
    assert "赵委员 已不再是本轮评委会成员。" in shown
    assert [e.changes["user_id"] for e in audit(db, "judging.committee_add")] == [member.id, newcomer.id]
    assert audit(db, "judging.committee_remove")[0].changes["user_id"] == member.id


def test_committee_membership_routes_are_for_organisers(app, login, csrf, db, make_user, organiser, tied):
    round_, _, member = tied
    users = {"judge": make_user("judge"), "committee": member, "organiser": organiser}
    add = f"/judging/rounds/{round_.id}/committee"
    remove = f"/judging/rounds/{round_.id}/committee/{member.id}/remove"
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, add, 302),
            ("judge", add, 403),
            ("committee", add, 403),
            ("organiser", f"/judging/rounds/{NO_ROUND}/committee", 404),
            (None, remove, 302),
            ("committee", remove, 403),
            ("organiser", f"/judging/rounds/{NO_ROUND}/committee/{member.id}/remove", 404),
        ],
        data={"user_id": member.id},
    )
    assert len(audit(db, "judging.committee_add")) == 1 and not audit(db, "judging.committee_remove")

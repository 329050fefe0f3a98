"""Judging pages without a direct test elsewhere: recusal, score sheets, assignment,
award adjustment and the judge pool (add / remove).

Each route: the happy path as a user sees it (flash in Chinese, state afterwards,
audit entry), then its refusals (anonymous, wrong role, someone else's entry or
round, bad input leaving nothing changed).
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from sqlalchemy import func, select

from helpers import judging_competition, make_entry, setup_round, values_for

NO_ROUND = 999999


@pytest.fixture(autouse=True)
def _one_hash_per_password(monkeypatch):
    """Hash each test password once: a dozen users per test would otherwise spend most of the time in Argon2."""
    from accounts import services

    real, seen = services.hash_password, {}
    monkeypatch.setattr(services, "hash_password", lambda pw: seen.get(pw) or seen.setdefault(pw, real(pw)))


# Builders -------------------------------------------------------------------


def _items(db, round_, judge=None, *, live=False):
    from judging.models import Assignment, AssignmentStatus

    db.session.expire_all()
    stmt = select(Assignment).where(Assignment.round_id == round_.id)
    if judge is not None:
        stmt = stmt.where(Assignment.judge_id == judge.id)
    if live:
        stmt = stmt.where(Assignment.status != AssignmentStatus.RECUSED)
    return db.session.scalars(stmt.order_by(Assignment.id)).all()


def _audit(db, action):
    from core.audit import AuditEntry

    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def _follow(client, response):
    """The page a redirect lands on (where the flash message shows)."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _plain_round(db, make_user, make_unit, organiser, *, n_entries=4, n_judges=3, k=2):
    """A round with a rubric and a judge pool but no assignments yet."""
    from judging import pool_services, round_services

    comp = judging_competition(db, organiser)
    entries = [make_entry(db, comp, make_user("author", unit=make_unit())) for _ in range(n_entries)]
    judges = [make_user("judge", unit=make_unit()) for _ in range(n_judges)]
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=k)
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    for judge in judges:
        pool_services.add_judge(round_, judge, actor=organiser)
    db.session.commit()
    return round_, comp, judges, entries


@pytest.fixture
def rnd(db, make_user, make_unit, organiser):
    """Open round: 4 entries from distinct units, 3 judges who accepted the pledge, k=2."""
    return setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=3, k=2)


def _mine_and_stranger(db, round_, judges):
    """An assignment of judges[0] and a pool judge who is not on that entry."""
    item = _items(db, round_, judges[0])[0]
    on_entry = {a.judge_id for a in _items(db, round_) if a.submission_id == item.submission_id}
    stranger = next(j for j in judges if j.id not in on_entry)
    return item, stranger


def _refused(app, login, csrf, users, cases, data=None, method="post"):
    """Run a table of (who, url, expected status) rows, each in a fresh client.

    ``who`` None is an anonymous visitor: a POST without a CSRF token is a
    400, with one it is sent to the login page (as is a GET).
    """
    for who, url, expected in cases:
        client = app.test_client()
        if who is None and method == "post":
            assert client.post(url, data=data or {}).status_code == 400, (who, url)
        if who is not None:
            login(client, users[who])
        if method == "post":
            payload = dict(data or {}, csrf_token=csrf(client, "/login" if who is None else "/"))
            response = client.post(url, data=payload)
        else:
            response = client.get(url)
        assert response.status_code == expected, (who, url, response.status_code)
        if who is None:
            assert "/login" in response.headers["Location"]


# Recusal --------------------------------------------------------------------


def test_judge_recuses_and_the_entry_goes_to_another_judge(client, login, post, db, rnd):
    from judging.models import AssignmentStatus

    round_, _, judges, _, _ = rnd
    item, stranger = _mine_and_stranger(db, round_, judges)
    code = item.submission.anonymous_code
    login(client, judges[0])
    entry_url = f"/judging/my/{round_.id}/e/{code}"
    response = post(client, f"{entry_url}/recuse", {"reason": "作者是我的同事"}, page=entry_url)
    assert response.headers["Location"].endswith(f"/judging/my/{round_.id}")
    queue = _follow(client, response)
    assert f"您已回避 {code}，该作品将交由其他评委评审。" in queue
    db.session.expire_all()
    assert item.status == AssignmentStatus.RECUSED and item.recuse_reason == "作者是我的同事"
    # The replacement is the one pool judge who was not on the entry yet; k is kept.
    live = {a.judge_id for a in _items(db, round_, live=True) if a.submission_id == item.submission_id}
    assert len(live) == round_.k and stranger.id in live and judges[0].id not in live
    (entry,) = _audit(db, "judging.recuse")
    assert entry.changes["reason"] == "作者是我的同事"
    assert entry.changes["replacement_judge_id"] == stranger.id and entry.actor_id == judges[0].id
    # The replacement judge finds it in their queue.
    assert code in login(client.application.test_client(), stranger).get(f"/judging/my/{round_.id}").get_data(
        as_text=True
    )


def test_recusal_without_a_reason_changes_nothing(client, login, post, db, rnd):
    from judging.models import AssignmentStatus

    round_, _, judges, _, _ = rnd
    item = _items(db, round_, judges[0])[0]
    before = len(_items(db, round_))
    entry_url = f"/judging/my/{round_.id}/e/{item.submission.anonymous_code}"
    login(client, judges[0])
    for data in ({"reason": ""}, {"reason": "   "}, {}):
        response = post(client, f"{entry_url}/recuse", data, page=entry_url)
        assert response.headers["Location"].endswith(entry_url)  # back to the entry
        assert "请填写回避理由。" in _follow(client, response), data
    db.session.expire_all()
    assert item.status == AssignmentStatus.ASSIGNED
    assert len(_items(db, round_)) == before and not _audit(db, "judging.recuse")


def test_recusal_refusals(app, login, csrf, db, make_user, make_unit, organiser, author, rnd):
    from judging.models import AssignmentStatus

    round_, _, judges, _, _ = rnd
    other_round, _, other_judges, _, _ = setup_round(db, make_user, make_unit, organiser, n_entries=1, n_judges=1, k=1)
    item, stranger = _mine_and_stranger(db, round_, judges)
    code = item.submission.anonymous_code
    users = {
        "me": judges[0],
        "stranger": stranger,
        "outsider": make_user("judge", unit=make_unit()),
        "other_round_judge": other_judges[0],
        "author": author,
        "organiser": organiser,
    }
    here = f"/judging/my/{round_.id}/e/{code}/recuse"
    _refused(
        app,
        login,
        csrf,
        users,
        [
            (None, here, 302),
            ("stranger", here, 404),  # a colleague in the round, not on this entry
            ("outsider", here, 404),  # a judge outside the round
            ("other_round_judge", f"/judging/my/{other_round.id}/e/{code}/recuse", 404),
            ("me", f"/judging/my/{other_round.id}/e/{code}/recuse", 404),  # my code, wrong round
            ("me", f"/judging/my/{NO_ROUND}/e/{code}/recuse", 404),
            ("me", f"/judging/my/{round_.id}/e/NOPE/recuse", 404),
            ("author", here, 403),
            ("organiser", here, 403),
        ],
        data={"reason": "想换一篇"},
    )
    db.session.expire_all()
    assert item.status == AssignmentStatus.ASSIGNED and not _audit(db, "judging.recuse")


# Score sheets (PDF) ---------------------------------------------------------


def test_score_sheets_list_only_my_live_codes_without_identity(client, login, db, rnd):
    from pypdf import PdfReader

    from judging import judge_services

    round_, _, judges, entries, _ = rnd
    recused = _items(db, round_, judges[0])[0]
    judge_services.recuse(recused, actor=judges[0], reason="认识作者")
    db.session.commit()
    mine = {a.submission_id for a in _items(db, round_, judges[0], live=True)}
    login(client, judges[0])
    response = client.get(f"/judging/my/{round_.id}/sheets.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    # one sheet per entry still to judge (a short rubric fits several sheets a page)
    assert text.count("评委签名") == len(mine)
    assert "评分表" in text and "立意" in text and "评委签名" in text
    disposition = response.headers["Content-Disposition"]
    for entry in entries:
        db.session.refresh(entry)
        if entry.id in mine:
            assert entry.anonymous_code in text
        else:  # someone else's entry, or the one the judge stepped back from
            assert entry.anonymous_code not in text
        for secret in (entry.author.display_name, entry.author.username, entry.receipt_number, entry.unit.name):
            assert secret not in text and secret not in meta and secret not in disposition


def test_score_sheets_refusals(app, login, csrf, db, make_user, make_unit, organiser, author, rnd):
    round_, _, judges, _, _ = rnd
    other_round, _, other_judges, _, _ = setup_round(db, make_user, make_unit, organiser, n_entries=1, n_judges=1, k=1)
    users = {
        "me": judges[0],
        "outsider": make_user("judge", unit=make_unit()),
        "other_round_judge": other_judges[0],
        "author": author,
        "organiser": organiser,
    }
    here = f"/judging/my/{round_.id}/sheets.pdf"
    _refused(
        app,
        login,
        csrf,
        users,
        [
            (None, here, 302),
            ("author", here, 403),
            ("organiser", here, 403),
            ("outsider", here, 404),
            ("other_round_judge", here, 404),
            ("me", f"/judging/my/{NO_ROUND}/sheets.pdf", 404),
        ],
        method="get",
    )


# Assignment -----------------------------------------------------------------


def test_organiser_assigns_k_distinct_judges_to_every_entry(client, login, post, db, make_user, make_unit, organiser):
    round_, _, _, entries = _plain_round(db, make_user, make_unit, organiser)
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    response = post(client, f"{page}/assign", page=page)
    assert response.headers["Location"].endswith("#progress")
    shown = _follow(client, response)
    made = _items(db, round_)
    assert f"已分配 {len(entries) * round_.k} 项评审任务" in shown
    per_entry = {}
    for a in made:
        per_entry.setdefault(a.submission_id, set()).add(a.judge_id)
    assert sorted(per_entry) == sorted(e.id for e in entries)
    assert all(len(js) == round_.k for js in per_entry.values())
    loads = Counter(a.judge_id for a in made).values()
    assert max(loads) - min(loads) <= 1
    (entry,) = _audit(db, "judging.assign")
    assert entry.changes["new"] == len(made) and entry.actor_id == organiser.id
    # Assigning again keeps what exists and adds nothing.
    again = _follow(client, post(client, f"{page}/assign", page=page))
    assert "已分配 0 项评审任务" in again and len(_items(db, round_)) == len(made)


def test_assignment_reports_entries_short_of_judges(client, login, post, db, make_user, make_unit, organiser):
    round_, _, _, entries = _plain_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=1, k=2)
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    shown = _follow(client, post(client, f"{page}/assign", page=page))
    for entry in entries:
        db.session.refresh(entry)
        assert f"{entry.anonymous_code} 评委不足" in shown
    assert len(_items(db, round_)) == len(entries)  # the one judge took each entry once


def test_assignment_without_judges_explains_and_assigns_nothing(client, login, post, db, organiser):
    from judging import round_services

    comp = judging_competition(db, organiser)
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=2)
    db.session.commit()
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    assert "请先为本轮添加评委，再进行分配。" in _follow(client, post(client, f"{page}/assign", page=page))
    assert not _items(db, round_) and not _audit(db, "judging.assign")


def test_assignment_refusals(app, login, csrf, db, make_user, make_unit, organiser):
    round_, _, judges, _ = _plain_round(db, make_user, make_unit, organiser)
    users = {
        "judge": judges[0],
        "author": make_user("author"),
        "coordinator": make_user("coordinator"),
        "organiser": organiser,
    }
    here = f"/judging/rounds/{round_.id}/assign"
    _refused(
        app,
        login,
        csrf,
        users,
        [
            (None, here, 302),
            ("judge", here, 403),
            ("author", here, 403),
            ("coordinator", here, 403),
            ("organiser", f"/judging/rounds/{NO_ROUND}/assign", 404),
        ],
    )
    assert not _items(db, round_) and not _audit(db, "judging.assign")


# Award adjustment -----------------------------------------------------------


@pytest.fixture
def awarded(db, organiser, rnd):
    """Every assignment scored (entry 0 best), one first and one second prize allocated."""
    from judging import award_services, judge_services, results

    round_, _, judges, entries, _ = rnd
    totals = {e.id: 40 - 5 * i for i, e in enumerate(entries)}
    by_id = {j.id: j for j in judges}
    for a in _items(db, round_):
        judge_services.save_score(
            a, actor=by_id[a.judge_id], values=values_for(round_, totals[a.submission_id], 20, 20), submit=True
        )
    award_services.set_scheme(
        round_,
        actor=organiser,
        grouping="all",
        one_award_per_author=True,
        boundary_tie="both_higher",
        levels=[{"code": "first", "count": 1}, {"code": "second", "count": 1}],
    )
    results.allocate_awards(round_, actor=organiser)
    db.session.commit()
    return round_, entries


def _levels(db, round_):
    from judging.models import Award

    db.session.expire_all()
    return dict(db.session.execute(select(Award.submission_id, Award.level).where(Award.round_id == round_.id)).all())


def test_committee_changes_awards_with_a_reason(client, login, post, db, organiser, awarded):
    from judging import results
    from judging.models import Award

    round_, entries = awarded
    assert _levels(db, round_) == {entries[0].id: "first", entries[1].id: "second"}
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}/awards"
    response = post(
        client,
        f"{page}/adjust",
        {"submission_id": entries[2].id, "new_level": "second", "reason": "评审委员会复议：立意突出"},
        page=page,
    )
    assert response.headers["Location"].endswith(page)
    shown = _follow(client, response)
    assert "奖项已调整，理由已记入审计日志。" in shown
    assert "评审委员会复议：立意突出" in shown and entries[2].anonymous_code in shown
    assert _levels(db, round_)[entries[2].id] == "second"
    assert db.session.scalar(select(Award.adjusted).where(Award.submission_id == entries[2].id))
    (entry,) = _audit(db, "judging.award_adjust")
    assert entry.changes["reason"] == "评审委员会复议：立意突出" and entry.changes["level"] == [None, "second"]
    assert entry.actor_id == organiser.id
    # Taking an award away ("no award") works the same way.
    post(client, f"{page}/adjust", {"submission_id": entries[1].id, "new_level": "", "reason": "涉嫌抄袭"}, page=page)
    assert entries[1].id not in _levels(db, round_)
    assert _audit(db, "judging.award_adjust")[1].changes["level"] == ["second", None]
    # The decisions are replayed when the awards are allocated again.
    results.allocate_awards(round_, actor=organiser)
    db.session.commit()
    assert _levels(db, round_) == {entries[0].id: "first", entries[2].id: "second"}


def test_bad_adjustments_explain_and_change_nothing(client, login, post, db, make_user, make_unit, organiser, awarded):
    from judging.models import AwardAdjustment

    round_, entries = awarded
    other = make_entry(db, judging_competition(db, organiser), make_user("author", unit=make_unit()))
    before = _levels(db, round_)
    good = {"submission_id": entries[2].id, "new_level": "first", "reason": "复议"}
    cases = [
        ({"reason": None}, "调整奖项必须填写理由。"),
        ({"reason": "   "}, "调整奖项必须填写理由。"),
        ({"submission_id": other.id}, f"作品 {other.id} 不在候选名单中。"),  # another competition's entry
        ({"submission_id": 987654}, "作品 987654 不在候选名单中。"),  # no such entry (was a 500)
        ({"new_level": "gold"}, "请从列表中选择奖项等级。"),
    ]
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}/awards"
    for change, message in cases:
        data = {k: v for k, v in (good | change).items() if v is not None}
        assert message in _follow(client, post(client, f"{page}/adjust", data, page=page)), change
    assert _levels(db, round_) == before
    assert db.session.scalar(select(func.count(AwardAdjustment.id))) == 0
    assert not _audit(db, "judging.award_adjust")


def test_adjustment_refusals(app, login, csrf, db, make_user, organiser, awarded):
    round_, entries = awarded
    before = _levels(db, round_)
    users = {
        "judge": make_user("judge"),
        "committee": make_user("committee"),
        "author": make_user("author"),
        "organiser": organiser,
    }
    here = f"/judging/rounds/{round_.id}/awards/adjust"
    _refused(
        app,
        login,
        csrf,
        users,
        [
            (None, here, 302),
            ("judge", here, 403),
            ("committee", here, 403),
            ("author", here, 403),
            ("organiser", f"/judging/rounds/{NO_ROUND}/awards/adjust", 404),
        ],
        data={"submission_id": entries[3].id, "new_level": "first", "reason": "复议"},
    )
    assert _levels(db, round_) == before and not _audit(db, "judging.award_adjust")


# Judge pool: add ------------------------------------------------------------


def _member(db, round_, user):
    from judging.models import RoundJudge

    db.session.expire_all()
    return db.session.scalar(select(RoundJudge).where(RoundJudge.round_id == round_.id, RoundJudge.user_id == user.id))


def test_organiser_adds_a_judge_with_a_maximum_load(app, client, login, post, db, make_user, make_unit, organiser):
    round_, _, _, _ = _plain_round(db, make_user, make_unit, organiser, n_judges=1)
    newcomer = make_user("judge", unit=make_unit(), display_name="李评委")
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    assert "李评委" in client.get(page).get_data(as_text=True)  # offered in the picker
    response = post(client, f"{page}/judges", {"user_id": newcomer.id, "capacity": "3"}, page=page)
    assert response.headers["Location"].endswith("#judges")
    assert "评委已添加。" in _follow(client, response)
    member = _member(db, round_, newcomer)
    assert member is not None and member.active and member.capacity == 3
    (entry,) = [a for a in _audit(db, "judging.judge_add") if a.changes["judge_id"] == newcomer.id]
    assert entry.changes["capacity"] == 3 and entry.actor_id == organiser.id
    # The new judge can now open the round.
    assert login(app.test_client(), newcomer).get(f"/judging/my/{round_.id}").status_code == 200


def test_adding_a_bad_judge_explains_and_changes_nothing(client, login, post, db, make_user, make_unit, organiser):
    from judging.models import RoundJudge, RoundState

    round_, _, _, _ = _plain_round(db, make_user, make_unit, organiser, n_judges=1)
    judge = make_user("judge", unit=make_unit())
    cases = [
        ({"user_id": make_user("author", unit=make_unit()).id}, "请从列表中选择评委"),  # not a judge
        ({"user_id": 424242}, "请从列表中选择评委"),
        ({"user_id": judge.id, "capacity": "-1"}, "请从列表中选择评委"),
        ({}, "请从列表中选择评委"),
    ]
    before = db.session.scalar(select(func.count(RoundJudge.id)))
    audits = len(_audit(db, "judging.judge_add"))
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    for data, message in cases:
        assert message in _follow(client, post(client, f"{page}/judges", data, page=page)), data
    # A finalised round takes no one.
    round_.state = RoundState.FINALISED
    db.session.commit()
    shown = _follow(client, post(client, f"{page}/judges", {"user_id": judge.id}, page=page))
    assert "本轮评审已定稿，任何内容都不能再修改。" in shown
    assert db.session.scalar(select(func.count(RoundJudge.id))) == before
    assert len(_audit(db, "judging.judge_add")) == audits


def test_adding_a_judge_refusals(app, login, csrf, db, make_user, make_unit, organiser):
    round_, _, judges, _ = _plain_round(db, make_user, make_unit, organiser, n_judges=1)
    newcomer = make_user("judge", unit=make_unit())
    users = {"newcomer": newcomer, "judge": judges[0], "coordinator": make_user("coordinator"), "organiser": organiser}
    here = f"/judging/rounds/{round_.id}/judges"
    _refused(
        app,
        login,
        csrf,
        users,
        [
            (None, here, 302),
            ("newcomer", here, 403),
            ("judge", here, 403),
            ("coordinator", here, 403),
            ("organiser", f"/judging/rounds/{NO_ROUND}/judges", 404),
        ],
        data={"user_id": newcomer.id},
    )
    assert _member(db, round_, newcomer) is None


# Judge pool: remove ---------------------------------------------------------


def test_removing_a_judge_hands_their_open_entries_to_others(client, login, post, db, organiser, rnd):
    from judging import judge_services
    from judging.models import AssignmentStatus

    round_, _, judges, _, _ = rnd
    leaving = judges[0]
    scored, *open_ = _items(db, round_, leaving)
    # One entry already scored: that score stays, the rest are handed on.
    judge_services.save_score(scored, actor=leaving, values=values_for(round_, 30, 20, 20), submit=True)
    db.session.commit()
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    response = post(client, f"{page}/judges/{leaving.id}/remove", {"reason": "因病无法继续评审"}, page=page)
    assert response.headers["Location"].endswith("#judges")
    assert f"评委已移除，{len(open_)} 件作品已转交其他评委。" in _follow(client, response)
    assert not _member(db, round_, leaving).active
    after = {a.id: a for a in _items(db, round_, leaving)}
    assert after[scored.id].status == AssignmentStatus.SUBMITTED
    assert all(
        after[a.id].status == AssignmentStatus.RECUSED and after[a.id].recuse_reason == "因病无法继续评审"
        for a in open_
    )
    # Every entry still has k judges at work on it.
    assert set(Counter(a.submission_id for a in _items(db, round_, live=True)).values()) == {round_.k}
    (entry,) = _audit(db, "judging.judge_remove")
    assert entry.changes["reason"] == "因病无法继续评审" and entry.changes["reassigned"] == len(open_)


def test_a_removed_judge_keeps_sight_of_scored_work_but_cannot_change_it(client, login, post, db, organiser, rnd):
    from judging import judge_services, pool_services

    round_, _, judges, _, _ = rnd
    leaving = judges[0]
    scored, *handed = _items(db, round_, leaving)
    judge_services.save_score(scored, actor=leaving, values=values_for(round_, 30, 20, 20), submit=True)
    pool_services.remove_judge(round_, leaving, actor=organiser, reason="回避")
    db.session.commit()
    total = scored.score.total
    login(client, leaving)
    code = scored.submission.anonymous_code
    queue = client.get(f"/judging/my/{round_.id}").get_data(as_text=True)
    assert code in queue
    assert all(a.submission.anonymous_code not in queue for a in handed)
    crit = round_.criteria
    response = post(
        client,
        f"/judging/my/{round_.id}/e/{code}",
        {f"c{crit[0].id}": "10", f"c{crit[1].id}": "10", f"c{crit[2].id}": "10", "action": "submit"},
    )
    assert "您已被移出本轮评委库，评分不能再修改。" in _follow(client, response)
    db.session.expire_all()
    assert scored.score.total == total and not _audit(db, "judging.score_revise")


def test_bad_removals_explain_and_change_nothing(client, login, post, db, make_user, make_unit, rnd):
    from judging.models import RoundJudge

    round_, _, judges, _, _ = rnd
    stranger = make_user("judge", unit=make_unit())
    before = [(a.id, a.judge_id, a.status) for a in _items(db, round_)]
    cases = [
        (judges[0], {}, "请填写移除评委的理由。"),
        (judges[0], {"reason": "  "}, "请填写移除评委的理由。"),
        (stranger, {"reason": "理由"}, "不在本轮评委库中"),
    ]
    login(client, make_user("organiser"))
    page = f"/judging/rounds/{round_.id}"
    for user, data, message in cases:
        assert message in _follow(client, post(client, f"{page}/judges/{user.id}/remove", data, page=page)), data
    assert [(a.id, a.judge_id, a.status) for a in _items(db, round_)] == before
    assert all(m.active for m in db.session.scalars(select(RoundJudge).where(RoundJudge.round_id == round_.id)))
    assert not _audit(db, "judging.judge_remove")


def test_removing_a_judge_refusals(app, login, csrf, db, make_user, organiser, rnd):
    round_, _, judges, _, _ = rnd
    before = [(a.id, a.status) for a in _items(db, round_)]
    users = {"colleague": judges[1], "author": make_user("author"), "organiser": organiser}
    here = f"/judging/rounds/{round_.id}/judges/{judges[0].id}/remove"
    _refused(
        app,
        login,
        csrf,
        users,
        [
            (None, here, 302),
            ("colleague", here, 403),
            ("author", here, 403),
            ("organiser", f"/judging/rounds/{NO_ROUND}/judges/{judges[0].id}/remove", 404),
            ("organiser", f"/judging/rounds/{round_.id}/judges/424242/remove", 404),
        ],
        data={"reason": "理由"},
    )
    assert [(a.id, a.status) for a in _items(db, round_)] == before
    assert _member(db, round_, judges[0]).active and not _audit(db, "judging.judge_remove")

"""Issue #9, item 4: an entry with fewer than k final scores (a recusal left it short and nobody
eligible could replace the judge) is flagged 评分不足 wherever results appear, and the round
cannot be finalised until the organiser adds a judge or accepts it with a reason."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from core.errors import UserError
from helpers import NO_ROUND, audit, refused, setup_round, values_for


@pytest.fixture(autouse=True)
def _one_hash_per_password(monkeypatch):
    from accounts import services

    real, seen = services.hash_password, {}
    monkeypatch.setattr(services, "hash_password", lambda pw: seen.get(pw) or seen.setdefault(pw, real(pw)))


@pytest.fixture
def short_round(db, make_user, make_unit, organiser):
    """k=2 with two judges: every entry has both. One judge recuses from the best entry, nobody
    eligible is left to replace them, so it is ranked first on a single score."""
    from judging import award_services, judge_services, results
    from judging.models import Assignment, AssignmentStatus

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=2, k=2)
    by_id = {j.id: j for j in judges}
    best = entries[0]
    items = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id)).all()
    recusing = next(a for a in items if a.submission_id == best.id)
    assert judge_services.recuse(recusing, actor=by_id[recusing.judge_id], reason="认识作者") is None
    totals = {e.id: 38 - 4 * i for i, e in enumerate(entries)}
    for a in items:
        if a.status != AssignmentStatus.RECUSED:
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
    return round_, judges, entries


# Services -------------------------------------------------------------------


def test_finalising_refuses_an_entry_with_too_few_scores_until_accepted_with_a_reason(db, organiser, short_round):
    from judging import results, round_services
    from judging.models import RoundState

    round_, _, entries = short_round
    best = entries[0]
    round_services.close_round(round_, actor=organiser)
    db.session.commit()
    with pytest.raises(UserError) as caught:
        results.finalise_round(round_, actor=organiser)
    assert best.anonymous_code in str(caught.value) and "fewer than 2" in str(caught.value)
    db.session.rollback()
    assert round_.state == RoundState.CLOSED
    short = results.short_entries(round_)
    assert [(s.code, s.n_scores, s.accepted) for s in short] == [(best.anonymous_code, 1, False)]

    with pytest.raises(UserError, match="reason"):
        results.accept_short_entries(round_, [best.id], actor=organiser, reason="  ")
    with pytest.raises(UserError, match="does not lack"):
        results.accept_short_entries(round_, [entries[1].id], actor=organiser, reason="理由")
    results.accept_short_entries(round_, [best.id], actor=organiser, reason="另一位评委回避，无可替换评委")
    assert results.short_entries(round_)[0].accepted
    (entry,) = audit(db, "judging.result_accept")
    assert entry.changes["reason"] == "另一位评委回避，无可替换评委"
    assert entry.changes["entries"] == {best.anonymous_code: "1/2"}
    assert results.finalise_round(round_, actor=organiser) == 2
    assert round_.state == RoundState.FINALISED


def test_accepting_for_the_whole_round_covers_every_short_entry(db, organiser, short_round):
    from judging import results, round_services

    round_, _, entries = short_round
    results.accept_short_entries(round_, None, actor=organiser, reason="评委人数不足，经领导小组同意")
    with pytest.raises(UserError, match="No entry lacks"):
        results.accept_short_entries(round_, None, actor=organiser, reason="再次")
    (entry,) = audit(db, "judging.result_accept")
    assert entry.changes["scope"] == "round" and entry.changes["reason"] == "评委人数不足，经领导小组同意"
    round_services.close_round(round_, actor=organiser)
    assert results.finalise_round(round_, actor=organiser) == 2


def test_adding_a_judge_clears_the_shortfall(db, make_user, make_unit, organiser, short_round):
    from judging import judge_services, manual, pool_services, results, round_services

    round_, _, entries = short_round
    best = entries[0]
    newcomer = make_user("judge", unit=make_unit())
    pool_services.add_judge(round_, newcomer, actor=organiser)
    judge_services.accept_pledge(round_, newcomer)
    item = manual.add_judge_to_entry(round_, best.id, newcomer.id, actor=organiser)
    judge_services.save_score(item, actor=newcomer, values=values_for(round_, 30, 20, 20), submit=True)
    round_services.close_round(round_, actor=organiser)
    assert results.finalise_round(round_, actor=organiser) == 2
    assert results.short_entries(round_) == []


# Pages ----------------------------------------------------------------------


def test_short_entry_is_flagged_on_the_awards_page_the_score_matrix_and_the_export(
    client, login, db, organiser, short_round
):
    round_, _, entries = short_round
    code = entries[0].anonymous_code
    login(client, organiser)
    awards = client.get(f"/judging/rounds/{round_.id}/awards").get_data(as_text=True)
    ranking = awards[awards.index('id="ranking"') :]
    row = ranking[ranking.index(code) :].split("</tr>")[0]
    assert "评分不足" in row and "1/2" in row
    others = ranking[ranking.index(entries[1].anonymous_code) :].split("</tr>")[0]
    assert "评分不足" not in others
    assert "评分不足的作品" in awards  # the card listing them, with the way out
    scores = client.get(f"/judging/rounds/{round_.id}/scores").get_data(as_text=True)
    matrix = scores[scores.index('id="matrix"') :]
    assert "评分不足" in matrix[matrix.index(code) :].split("</tr>")[0]
    assert "评分不足" not in matrix[matrix.index(entries[1].anonymous_code) :].split("</tr>")[0]
    data = client.get(f"/judging/rounds/{round_.id}/export.csv").get_data()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    flagged = {r[1]: r for r in rows[1:]}
    assert any("评分不足（1/2）" in cell for cell in flagged[code])
    assert not any("评分不足" in cell for cell in flagged[entries[1].anonymous_code])


def test_organiser_finalises_only_after_accepting_with_a_reason(client, login, post, db, organiser, short_round):
    from judging import round_services
    from judging.models import Round, RoundState

    round_, _, entries = short_round
    round_services.close_round(round_, actor=organiser)
    db.session.commit()
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}/awards"
    refused = post(client, f"/judging/rounds/{round_.id}/state/finalise", {}, page=page)
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "有 1 件作品的有效评分少于 2 份" in shown and entries[0].anonymous_code in shown
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state == RoundState.CLOSED
    no_reason = post(
        client, f"/judging/rounds/{round_.id}/short/accept", {"submission_id": entries[0].id, "reason": " "}, page=page
    )
    assert "认可评分不足的作品须填写理由。" in client.get(no_reason.headers["Location"]).get_data(as_text=True)
    assert not audit(db, "judging.result_accept")
    done = post(
        client,
        f"/judging/rounds/{round_.id}/short/accept",
        {"submission_id": entries[0].id, "reason": "评委回避后无人可替"},
        page=page,
    )
    assert "已认可 1 件评分不足的作品" in client.get(done.headers["Location"]).get_data(as_text=True)
    post(client, f"/judging/rounds/{round_.id}/state/finalise", {}, page=page)
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state == RoundState.FINALISED
    (entry,) = audit(db, "judging.result_accept")
    assert entry.actor_id == organiser.id and entry.changes["reason"] == "评委回避后无人可替"


def test_accepting_short_entries_is_for_organisers_only(app, login, csrf, db, make_user, organiser, short_round):
    round_, _, entries = short_round
    users = {role: make_user(role) for role in ("judge", "committee", "author")} | {"organiser": organiser}
    here = f"/judging/rounds/{round_.id}/short/accept"
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
            ("organiser", f"/judging/rounds/{NO_ROUND}/short/accept", 404),
        ],
        data={"submission_id": entries[0].id, "reason": "理由"},
    )
    assert not audit(db, "judging.result_accept")

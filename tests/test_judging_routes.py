"""Judging pages: the judge workflow, organiser pages, refusals and the queue's query count."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import event, insert, select

from helpers import judging_competition, setup_round


def _judge_items(db, round_, judge):
    from judging.models import Assignment

    return db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.judge_id == judge.id)
    ).all()


def _someone_elses_item(db, round_, judges):
    """An assignment of another judge on an entry judges[0] does not have. Loads are balanced
    (4 entries × k=2 over 3 judges: at most 3 each), so there always is one, whatever the seed."""
    mine = {i.submission_id for i in _judge_items(db, round_, judges[0])}
    theirs = [i for judge in judges[1:] for i in _judge_items(db, round_, judge) if i.submission_id not in mine]
    assert theirs, "judges[0] holds every entry: the loads are not balanced"
    return theirs[0]


@pytest.fixture
def judged_round(db, make_user, make_unit, organiser):
    return setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=3, k=2, accept=False)


def test_judge_accepts_pledge_scores_with_autosave_and_submits(client, login, post, db, judged_round):
    round_, _, judges, _, _ = judged_round
    judge = judges[0]
    login(client, judge)
    page = client.get(f"/judging/my/{round_.id}")
    assert "I accept the pledge" in page.get_data(as_text=True) or "承诺" in page.get_data(as_text=True)
    post(client, f"/judging/my/{round_.id}/pledge", {"accept": "y"}, page=f"/judging/my/{round_.id}")
    queue = client.get(f"/judging/my/{round_.id}").get_data(as_text=True)
    item = _judge_items(db, round_, judge)[0]
    code = item.submission.anonymous_code
    assert code in queue
    url = f"/judging/my/{round_.id}/e/{code}"
    crit = round_.criteria
    response = post(client, url, {f"c{crit[0].id}": "30"}, headers={"X-Autosave": "1"})
    assert response.status_code == 200 and response.json["ok"]
    response = post(client, url, {f"c{crit[0].id}": "300"}, headers={"X-Autosave": "1"})
    assert response.status_code == 422 and not response.json["ok"]
    response = post(
        client, url, {f"c{crit[0].id}": "30", f"c{crit[1].id}": "20.5", f"c{crit[2].id}": "20", "action": "submit"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert item.score.total == 70.5 and item.score.status == "submitted"


@pytest.mark.parametrize(
    "who, path, expected",
    [
        (None, "/judging/my", 302),
        (None, "/judging/rounds", 302),
        ("author", "/judging/my", 403),
        ("author", "/judging/rounds", 403),
        ("judge", "/judging/rounds", 403),
        ("judge", "/judging/rounds/{rid}", 403),
        ("judge", "/judging/rounds/{rid}/export.xlsx", 403),
        ("outsider", "/judging/my/{rid}", 404),
        ("other_judge", "/judging/my/{rid}/e/{code}", 404),
        ("other_judge", "/judging/my/{rid}/e/{code}/file", 404),
        ("judge", "/judging/my/{rid}/e/NOPE", 404),
    ],
)
def test_refusals(client, login, db, make_user, make_unit, judged_round, author, who, path, expected):
    round_, _, judges, entries, _ = judged_round
    code = _someone_elses_item(db, round_, judges).submission.anonymous_code
    users = {
        "author": author,
        "judge": judges[0],
        "other_judge": judges[0],
        "outsider": make_user("judge", unit=make_unit()),
    }
    from judging import judge_services

    judge_services.accept_pledge(round_, judges[0])  # before the pledge every entry route leads to the pledge
    db.session.commit()
    if who:
        login(client, users[who])
    response = client.get(path.format(rid=round_.id, code=code))
    assert response.status_code == expected


def test_judge_cannot_post_to_someone_elses_assignment(client, login, post, db, judged_round):
    round_, _, judges, _, _ = judged_round
    from judging import judge_services

    for j in judges:
        judge_services.accept_pledge(round_, j)
    db.session.commit()
    other = _someone_elses_item(db, round_, judges)
    login(client, judges[0])
    url = f"/judging/my/{round_.id}/e/{other.submission.anonymous_code}"
    response = post(client, url, {"action": "submit"}, page=f"/judging/my/{round_.id}")
    assert response.status_code == 404
    db.session.expire_all()
    assert other.score is None


def test_organiser_pages_and_round_lifecycle(client, login, post, db, organiser, judged_round):
    from judging.models import Round

    round_, comp, judges, _, _ = judged_round
    login(client, organiser)
    for path in (
        "/judging/rounds",
        f"/judging/rounds/{round_.id}",
        f"/judging/rounds/{round_.id}/scores",
        f"/judging/rounds/{round_.id}/awards",
    ):
        assert client.get(path).status_code == 200, path
    # Rubric can no longer change after a score... but it may before.
    response = post(
        client,
        f"/judging/rounds/{round_.id}/rubric",
        {
            "criteria-0-name": "立意",
            "criteria-0-maximum": "50",
            "criteria-0-weight": "1",
            "criteria-0-step": "1",
            "criteria-1-name": "文采",
            "criteria-1-maximum": "50",
            "criteria-1-weight": "1",
            "criteria-1-step": "0.5",
            "criteria-2-name": "",
            "criteria-2-maximum": "",
        },
        page=f"/judging/rounds/{round_.id}",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [c.name for c in db.session.get(Round, round_.id).criteria] == ["立意", "文采"]
    response = post(client, f"/judging/rounds/{round_.id}/state/close", page=f"/judging/rounds/{round_.id}")
    assert response.status_code == 302
    xlsx = client.get(f"/judging/rounds/{round_.id}/export.xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]][:3] == ["排名", "编号", "作品"]
    assert sheet.max_row == 5


def _count_queries(app, fn):
    from core.extensions import db

    counter = {"n": 0}

    def before(*args, **kwargs):
        counter["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return counter["n"]


def _bulk_round(db, organiser, judge, author, n):
    import datetime as dt

    from essays.models import Submission, SubmissionStatus
    from judging import assign_services, round_services
    from judging.models import RoundJudge

    comp = judging_competition(db, organiser)
    now = dt.datetime.now(dt.timezone.utc)
    db.session.execute(
        insert(Submission),
        [
            {
                "competition_id": comp.id,
                "genre_id": comp.genres[0].id,
                "author_id": author.id,
                "title": f"t{i}",
                "body_text": "x",
                "judge_text": "x",
                "judge_title": f"t{i}",
                "word_count": 1,
                "han_count": 1,
                "anonymous_code": f"Q{i:05d}",
                "serial": i,
                "receipt_number": f"{comp.code}-{i}",
                "status": SubmissionStatus.QUALIFIED,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ],
    )
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=1)
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    db.session.add(RoundJudge(round_id=round_.id, user_id=judge.id, pledge_accepted_at=now))
    ids = db.session.scalars(select(Submission.id).where(Submission.competition_id == comp.id)).all()
    assign_services.store_assignments(round_, [(judge.id, sid) for sid in ids])
    round_services.open_round(round_, actor=organiser)
    db.session.commit()
    return round_


def test_queue_page_query_count_does_not_grow_with_the_queue(
    app, client, login, db, make_user, make_unit, organiser, author
):
    judge = make_user("judge", unit=make_unit())
    small = _bulk_round(db, organiser, judge, author, 5)
    large = _bulk_round(db, organiser, judge, author, 500)
    login(client, judge)
    for round_ in (small, large):  # warm up caches
        assert client.get(f"/judging/my/{round_.id}").status_code == 200
    n_small = _count_queries(app, lambda: client.get(f"/judging/my/{small.id}"))
    n_large = _count_queries(app, lambda: client.get(f"/judging/my/{large.id}"))
    assert n_small == n_large
    assert "Q00499" in client.get(f"/judging/my/{large.id}").get_data(as_text=True)


def test_queue_order_is_shuffled_per_judge_and_stable(client, login, db, make_user, make_unit, organiser):
    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=12, n_judges=2, k=2)
    login(client, judges[0])
    first = client.get(f"/judging/my/{round_.id}").get_data(as_text=True)
    again = client.get(f"/judging/my/{round_.id}").get_data(as_text=True)
    codes = sorted(e.anonymous_code for e in entries)
    order = sorted(codes, key=first.index)
    assert order == sorted(codes, key=again.index)
    assert order != codes  # 12! orders: not the submission order by chance


def test_cli_assign_and_results(app, db, make_user, make_unit, organiser):
    round_, _, judges, _, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=3, n_judges=2, k=1, open_=False
    )
    from judging import cli

    if "judging" not in app.cli.commands:
        cli.register(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["judging", "assign", str(round_.id)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["judging", "results", str(round_.id), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "编号" in result.output

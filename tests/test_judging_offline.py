"""Offline judging: double-entry import of paper score sheets (services and pages)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.errors import UserError
from helpers import setup_round, values_for

HEADER = ["匿名编号", "评委", "立意", "语言", "结构", "评语"]


def _items(db, round_):
    from judging.models import Assignment

    return db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id)).all()


def _rows(db, round_, *, by="username"):
    """One row per assignment: 30 / 20.5 / 20 and a comment, judge named as a clerk would."""
    return [[a.submission.anonymous_code, getattr(a.judge, by), 30, 20.5, 20, "立意清楚"] for a in _items(db, round_)]


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv(rows) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows([HEADER] + rows)
    return out.getvalue().encode("gbk")


def _n_scores(db, round_):
    from judging.models import Score

    return db.session.scalar(select(func.count(Score.id)).where(Score.round_id == round_.id))


@pytest.fixture
def paper_round(db, make_user, make_unit, organiser):
    return setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=3, k=2)


def test_nothing_is_stored_until_both_entries_agree_then_all_scores_are_submitted(db, organiser, paper_round):
    from core.audit import AuditEntry
    from judging import offline
    from judging.models import AssignmentStatus, KeyinState

    round_ = paper_round[0]
    rows = _rows(db, round_)
    first = offline.upload_entry(round_, "first", _xlsx(rows), "first.xlsx", actor=organiser)
    db.session.commit()
    assert first.state == KeyinState.WAITING and _n_scores(db, round_) == 0
    typo = [r[:] for r in rows]
    typo[2][3] = 25  # the second clerk misreads 20.5 as 25
    batch = offline.upload_entry(round_, "second", _csv(typo), "second.csv", actor=organiser)
    db.session.commit()
    assert batch.id == first.id and batch.state == KeyinState.MISMATCH
    assert [(d["code"], d["criterion_name"], d["first"], d["second"]) for d in batch.report["disagreements"]] == [
        (rows[2][0], "语言", 20.5, 25)
    ]
    with pytest.raises(UserError, match="do not agree"):
        offline.apply_batch(batch, actor=organiser)
    db.session.rollback()
    assert _n_scores(db, round_) == 0
    # The second clerk corrects the file and uploads it again.
    batch = offline.upload_entry(
        round_, "second", _csv(_rows(db, round_, by="display_name")), "second-v2.csv", actor=organiser
    )
    assert batch.state == KeyinState.READY and _n_scores(db, round_) == 0
    assert offline.apply_batch(batch, actor=organiser) == len(rows)
    db.session.commit()
    items = _items(db, round_)
    assert {(a.status, a.score.status, a.score.total, a.score.comment) for a in items} == {
        (AssignmentStatus.SUBMITTED, "submitted", 70.5, "立意清楚")
    }
    assert batch.state == KeyinState.APPLIED
    actions = [
        (e.action, e.actor_id, (e.changes or {}).get("via"))
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("judging.%")).order_by(AuditEntry.id)
        )
    ]
    assert actions.count(("judging.score_submit", organiser.id, "keyin")) == len(rows)
    assert ("judging.keyin_apply", organiser.id, None) in actions
    assert [a for a in actions if a[0] == "judging.keyin_upload"] == [("judging.keyin_upload", organiser.id, None)] * 3


def test_keyin_revises_an_online_score_and_the_audit_says_so(db, organiser, paper_round):
    from core.audit import AuditEntry
    from judging import judge_services, offline

    round_, _, judges, _, _ = paper_round
    item = _items(db, round_)[0]
    judge_services.save_score(item, actor=item.judge, values=values_for(round_, 10, 10, 10), submit=True)
    db.session.commit()
    rows = _rows(db, round_)
    offline.upload_entry(round_, "first", _xlsx(rows), "a.xlsx", actor=organiser)
    batch = offline.upload_entry(round_, "second", _csv(rows), "b.csv", actor=organiser)
    offline.apply_batch(batch, actor=organiser)
    db.session.commit()
    db.session.refresh(item)
    assert item.score.total == 70.5
    revise = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "judging.score_revise")).all()
    assert len(revise) == 1 and revise[0].changes["total"] == [30, 70.5]


@pytest.mark.parametrize(
    "when, message",
    [
        ("closed", "closed"),
        ("finalised", "finalised"),
    ],
)
def test_upload_is_refused_once_the_round_is_closed_or_finalised(db, organiser, paper_round, when, message):
    from judging import offline, results, round_services

    round_ = paper_round[0]
    round_services.close_round(round_, actor=organiser)
    if when == "finalised":
        # Nobody scored: finalising needs the organiser to accept entries with too few scores.
        results.accept_short_entries(round_, None, actor=organiser, reason="纸质评分未录入")
        results.finalise_round(round_, actor=organiser)
    db.session.commit()
    with pytest.raises(UserError, match=message):
        offline.upload_entry(round_, "first", _xlsx(_rows(db, round_)), "a.xlsx", actor=organiser)


@pytest.mark.parametrize(
    "between, message",
    [
        ("close", "closed"),
        ("apply_twice", "already closed"),
        ("discard", "already closed"),
        ("recuse", "rows have problems"),
    ],
)
def test_apply_is_refused_when_things_changed_after_the_upload(db, organiser, paper_round, between, message):
    from judging import judge_services, offline, round_services

    round_ = paper_round[0]
    rows = _rows(db, round_)
    offline.upload_entry(round_, "first", _xlsx(rows), "a.xlsx", actor=organiser)
    batch = offline.upload_entry(round_, "second", _csv(rows), "b.csv", actor=organiser)
    db.session.commit()
    if between == "close":
        round_services.close_round(round_, actor=organiser)
    elif between == "apply_twice":
        offline.apply_batch(batch, actor=organiser)
    elif between == "discard":
        offline.discard_batch(batch, actor=organiser)
    elif between == "recuse":
        item = _items(db, round_)[0]
        judge_services.recuse(item, actor=organiser, reason="认识作者")
    db.session.commit()
    before = _n_scores(db, round_)
    with pytest.raises(UserError, match=message):
        offline.apply_batch(batch, actor=organiser)
    db.session.rollback()
    assert _n_scores(db, round_) == before


def test_the_same_file_cannot_serve_as_both_entries(db, organiser, paper_round):
    from judging import offline

    round_ = paper_round[0]
    data = _xlsx(_rows(db, round_))
    offline.upload_entry(round_, "first", data, "a.xlsx", actor=organiser)
    with pytest.raises(UserError, match="same file"):
        offline.upload_entry(round_, "second", data, "copy.xlsx", actor=organiser)


def test_a_file_without_the_rubric_columns_is_refused_before_it_is_stored(db, organiser, paper_round):
    from judging import offline
    from judging.models import KeyinBatch

    round_ = paper_round[0]
    with pytest.raises(UserError, match="结构"):
        offline.upload_entry(
            round_, "first", "匿名编号,评委,立意,语言\r\nA,b,1,2\r\n".encode(), "a.csv", actor=organiser
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(KeyinBatch.id))) == 0


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------


def test_organiser_downloads_the_template_uploads_both_entries_and_stores_scores(
    client, login, post, db, organiser, paper_round
):
    from openpyxl import load_workbook

    from judging.models import KeyinBatch

    round_ = paper_round[0]
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}/keyin"
    assert client.get(page).status_code == 200
    template = client.get(f"/judging/rounds/{round_.id}/keyin/template.xlsx")
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]] == HEADER
    rows = _rows(db, round_)
    typo = [r[:] for r in rows]
    typo[0][2] = 3
    for which, data, name in (("first", _xlsx(rows), "a.xlsx"), ("second", _csv(typo), "b.csv")):
        response = post(
            client, f"/judging/rounds/{round_.id}/keyin/upload/{which}", {"sheet": (io.BytesIO(data), name)}, page=page
        )
        assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert rows[0][0] in html and "立意" in html
    batch = db.session.scalar(select(KeyinBatch))
    response = post(client, f"/judging/rounds/{round_.id}/keyin/{batch.id}/apply", page=page)
    assert response.status_code == 302 and _n_scores(db, round_) == 0
    post(
        client,
        f"/judging/rounds/{round_.id}/keyin/upload/second",
        {"sheet": (io.BytesIO(_csv(rows)), "c.csv")},
        page=page,
    )
    response = post(client, f"/judging/rounds/{round_.id}/keyin/{batch.id}/apply", page=page)
    assert response.status_code == 302
    assert _n_scores(db, round_) == len(rows)


@pytest.mark.parametrize(
    "who, method, path, expected",
    [
        (None, "get", "/judging/rounds/{rid}/keyin", 302),
        (None, "get", "/judging/rounds/{rid}/keyin/template.xlsx", 302),
        ("judge", "get", "/judging/rounds/{rid}/keyin", 403),
        ("judge", "get", "/judging/rounds/{rid}/keyin/template.xlsx", 403),
        ("author", "get", "/judging/rounds/{rid}/keyin", 403),
        ("judge", "post", "/judging/rounds/{rid}/keyin/upload/first", 403),
        ("judge", "post", "/judging/rounds/{rid}/keyin/{bid}/apply", 403),
        ("organiser", "get", "/judging/rounds/999999/keyin", 404),
        ("organiser", "post", "/judging/rounds/{other}/keyin/{bid}/apply", 404),
        ("organiser", "post", "/judging/rounds/{other}/keyin/{bid}/discard", 404),
        ("organiser", "post", "/judging/rounds/{rid}/keyin/upload/third", 404),
    ],
)
def test_keyin_refusals(
    client, login, csrf, db, make_user, make_unit, organiser, author, paper_round, who, method, path, expected
):
    from judging import offline
    from judging.models import KeyinState

    round_, _, judges, _, _ = paper_round
    other = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)[0]
    rows = _rows(db, round_)
    offline.upload_entry(round_, "first", _xlsx(rows), "a.xlsx", actor=organiser)
    batch = offline.upload_entry(round_, "second", _csv(rows), "b.csv", actor=organiser)
    db.session.commit()
    users = {"judge": judges[0], "author": author, "organiser": organiser}
    token = csrf(client, "/login")
    if who:
        login(client, users[who])
        token = csrf(client, "/")
    url = path.format(rid=round_.id, bid=batch.id, other=other.id)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token, "sheet": (io.BytesIO(_xlsx(rows)), "x.xlsx")})
    assert response.status_code == expected
    db.session.expire_all()
    assert batch.state == KeyinState.READY and _n_scores(db, round_) == 0

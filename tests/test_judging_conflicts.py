"""A conflict of interest between a judge and one entry: the judge declares it in the
pledge, the organiser (who can see who wrote what) records it against the entry, and
every assignment path keeps that judge away from the entry."""

from sqlalchemy import select

from helpers import audit, follow, refused, setup_round


def _held(db, round_, judge, entry):
    from judging.models import Assignment

    return db.session.scalars(
        select(Assignment).where(
            Assignment.round_id == round_.id, Assignment.judge_id == judge.id, Assignment.submission_id == entry.id
        )
    ).all()


def test_organiser_records_a_conflict_and_the_entry_goes_to_another_judge(
    app, db, login, post, make_user, make_unit, organiser
):
    from judging.models import Assignment

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=3, n_judges=3, k=1)
    entry = entries[0]
    item = db.session.scalar(select(Assignment).where(Assignment.submission_id == entry.id))
    judge = next(j for j in judges if j.id == item.judge_id)

    client = app.test_client()
    login(client, organiser)
    page = client.get(f"/judging/rounds/{round_.id}").get_data(as_text=True)
    assert "登记利益冲突" in page
    response = post(
        client,
        f"/judging/rounds/{round_.id}/conflicts",
        {"judge_id": judge.id, "receipt_number": entry.receipt_number, "reason": "师生关系"},
        page=f"/judging/rounds/{round_.id}",
    )
    body = follow(client, response)
    assert "已登记利益冲突" in body
    assert entry.receipt_number in body and "师生关系" in body

    db.session.expire_all()
    held = _held(db, round_, judge, entry)
    assert [str(a.status) for a in held] == ["recused"]
    others = db.session.scalars(select(Assignment).where(Assignment.submission_id == entry.id)).all()
    assert any(a.judge_id != judge.id and str(a.status) == "assigned" for a in others)
    (entry_log,) = audit(db, "judging.conflict_declare")
    assert entry_log.changes["reason"] == "师生关系"


def test_assignment_respects_a_recorded_conflict(db, make_user, make_unit, organiser):
    from judging import assign_services, pool_services

    round_, _, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=3, k=1, open_=False, accept=False
    )
    late = make_user("judge", unit=make_unit())
    pool_services.add_judge(round_, late, actor=organiser)
    for entry in entries:
        pool_services.record_conflict(round_, late, entry.receipt_number, reason="亲属", actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    db.session.commit()
    assert all(not _held(db, round_, late, entry) for entry in entries)


def test_bad_conflicts_are_refused_with_a_reason(app, db, login, post, make_user, make_unit, organiser):
    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)
    stranger = make_user("judge", unit=make_unit())
    client = app.test_client()
    login(client, organiser)
    url = f"/judging/rounds/{round_.id}/conflicts"
    cases = [
        ({"judge_id": judges[0].id, "receipt_number": "NO-SUCH-0001", "reason": "同事"}, "没有收稿编号为"),
        ({"judge_id": stranger.id, "receipt_number": entries[0].receipt_number, "reason": "同事"}, "请选择本轮的评委"),
        ({"judge_id": judges[0].id, "receipt_number": entries[0].receipt_number, "reason": ""}, "请选择评委"),
    ]
    for data, message in cases:
        body = follow(client, post(client, url, data, page=f"/judging/rounds/{round_.id}"))
        assert message in body, message
    db.session.expire_all()
    assert audit(db, "judging.conflict_declare") == []


def test_conflict_route_refusals(app, db, login, csrf, make_user, make_unit, organiser, judge, author):
    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)
    url = f"/judging/rounds/{round_.id}/conflicts"
    data = {"judge_id": judges[0].id, "receipt_number": entries[0].receipt_number, "reason": "同事"}
    users = {"judge": judges[0], "author": author}
    refused(
        app,
        login,
        csrf,
        users,
        [(None, url, 302), ("judge", url, 403), ("author", url, 403)],
        data=data,
    )
    client = app.test_client()
    login(client, organiser)
    response = client.post("/judging/rounds/999999/conflicts", data=dict(data, csrf_token=csrf(client, "/")))
    assert response.status_code == 404

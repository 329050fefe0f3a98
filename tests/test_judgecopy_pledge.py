"""Every judge-facing route of a round requires the round's pledge.

The routes are enumerated from the application's URL map, so a judge route
added later is covered without touching this test.
"""

from __future__ import annotations

import re

import pytest

from helpers import judging_competition, make_entry, values_for

# The pledge page itself and the form that accepts it are the only judge
# routes of a round reachable before the pledge.
PLEDGE_ENDPOINTS = {"judging.round_queue", "judging.pledge"}


def _judge_round_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("judging.") and rule.rule.startswith("/judging/my/<int:round_id>")
    ]


@pytest.fixture
def unpledged(db, make_user, make_unit, organiser):
    """A round with one entry (and its judge copy) assigned to a judge who has not accepted the pledge."""
    from core.storage import store_bytes
    from judging import assign_services, pool_services, round_services

    comp = judging_competition(db, organiser)
    copy = store_bytes("春风又绿渭河岸。".encode(), content_type="text/plain; charset=utf-8", suffix=".txt")
    db.session.commit()
    entry = make_entry(db, comp, make_user("author", unit=make_unit()), judge_file=copy)
    judge = make_user("judge", unit=make_unit())
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=1)
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    pool_services.add_judge(round_, judge, actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    round_services.open_round(round_, actor=organiser)
    db.session.commit()
    return round_, entry, judge


def test_the_url_map_has_the_judge_routes_this_test_expects(app):
    endpoints = {rule.endpoint for rule in _judge_round_rules(app)}
    assert {"judging.entry", "judging.entry_file", "judging.score_sheets", "judging.recuse"} <= endpoints
    assert PLEDGE_ENDPOINTS <= endpoints


def test_no_judge_route_of_a_round_works_before_the_pledge(app, client, login, csrf, db, unpledged):
    from judging.models import Assignment, Score

    round_, entry, judge = unpledged
    login(client, judge)
    pledge_page = f"/judging/my/{round_.id}"
    token = csrf(client, pledge_page)
    tried = []
    for rule in _judge_round_rules(app):
        if rule.endpoint in PLEDGE_ENDPOINTS:
            continue
        path = re.sub(r"<int:round_id>", str(round_.id), rule.rule)
        path = re.sub(r"<(?:string:)?code>", entry.anonymous_code, path)
        assert "<" not in path, f"unexpected URL variable in {rule.rule}"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {
                "csrf_token": token,
                "reason": "同单位",
                "comment": "好",
                "action": "submit",
                **{f"c{c.id}": "90" for c in round_.criteria},
            }
            response = client.get(path) if method == "GET" else client.post(path, data=data)
            tried.append((method, path))
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.headers["Location"].endswith(pledge_page), (method, path)
            body = response.get_data(as_text=True)
            assert "春风又绿渭河岸" not in body and entry.anonymous_code not in body
    assert len(tried) >= 5
    # Nothing happened on the judge's behalf: no score, no recusal.
    item = db.session.query(Assignment).filter_by(round_id=round_.id, judge_id=judge.id).one()
    db.session.refresh(item)
    assert str(item.status) == "assigned"
    assert db.session.query(Score).count() == 0


def test_after_the_pledge_the_same_routes_answer(client, login, post, db, unpledged):
    round_, entry, judge = unpledged
    login(client, judge)
    post(client, f"/judging/my/{round_.id}/pledge", {"accept": "y"}, page=f"/judging/my/{round_.id}")
    code = entry.anonymous_code
    assert code in client.get(f"/judging/my/{round_.id}").get_data(as_text=True)
    assert client.get(f"/judging/my/{round_.id}/e/{code}").status_code == 200
    download = client.get(f"/judging/my/{round_.id}/e/{code}/file")
    assert download.status_code == 200 and "春风又绿渭河岸" in download.get_data(as_text=True)
    sheets = client.get(f"/judging/my/{round_.id}/sheets.pdf")
    assert sheets.status_code == 200 and sheets.data.startswith(b"%PDF")
    saved = post(client, f"/judging/my/{round_.id}/e/{code}", values_for(round_, 80), headers={"X-Autosave": "1"})
    assert saved.status_code == 200 and saved.json["ok"]


@pytest.mark.parametrize(
    "path", ["/judging/my/{rid}/e/{code}/file", "/judging/my/{rid}/sheets.pdf", "/judging/my/{rid}/e/{code}"]
)
def test_judge_routes_refuse_anonymous_other_roles_and_other_judges(
    app, client, login, make_user, make_unit, db, unpledged, path
):
    from judging import judge_services

    round_, entry, judge = unpledged
    url = path.format(rid=round_.id, code=entry.anonymous_code)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, make_user("author"))
    assert client.get(url).status_code == 403
    client = app.test_client()
    outsider = make_user("judge", unit=make_unit())
    judge_services.accept_pledge(round_, judge)
    db.session.commit()
    login(client, outsider)
    assert client.get(url).status_code == 404

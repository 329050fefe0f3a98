"""Issue #9/#11 in publishing: a 公示 that cannot be backdated, certificate verification,
identical objections, and what the public and authors are offered before they act.

Each test asserts what a user notices: the page, the status code, the stored rows.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.errors import UserError
from publishing.clock import local_date, today_local
from publishing.models import Objection, ResultSet, ResultState
from publishing.notice import cancel_notice, compute_notice_window, start_notice
from publishing.results import publish_results, unpublish_results


def _text(response) -> str:
    return response.get_data(as_text=True)


def _flashes(html: str) -> str:
    return " ".join(re.findall(r'<div class="flash[^"]*">(.*?)</div>', html, re.S))


# --- item 2: the 公示 starts today or later, after a confirmation ---------------------------


def test_a_cancelled_notice_cannot_be_restarted_in_the_past(db, on_notice, organiser):
    cancel_notice(on_notice, "名单录入有误", organiser)
    yesterday = today_local() - dt.timedelta(days=1)
    with pytest.raises(UserError) as err:
        start_notice(
            on_notice,
            start=yesterday - dt.timedelta(days=20),
            length=5,
            unit="calendar",
            how_to_object="实名来电",
            actor=organiser,
        )
    assert "公示不能早于今天开始" in err.value.render()
    with pytest.raises(UserError):
        start_notice(on_notice, start=yesterday, length=1, unit="calendar", how_to_object="实名来电", actor=organiser)
    assert on_notice.state == ResultState.DRAFT
    # ...so the results cannot be published at once.
    with pytest.raises(UserError):
        publish_results(on_notice, organiser)


def test_a_notice_may_be_scheduled_for_a_later_day(db, draft, organiser):
    start = today_local() + dt.timedelta(days=3)
    start_notice(draft, start=start, length=7, unit="calendar", how_to_object="实名来电", actor=organiser)
    assert draft.state == ResultState.NOTICE
    assert draft.notice_first_day == start and draft.notice_last_day == start + dt.timedelta(days=6)
    with pytest.raises(UserError):
        publish_results(draft, organiser)


def _notice_fields(start: dt.date, **kw) -> dict:
    return {"n-start": start.isoformat(), "n-length": 5, "n-unit": "working", "n-how_to_object": "实名来电", **kw}


def test_starting_a_notice_shows_the_window_for_confirmation_first(client, db, draft, organiser, login, post):
    login(client, organiser)
    url = f"/publishing/manage/{draft.id}"
    today = today_local()
    window = compute_notice_window(today, 5, "working")
    r = post(client, f"{url}/notice", _notice_fields(today), page=url)
    html = _text(r)
    assert r.status_code == 200 and "确认公示" in html
    shown = html[html.index('id="notice-window"') : html.index("</dl>", html.index('id="notice-window"'))]
    assert window.first_day.isoformat() in shown and window.last_day.isoformat() in shown
    assert re.search(r"<dd>5 工作日</dd>", shown), shown
    db.session.expire_all()
    assert db.session.get(ResultSet, draft.id).state == ResultState.DRAFT  # nothing public yet
    # The confirmation page carries the same values; confirming starts the notice.
    r = post(client, f"{url}/notice", _notice_fields(today, **{"n-confirmed": "1"}), page=url)
    assert r.status_code == 302
    db.session.expire_all()
    rs = db.session.get(ResultSet, draft.id)
    assert rs.state == ResultState.NOTICE and rs.notice_last_day == window.last_day


@pytest.mark.parametrize("confirmed", [False, True])
def test_the_notice_page_refuses_a_past_start(client, db, on_notice, organiser, login, post, confirmed):
    login(client, organiser)
    url = f"/publishing/manage/{on_notice.id}"
    post(client, f"{url}/notice/cancel", {"reason": "名单录入有误"}, page=url)
    past = today_local() - dt.timedelta(days=20)
    extra = {"n-confirmed": "1"} if confirmed else {}
    r = post(client, f"{url}/notice", _notice_fields(past, **extra), page=url, follow_redirects=True)
    assert "公示不能早于今天开始" in _flashes(_text(r)) and "确认并开始公示" not in _text(r)
    db.session.expire_all()
    rs = db.session.get(ResultSet, on_notice.id)
    assert rs.state == ResultState.DRAFT
    # Publishing stays refused: there is no closed notice.
    post(client, f"{url}/publish", page=url)
    db.session.expire_all()
    assert db.session.get(ResultSet, on_notice.id).state == ResultState.DRAFT


def test_the_notice_form_offers_no_past_date(client, draft, organiser, login):
    login(client, organiser)
    html = _text(client.get(f"/publishing/manage/{draft.id}"))
    assert f'min="{today_local().isoformat()}"' in html


def test_the_demo_seed_does_not_backdate_notices(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from core.extensions import db

        rows = db.session.scalars(select(ResultSet).where(ResultSet.notice_start.is_not(None))).all()
        assert {r.state for r in rows} == {ResultState.PUBLISHED, ResultState.NOTICE}
        for rs in rows:
            # Every notice was started on (or before) its own start day, never after it.
            assert local_date(rs.notice_started_at) <= rs.notice_start, rs.title
        running = next(r for r in rows if r.state == ResultState.NOTICE)
        assert running.notice_start >= today_local()


# --- item 8 and #11: certificate verification -------------------------------------------------


def test_a_forged_token_shows_verification_failed(client, published):
    r = client.get("/verify/forged-token-123")
    html = _text(r)
    assert r.status_code == 404
    assert "查验未通过" in html and 'name="number"' in html
    assert "李秀英" not in html and "2026年科技征文活动" not in html
    # A token too long to be one answers the same page.
    assert "查验未通过" in _text(client.get("/verify/" + "x" * 100))


def test_an_unpublished_list_reveals_no_name_or_unit(client, db, published, organiser):
    cert = published.honours[0].certificate
    unpublish_results(published, "名单需要复核", organiser)
    db.session.commit()
    for url in (f"/verify/{cert.token}", f"/api/v1/certificates/{cert.token}"):
        r = client.get(url)
        html = _text(r)
        assert r.status_code == 404, url
        assert "李秀英" not in html and "区教育局" not in html and "科技之光" not in html, url
    assert "查验未通过" in _text(client.get(f"/verify/{cert.token}"))


def test_verify_by_number_and_name(client, db, published, post):
    cert = published.honours[0].certificate
    page = client.get("/verify")
    assert page.status_code == 200 and 'name="number"' in _text(page) and 'name="name"' in _text(page)
    # Names are compared without white space (a space typed between the characters).
    r = post(client, "/verify", {"number": f" {cert.number} ", "name": "李 秀英　"}, page="/verify")
    html = _text(r)
    assert r.status_code == 200 and "verify-ok" in html and "查验通过" in html
    assert "区教育局" in html and "一等奖" in html and cert.token not in html


@pytest.mark.parametrize("number, name", [("right", "张伟"), ("ZP-1999-99999", "李秀英"), ("", "李秀英")])
def test_verify_by_number_and_name_refusals_say_nothing_more(client, db, published, post, number, name):
    cert = published.honours[0].certificate
    number = cert.number if number == "right" else number
    r = post(client, "/verify", {"number": number, "name": name}, page="/verify")
    html = _text(r)
    assert "verify-ok" not in html and "李秀英" not in html.replace('value="李秀英"', "")
    assert "区教育局" not in html and "一等奖" not in html
    if number:
        assert "查验未通过" in html


def test_verify_by_number_is_throttled_per_address(app, client, db, published, csrf):
    cert = published.honours[0].certificate
    app.config["VERIFY_LIMIT_PER_ADDRESS"] = "2 per hour"
    try:
        statuses = [
            client.post(
                "/verify", data={"csrf_token": csrf(client, "/verify"), "number": cert.number, "name": f"猜测{i}"}
            ).status_code
            for i in range(3)
        ]
    finally:
        app.config.pop("VERIFY_LIMIT_PER_ADDRESS")
    assert statuses == [200, 200, 429]


def test_verify_page_badges_have_a_stylesheet_colour(client, published):
    html = _text(client.get(f"/verify/{published.honours[0].certificate.token}"))
    assert '<span class="badge ok">查验通过</span>' in html


# --- #11: identical objections are stored once ------------------------------------------------


def test_an_identical_objection_is_stored_once_with_its_reference(client, db, on_notice, post):
    url = f"/public/activities/{on_notice.id}/notice"
    data = {
        "honour_id": on_notice.honours[0].id,
        "real_name": "王小明",
        "phone": "13912345678",
        "content": "该作品涉嫌抄袭网络文章，请核查。",
    }
    first = _flashes(_text(post(client, url, data, follow_redirects=True)))
    obj = db.session.scalars(select(Objection)).one()
    assert obj.reference in first
    # Sent again (a double click, or typed again with other spacing and the country code).
    again = dict(data, phone="+86 139 1234 5678", content=" 该作品涉嫌抄袭网络文章，请核查。 ")
    second = _flashes(_text(post(client, url, again, follow_redirects=True)))
    assert db.session.query(Objection).count() == 1
    assert "已于" in second and obj.reference in second and "无需重复提交" in second
    # A different objection from the same person is a new one.
    post(client, url, dict(data, content="另外，该作者不属于参赛范围，请一并核查。"))
    assert db.session.query(Objection).count() == 2
    # Another person's identical text is theirs, not a repeat.
    post(client, url, dict(data, real_name="李四", phone="13812345678"))
    assert db.session.query(Objection).count() == 3

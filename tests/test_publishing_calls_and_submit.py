"""What the public call pages and the submit pages offer before anyone acts (issue #9, item 10).

Nobody is offered a button that ends in 403, a closed call is not listed under an
expired deadline, and an author who cannot submit is told why before writing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from helpers import LONG_TEXT, form_token, now


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post_entry(client, csrf, path, **kw):
    page = _text(client.get(path))
    data = {
        "token": form_token(page),
        "title": "我的家乡",
        "body": LONG_TEXT,
        "pledge": "y",
        "csrf_token": csrf(client, path),
        **kw,
    }
    return client.post(path, data=data, content_type="multipart/form-data")


def _entry_fields(comp) -> dict:
    return {"genre_id": comp.genres[0].id, "group_id": comp.groups[0].id}


@pytest.mark.parametrize(
    "role, offered", [("judge", False), ("committee", False), ("organiser", False), ("author", True)]
)
def test_public_call_offers_submitting_only_to_authors(client, login, request, comp, role, offered):
    user = request.getfixturevalue(role)
    login(client, user)
    html = _text(client.get(f"/public/calls/{comp.id}"))
    assert ("我要投稿" in html) is offered
    for href in re.findall(r'<a class="btn[^"]*" href="([^"]+)"', html):
        if href.startswith("/essays"):
            assert client.get(href).status_code == 200, href  # whatever is offered opens
    if not offered:
        assert "投稿需使用作者账号" in html


def test_public_call_offers_a_coordinator_the_recommendation(client, login, coordinator, comp):
    login(client, coordinator)
    html = _text(client.get(f"/public/calls/{comp.id}"))
    assert "我要投稿" not in html and "为本单位人员推荐作品" in html
    assert client.get(f"/essays/unit/c/{comp.id}/submit").status_code == 200


def _back_link(html: str) -> str:
    m = re.search(r'<div class="actions no-print">.*?<a class="btn" href="([^"]+)"', html, re.S)
    assert m, html
    return m.group(1)


def test_receipt_back_link_opens_for_everyone_who_sees_the_receipt(
    app, client, login, coordinator, organiser, comp, csrf
):
    # A coordinator recommends their own essay (they are a member of their unit, without the author role).
    login(client, coordinator)
    r = _post_entry(client, csrf, f"/essays/unit/c/{comp.id}/submit", member_id=coordinator.id, **_entry_fields(comp))
    assert r.status_code == 302, _text(r)
    receipt_url = r.headers["Location"]
    back = _back_link(_text(client.get(receipt_url)))
    assert client.get(back).status_code == 200, back
    # The organiser reading the same receipt goes back to a page they can open too.
    other = login(app.test_client(), organiser)
    back = _back_link(_text(other.get(receipt_url)))
    assert other.get(back).status_code == 200, back


def test_public_home_lists_closed_calls_apart_without_their_old_deadline(app, db, client, organiser, make_competition):
    from essays import competitions

    still_open = make_competition(title="正在征稿的征文")
    judged = make_competition(title="已评审的征文")
    competitions.change_status(judged, "closed", actor=organiser)
    competitions.change_status(judged, "judging", actor=organiser)
    competitions.change_status(judged, "published", actor=organiser)
    past_deadline = make_competition(
        title="已过截稿时间的征文", opens_at=now() - dt.timedelta(days=20), closes_at=now() - dt.timedelta(days=2)
    )
    db.session.commit()
    html = _text(client.get("/public"))
    calls = html[html.index("征文启事") : html.index("已截止的征文")]
    past = html[html.index("已截止的征文") :]
    assert "正在征稿的征文" in calls and "截止时间" in calls
    for title in ("已评审的征文", "已过截稿时间的征文"):
        assert title not in calls and title in past
    assert "截止时间" not in past.split("</section>")[0]
    # The call page of a call past its deadline offers no submission either.
    page = _text(client.get(f"/public/calls/{past_deadline.id}"))
    assert "我要投稿" not in page and "注册后投稿" not in page
    assert still_open.id


def test_author_at_the_entry_limit_is_told_before_the_form(client, login, author, make_competition, csrf):
    comp = make_competition(max_entries_per_author=1)
    login(client, author)
    path = f"/essays/c/{comp.id}/submit"
    assert _post_entry(client, csrf, path, **_entry_fields(comp)).status_code == 302
    r = client.get(path)
    html = _text(r)
    assert r.status_code == 200 and "您在本次征文的投稿已达1篇上限" in html
    assert 'name="token"' not in html and 'name="body"' not in html


@pytest.mark.parametrize("when", ["closed", "past_deadline"])
def test_author_on_a_closed_call_is_told_before_the_form(client, db, login, author, organiser, make_competition, when):
    from essays import competitions as essay_competitions

    if when == "closed":
        comp = make_competition()
        essay_competitions.change_status(comp, "closed", actor=organiser)
        db.session.commit()
        expected = "本次征文当前不接收投稿"
    else:
        comp = make_competition(opens_at=now() - dt.timedelta(days=20), closes_at=now() - dt.timedelta(hours=1))
        expected = "截稿时间"
    login(client, author)
    html = _text(client.get(f"/essays/c/{comp.id}/submit"))
    assert expected in html
    assert 'name="token"' not in html and 'name="body"' not in html


def test_editing_an_entry_on_a_closed_call_is_refused_before_the_form(client, db, login, author, organiser, comp, csrf):
    from essays import competitions as essay_competitions

    login(client, author)
    r = _post_entry(client, csrf, f"/essays/c/{comp.id}/submit", **_entry_fields(comp))
    entry_id = int(r.headers["Location"].rstrip("/").split("/")[-2])
    essay_competitions.change_status(comp, "closed", actor=organiser)
    db.session.commit()
    html = _text(client.get(f"/essays/entry/{entry_id}/edit"))
    assert "本次征文当前不接收投稿" in html
    assert 'name="token"' not in html and 'name="body"' not in html
    back = re.search(r'<section class="card submit-refused">.*?<a class="btn" href="([^"]+)"', html, re.S).group(1)
    assert client.get(back).status_code == 200

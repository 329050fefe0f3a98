"""Unit membership cannot be self-assigned where it grants power (issue #11, section 3).

A coordinator who could move himself to another unit through /profile would
see, edit and withdraw that unit's entries and use its quota; a judge could
escape the same-unit conflict rule. Their unit changes only through an
administrator, audited. Authors may still change theirs, and an entry keeps
the unit it was submitted under.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpers import judging_competition, make_entry, submit


def _profile(client, post, user, unit_id, **over):
    data = {
        "display_name": user.display_name,
        "phone": user.phone or "",
        "email": user.email or "",
        "unit_id": str(unit_id),
        "workplace": "",
        "locale": "zh_Hans_CN",
    }
    data.update(over)
    return post(client, "/profile", data)


def _reload(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def test_coordinator_cannot_move_to_another_unit_and_see_its_entries(
    client, db, organiser, make_user, make_unit, login, post
):
    mine, theirs = make_unit("区教育局"), make_unit("区卫计局")
    coordinator = make_user("coordinator", unit=mine)
    comp = judging_competition(db, organiser)
    their_entry = make_entry(
        db, comp, make_user("author", unit=theirs), recommending_unit=theirs, title="别人单位的推荐作品"
    )
    login(client, coordinator)
    r = _profile(client, post, coordinator, theirs.id)
    assert "您的单位只能由管理员更改" in r.get_data(as_text=True)
    assert _reload(db, coordinator).unit_id == mine.id
    assert client.get(f"/essays/entry/{their_entry.id}").status_code == 404
    assert "别人单位的推荐作品" not in client.get("/essays/unit").get_data(as_text=True)


@pytest.mark.parametrize("role", ["judge", "committee"])
def test_judges_and_committee_members_cannot_change_their_unit(client, db, make_user, make_unit, login, post, role):
    mine, other = make_unit(), make_unit()
    user = make_user(role, unit=mine)
    login(client, user)
    _profile(client, post, user, other.id)
    assert _reload(db, user).unit_id == mine.id
    _profile(client, post, user, 0)  # nor leave it
    assert _reload(db, user).unit_id == mine.id


def test_locked_unit_is_shown_but_the_rest_of_the_profile_still_saves(client, db, make_user, make_unit, login, post):
    unit = make_unit("区科技局")
    judge = make_user("judge", unit=unit)
    login(client, judge)
    html = client.get("/profile").get_data(as_text=True)
    assert "您的单位由管理员设置" in html
    select_tag = re.search(r'<select[^>]*name="unit_id"[^>]*>', html).group(0)
    assert "disabled" in select_tag
    # A disabled field is not sent by the browser: the rest saves, the unit stays.
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    r = client.post(
        "/profile",
        data={
            "csrf_token": token,
            "display_name": "改过的名字",
            "phone": "",
            "email": judge.email,
            "workplace": "",
            "locale": "zh_Hans_CN",
        },
    )
    assert r.status_code == 302
    judge = _reload(db, judge)
    assert judge.display_name == "改过的名字" and judge.unit_id == unit.id


def test_authors_may_change_their_unit_and_their_entries_keep_theirs(
    client, db, organiser, make_user, make_unit, login, post
):
    from essays.models import Submission

    old, new = make_unit("区农业局"), make_unit("区林业局")
    author = make_user("author", unit=old)
    comp = judging_competition(db, organiser)
    entry = make_entry(db, comp, author)
    login(client, author)
    assert _profile(client, post, author, new.id).status_code == 302
    assert _reload(db, author).unit_id == new.id
    assert db.session.scalar(select(Submission.unit_id).where(Submission.id == entry.id)) == old.id


def test_submission_records_the_unit_at_submission_time(db, author, make_unit, comp):
    from accounts import services as account_services

    old, new = author.unit, make_unit("区民政局")
    result = submit(comp, author, token="unit-snapshot")
    db.session.commit()
    account_services.update_own_profile(author, unit=new)
    db.session.commit()
    entry = _reload(db, result.entry)
    assert entry.unit_id == old.id and _reload(db, author).unit_id == new.id


def test_administrator_moves_a_coordinator_and_it_is_audited_in_words(
    client, db, admin, make_user, make_unit, login, post
):
    from core.audit import AuditEntry

    mine, theirs = make_unit("区教育局"), make_unit("区卫计局")
    coordinator = make_user("coordinator", unit=mine)
    login(client, admin)
    r = post(
        client,
        f"/admin/users/{coordinator.id}",
        {
            "username": coordinator.username,
            "display_name": coordinator.display_name,
            "phone": "",
            "email": coordinator.email,
            "unit_id": str(theirs.id),
            "roles": ["coordinator"],
            "password": "",
        },
    )
    assert r.status_code == 302
    assert _reload(db, coordinator).unit_id == theirs.id
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.update", AuditEntry.object_id == str(coordinator.id))
    )
    assert entry.changes["unit"] == ["区教育局", "区卫计局"] and entry.actor_id == admin.id
    html = client.get("/audit?action=user.update").get_data(as_text=True)
    table = html[html.index("<table") :]
    assert "修改用户" in table and "区教育局 → 区卫计局" in table and "单位" in table


def test_profile_refusals(app, client, make_user, login):
    assert client.get("/profile").status_code == 302  # anonymous: to the sign-in page
    r = client.post("/profile", data={"display_name": "x"})
    assert r.status_code in (302, 400)

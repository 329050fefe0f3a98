"""Limits that cannot be gamed or turned against everyone (issue #11, section 3).

- Behind a reverse proxy the client address comes from the trusted proxies'
  X-Forwarded-For, so one visitor's failures do not block everybody.
- The per-account sign-in limit counts guesses against the account, whichever
  of its user name, phone or e-mail was typed.
- Registration is limited per address and does not say whose phone number or
  e-mail address has an account.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from accounts.privacy import NOTICE_VERSION
from helpers import PASSWORD

GOOD = "Spring-Rain-42"


def _login(client, csrf, login, password, **kw):
    token = csrf(client, "/login")
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token}, **kw)


def _from(address):
    return {"environ_base": {"REMOTE_ADDR": "10.0.0.2"}, "headers": {"X-Forwarded-For": address}}


# Trusted proxies ---------------------------------------------------------------


def test_behind_a_trusted_proxy_one_visitors_failures_do_not_block_others(app, client, csrf, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "ZP_TRUSTED_PROXIES", 1)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    user = make_user("author")
    attacker, visitor = app.test_client(), app.test_client()
    for i in range(3):
        _login(attacker, csrf, f"guess{i}", "bad-password", **_from("203.0.113.5"))
    assert _login(attacker, csrf, "guess9", "bad-password", **_from("203.0.113.5")).status_code == 429
    # Another visitor behind the same proxy signs in normally.
    r = _login(visitor, csrf, user.username, PASSWORD, **_from("198.51.100.7"))
    assert r.status_code == 302


def test_the_forwarded_address_is_what_the_audit_log_and_session_list_show(app, db, csrf, make_user, monkeypatch):
    from accounts.models import UserSession
    from core.audit import AuditEntry

    monkeypatch.setitem(app.config, "ZP_TRUSTED_PROXIES", 1)
    user = make_user("author")
    c = app.test_client()
    assert _login(c, csrf, user.username, PASSWORD, **_from("198.51.100.7")).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.sign_in"))
    assert entry.ip == "198.51.100.7"
    assert db.session.scalar(select(UserSession.ip).where(UserSession.user_id == user.id)) == "198.51.100.7"


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(app, client, csrf, monkeypatch):
    assert app.config["ZP_TRUSTED_PROXIES"] == 0  # the default
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    for i in range(3):
        _login(client, csrf, f"guess{i}", "bad-password", headers={"X-Forwarded-For": f"192.0.2.{i}"})
    r = _login(client, csrf, "guess9", "bad-password", headers={"X-Forwarded-For": "192.0.2.99"})
    assert r.status_code == 429


def test_trusted_proxies_setting_comes_from_the_environment():
    from core.config import load_config

    assert load_config("/tmp", {"SECRET_KEY": "x"})["ZP_TRUSTED_PROXIES"] == 0
    assert load_config("/tmp", {"SECRET_KEY": "x", "ZP_TRUSTED_PROXIES": "2"})["ZP_TRUSTED_PROXIES"] == 2
    assert load_config("/tmp", {"SECRET_KEY": "x", "ZP_TRUSTED_PROXIES": "-1"})["ZP_TRUSTED_PROXIES"] == 0


# Per-account limit ---------------------------------------------------------------


def test_one_account_gets_five_guesses_whichever_login_is_typed(app, csrf, make_user):
    user = make_user("author", phone="13912345678", email="wang@example.cn")
    c = app.test_client()
    for login in ("author1", "13912345678", "WANG@example.cn", " Author1 ", "wang@example.cn"):
        assert _login(c, csrf, login, "bad-password").status_code == 200
    r = _login(c, csrf, "13912345678", PASSWORD)
    assert r.status_code == 429 and "尝试次数过多" in r.get_data(as_text=True)
    assert user.username == "author1"


def test_unknown_logins_are_counted_by_what_was_typed_normalised(app, csrf):
    c = app.test_client()
    for login in ("ghost", "GHOST", " ghost ", "ｇｈｏｓｔ", "Ghost"):
        assert _login(c, csrf, login, "bad-password").status_code == 200
    assert _login(c, csrf, "ghost", "bad-password").status_code == 429
    # A different unknown name is not blocked by them.
    assert _login(c, csrf, "someone-else", "bad-password").status_code == 200


# Registration -------------------------------------------------------------------


def _register(client, post, n, **over):
    data = {
        "username": f"newauthor{n}",
        "display_name": "李明",
        "phone": f"138{n:08d}",
        "email": f"new{n}@example.cn",
        "unit_id": "0",
        "workplace": "",
        "password": GOOD,
        "confirm": GOOD,
        "consent": "y",
        "notice_version": NOTICE_VERSION,
    }
    data.update(over)
    return post(client, "/register", data)


def test_registration_is_limited_per_address(app, db, post):
    from accounts.models import User

    for n in range(10):
        assert _register(app.test_client(), post, n).status_code == 302
    r = _register(app.test_client(), post, 10)
    assert r.status_code == 429 and "尝试次数过多" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 10


def test_registration_limit_is_per_visitor_behind_a_trusted_proxy(app, csrf, monkeypatch):
    monkeypatch.setitem(app.config, "ZP_TRUSTED_PROXIES", 1)
    monkeypatch.setitem(app.config, "REGISTER_LIMIT_PER_ADDRESS", "2 per hour")

    def register(n, address):
        c = app.test_client()
        token = csrf(c, "/register")
        return c.post(
            "/register",
            data={
                "username": f"viaproxy{n}",
                "display_name": "李明",
                "phone": f"137{n:08d}",
                "unit_id": "0",
                "password": GOOD,
                "confirm": GOOD,
                "consent": "y",
                "notice_version": NOTICE_VERSION,
                "csrf_token": token,
            },
            **_from(address),
        )

    assert [register(n, "203.0.113.5").status_code for n in range(3)] == [302, 302, 429]
    assert register(3, "198.51.100.7").status_code == 302


@pytest.mark.parametrize("field, value", [("phone", "13912345678"), ("email", "taken@example.cn")])
def test_registration_does_not_reveal_whose_contact_details_are_taken(client, db, post, make_user, field, value):
    from accounts.models import User

    make_user("author", phone="13912345678", email="taken@example.cn")
    r = _register(client, post, 1, **{field: value})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "该手机号或电子邮箱无法使用" in html
    flashes = " ".join(re.findall(r'<div class="flash flash-\w+">(.*?)</div>', html))
    assert "该手机号或电子邮箱无法使用" in flashes and "已被注册" not in flashes and value not in flashes
    assert db.session.scalar(select(User).where(User.username == "newauthor1")) is None


def test_registration_still_says_a_user_name_is_taken(client, post, make_user):
    make_user("author", username="liming")
    r = _register(client, post, 1, username="liming")
    assert "已被使用" in r.get_data(as_text=True)


def test_registration_checks_the_password_before_looking_at_other_accounts(client, post, make_user):
    make_user("author", phone="13912345678")
    r = _register(client, post, 1, phone="13912345678", password="12345678", confirm="12345678")
    html = r.get_data(as_text=True)
    assert "过于常见" in html and "无法使用" not in html


def test_own_profile_does_not_reveal_whose_phone_is_taken(client, db, make_user, login, post):
    make_user("author", phone="13912345678")
    me = make_user("author", phone="13700000000")
    login(client, me)
    r = post(
        client,
        "/profile",
        {
            "display_name": me.display_name,
            "phone": "13912345678",
            "email": "",
            "unit_id": "0",
            "workplace": "",
            "locale": "zh_Hans_CN",
        },
    )
    html = r.get_data(as_text=True)
    assert "该手机号或电子邮箱无法使用" in html and "已被注册" not in html
    db.session.expire_all()
    assert db.session.get(type(me), me.id).phone == "13700000000"


def test_administrators_still_get_the_precise_message(client, admin, login, post, make_user):
    make_user("author", phone="13912345678")
    login(client, admin)
    r = post(
        client,
        "/admin/users/new",
        {
            "username": "newjudge",
            "display_name": "新评委",
            "phone": "13912345678",
            "email": "",
            "unit_id": "0",
            "roles": ["judge"],
            "password": GOOD,
        },
    )
    assert "手机号码 13912345678 已被注册" in r.get_data(as_text=True)


# The public objection limit ------------------------------------------------------


def test_objection_limit_is_per_visitor_behind_a_trusted_proxy(app, client, db, csrf, organiser, login, monkeypatch):
    from publishing.clock import today_local
    from publishing.models import Objection
    from publishing.notice import start_notice
    from publishing.results import HonourInput, import_honours

    rs = import_honours(
        "competition",
        1,
        "2026年科技征文活动",
        [HonourInput("first", "一等奖", "李秀英", "区教育局", "科技之光", "征文组", 95, 1, None, 11)],
        organiser,
        organiser="区委宣传部",
    )
    start_notice(rs, start=today_local(), length=5, unit="working", how_to_object="实名来电", actor=organiser)
    db.session.commit()
    monkeypatch.setitem(app.config, "ZP_TRUSTED_PROXIES", 1)
    monkeypatch.setitem(app.config, "OBJECTION_LIMIT_PER_ADDRESS", "1 per hour")
    url = f"/public/activities/{rs.id}/notice"

    def object_from(address, name, phone):
        c = app.test_client()
        token = csrf(c, url)
        return c.post(
            url,
            data={
                "csrf_token": token,
                "honour_id": 0,
                "real_name": name,
                "phone": phone,
                "content": "名单中有作品涉嫌抄袭，请核查。",
            },
            **_from(address),
        ).status_code

    assert [
        object_from("203.0.113.5", "王小明", "13912345678"),
        object_from("203.0.113.5", "王小明", "13912345679"),
    ] == [302, 429]
    # Someone else in the public is not blocked.
    assert object_from("198.51.100.7", "李华", "13800000000") == 302
    assert db.session.query(Objection).count() == 2
    # The audit log names a visitor, not "the system", as who objected, with their own address.
    login(client, organiser)
    html = client.get("/audit?action=objection.file").get_data(as_text=True)
    table = html[html.index("<table") :]
    assert table.count("访客（未登录）") == 2 and "系统" not in table
    assert "203.0.113.5" in table and "198.51.100.7" in table

"""Signing in and out, registration, throttling, CSRF, sessions, headers."""

import re

import pytest

from accounts.privacy import NOTICE_VERSION
from helpers import PASSWORD


def test_login_page_is_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    assert "登录" in html and "用户名、手机号或邮箱" in html


def test_language_can_be_switched_to_english(client, csrf):
    token = csrf(client, "/login")
    client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html and 'lang="en"' in html


def test_login_with_username_phone_or_email(client, make_user, login, csrf):
    make_user("author", phone="13912345678", email="wang@example.cn", display_name="王小明")
    for ident in ("author1", "13912345678", "WANG@example.cn"):
        c = client.application.test_client()
        token = csrf(c, "/login")
        r = c.post("/login", data={"login": ident, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 302, ident
        assert "王小明" in c.get("/").get_data(as_text=True)


@pytest.mark.parametrize("login_name", ["author1", "nobody-here"])
def test_wrong_password_and_unknown_account_get_the_same_message(client, make_user, csrf, login_name):
    make_user("author")
    token = csrf(client, "/login")
    r = client.post("/login", data={"login": login_name, "password": "wrong-password", "csrf_token": token})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "用户名或密码不正确" in html
    assert client.get("/", follow_redirects=False).status_code == 302


def test_login_is_throttled_per_account_without_revealing_it(client, make_user, csrf):
    make_user("author")
    for name in ("author1", "ghost-account"):
        for _ in range(5):
            token = csrf(client, "/login")
            client.post("/login", data={"login": name, "password": "bad-password", "csrf_token": token})
        token = csrf(client, "/login")
        r = client.post("/login", data={"login": name, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 429
        assert "尝试次数过多" in r.get_data(as_text=True)


def test_successful_logins_do_not_count_towards_the_limit(client, make_user, login):
    user = make_user("author")
    for _ in range(7):
        c = client.application.test_client()
        login(c, user)


def test_login_is_throttled_per_address(app, client, make_user, csrf):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    try:
        for i in range(3):
            token = csrf(client, "/login")
            client.post("/login", data={"login": f"user{i}", "password": "bad-password", "csrf_token": token})
        token = csrf(client, "/login")
        r = client.post("/login", data={"login": "someone-else", "password": "x", "csrf_token": token})
        assert r.status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = "30 per 15 minutes"


def test_post_without_csrf_token_is_refused(client, make_user):
    make_user("author")
    r = client.post("/login", data={"login": "author1", "password": PASSWORD})
    assert r.status_code == 400
    assert "表单已失效" in r.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(client, make_user, csrf, db):
    user = make_user("author")
    user.active = False
    db.session.commit()
    token = csrf(client, "/login")
    r = client.post("/login", data={"login": user.username, "password": PASSWORD, "csrf_token": token})
    assert "账号已停用" in r.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_logout_invalidates_the_session_on_the_server(app, client, make_user, login, post):
    user = make_user("author")
    login(client, user)
    stolen = client.get_cookie("session").value
    post(client, "/logout", page="/")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    r = thief.get("/profile")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_password_change_signs_out_other_browsers(app, make_user, login, post):
    user = make_user("author")
    a, b = app.test_client(), app.test_client()
    login(a, user)
    login(b, user)
    r = post(a, "/profile/password", {"current": PASSWORD, "new": "Another-Horse-7", "confirm": "Another-Horse-7"})
    assert r.status_code == 302
    assert a.get("/").status_code == 200  # this browser stays signed in
    assert b.get("/profile").status_code == 302  # the other one is out


def test_password_change_refuses_wrong_current_password(client, make_user, login, post):
    login(client, make_user("author"))
    r = post(
        client, "/profile/password", {"current": "nope-nope", "new": "Another-Horse-7", "confirm": "Another-Horse-7"}
    )
    assert "当前密码不正确" in r.get_data(as_text=True)


def test_author_registers_and_lands_on_home(client, post, make_unit, db):
    unit = make_unit("区科技局")
    r = post(
        client,
        "/register",
        {
            "username": "liming",
            "display_name": "李明",
            "phone": "13800138000",
            "email": "liming@example.cn",
            "unit_id": str(unit.id),
            "workplace": "",
            "password": "Spring-Rain-42",
            "confirm": "Spring-Rain-42",
            "consent": "y",
            "notice_version": NOTICE_VERSION,
        },
    )
    assert r.status_code == 302
    assert "李明" in client.get("/").get_data(as_text=True)
    from sqlalchemy import select

    from accounts.models import User
    from core.audit import AuditEntry

    user = db.session.scalar(select(User).where(User.username == "liming"))
    assert user.roles == {"author"} and user.unit_id == unit.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.register")) is not None


@pytest.mark.parametrize(
    "password, message",
    [
        ("short1", "至少 8 位"),
        ("12345678", "过于常见"),
        ("password123", "过于常见"),
        ("xx-liming-xx", "不能包含用户名"),
    ],
)
def test_registration_refuses_weak_passwords_and_keeps_input(client, post, password, message):
    r = post(
        client,
        "/register",
        {
            "username": "liming",
            "display_name": "李明",
            "phone": "13800138000",
            "unit_id": "0",
            "password": password,
            "confirm": password,
            "consent": "y",
            "notice_version": NOTICE_VERSION,
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert message in html
    assert 'value="13800138000"' in html  # what the person typed is kept


def test_registration_refuses_a_taken_user_name(client, post, make_user):
    make_user("author", username="liming")
    r = post(
        client,
        "/register",
        {
            "username": "liming",
            "display_name": "李明",
            "phone": "13800138001",
            "unit_id": "0",
            "password": "Spring-Rain-42",
            "confirm": "Spring-Rain-42",
            "consent": "y",
            "notice_version": NOTICE_VERSION,
        },
    )
    assert "已被使用" in r.get_data(as_text=True)


def test_next_parameter_cannot_redirect_elsewhere(client, make_user, csrf):
    make_user("author")
    token = csrf(client, "/login")
    r = client.post(
        "/login?next=https://evil.example/x", data={"login": "author1", "password": PASSWORD, "csrf_token": token}
    )
    assert r.headers["Location"] == "/"


def test_security_headers(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "HttpOnly" in r.headers.get("Set-Cookie", "HttpOnly")


def test_pages_have_no_inline_scripts_or_styles(client, admin, login):
    login(client, admin)
    for path in ("/login", "/", "/admin/users", "/admin/units", "/audit", "/profile"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html, path


def test_error_pages_are_chinese(client, author, login):
    assert "页面不存在" in client.get("/no-such-page").get_data(as_text=True)
    login(client, author)
    r = client.get("/admin/users")
    assert r.status_code == 403 and "没有查看此页面的权限" in r.get_data(as_text=True)


def test_upload_over_the_limit_gets_the_413_page(app, client, admin, login, csrf):
    login(client, admin)
    import io

    token = csrf(client, "/admin/users/import")
    big = io.BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    r = client.post(
        "/admin/users/import", data={"csrf_token": token, "sheet": (big, "big.csv")}, content_type="multipart/form-data"
    )
    assert r.status_code == 413 and "文件过大" in r.get_data(as_text=True)


def test_profile_shows_signed_in_browsers_and_can_sign_one_out(app, make_user, login, post, db):
    user = make_user("author")
    a, b = app.test_client(), app.test_client()
    login(a, user)
    login(b, user)
    html = a.get("/profile").get_data(as_text=True)
    assert "当前浏览器" in html
    from sqlalchemy import select

    from accounts.models import UserSession

    ids = db.session.scalars(select(UserSession.id).order_by(UserSession.id)).all()
    post(a, f"/profile/sessions/{ids[1]}/revoke", page="/profile")
    assert b.get("/profile").status_code == 302
    assert a.get("/").status_code == 200


def test_someone_elses_session_cannot_be_revoked(app, make_user, login, post, db):
    u1, u2 = make_user("author"), make_user("author")
    a, b = app.test_client(), app.test_client()
    login(a, u1)
    login(b, u2)
    from sqlalchemy import select

    from accounts.models import UserSession

    other = db.session.scalar(select(UserSession.id).where(UserSession.user_id == u2.id))
    r = post(a, f"/profile/sessions/{other}/revoke", page="/profile")
    assert r.status_code == 404
    assert b.get("/").status_code == 200


@pytest.mark.parametrize("password, status", [(PASSWORD, 302), ("wrong-password", 200)])
def test_one_sign_in_post_looks_the_account_up_once(app, client, make_user, csrf, password, status):
    """The per-account limit, the password check and the audit entry share one lookup."""
    from sqlalchemy import event

    from core.extensions import db

    make_user("author", phone="13912345670")
    token = csrf(client, "/login")
    user_queries = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and re.search(r"\bFROM users\b", statement):
            user_queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        r = client.post("/login", data={"login": "13912345670", "password": password, "csrf_token": token})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert r.status_code == status
    assert len(user_queries) == 1, user_queries

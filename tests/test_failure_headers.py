"""Safe headers: private pages are not cached, cookies carry SameSite/Secure,
absolute links ignore the Host header, originals have one charset."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import select

from helpers import csrf_token, entry_data, form_token, setup_round

FORGED = "evil.example"
PUBLIC = "https://zp.example.gov.cn"


@pytest.fixture
def public_base(app):
    before = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    yield PUBLIC
    app.config["PUBLIC_BASE_URL"] = before


# --- Cache-Control -----------------------------------------------------------------


def test_every_page_of_a_signed_in_user_is_no_store(client, login, admin):
    login(client, admin)
    for path in ("/", "/profile", "/admin/users", "/audit", "/jobs", "/public", "/admin/users/import/template.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path


def test_public_pages_may_be_cached_and_static_files_are_not_forced(client, login, author):
    response = client.get("/public")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    login(client, author)
    css = client.get("/static/css/app.css")
    assert "no-store" not in css.headers.get("Cache-Control", "")


# --- remember cookie -----------------------------------------------------------------


def _sign_in_remembered(client, user, csrf, **kw):
    token = csrf(client, "/login")
    response = client.post(
        "/login",
        data={"login": user.username, "password": "Correct-Horse-9", "remember": "y", "csrf_token": token},
        **kw,
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert len(remember) == 1, cookies
    return remember[0]


def test_remember_cookie_is_samesite_lax(client, author, csrf):
    cookie = _sign_in_remembered(client, author, csrf)
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_remember_cookie_is_secure_behind_https(app, author, csrf, monkeypatch):
    from core import create_app

    monkeypatch.setenv("ZP_HTTPS", "1")
    secure = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JOBS_IMMEDIATE": True,
            "STORAGE_PATH": app.config["STORAGE_PATH"],
            # The limiter is one object shared by every app: keep the run's own storage.
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
            "ARGON2_TIME_COST": 2,
            "ARGON2_MEMORY_COST": 19456,
            "ARGON2_PARALLELISM": 1,
        }
    )
    try:
        c = secure.test_client()
        c.environ_base["wsgi.url_scheme"] = "https"
        cookie = _sign_in_remembered(c, author, csrf, headers={"Referer": "https://localhost/login"})
        assert "Secure" in cookie and "SameSite=Lax" in cookie
    finally:
        with secure.app_context():
            from core.extensions import db

            db.session.remove()
            db.engine.dispose()


# --- absolute links come from PUBLIC_BASE_URL --------------------------------------------


def test_api_links_ignore_a_forged_host_header(client, db, organiser, make_user, public_base):
    from publishing.results import HonourInput, import_honours, publish_results

    winner = make_user("author")
    rs = import_honours(
        "competition",
        1,
        "2026年科技征文活动",
        [HonourInput("first", "一等奖", "李秀英", "区教育局", "科技之光", "征文组", 95, 1, winner.id, 11)],
        organiser,
        organiser="区委宣传部",
    )
    from publishing.demo import replay_closed_notice

    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    publish_results(rs, organiser)
    db.session.commit()
    for path in ("/api/v1/activities", f"/api/v1/activities/{rs.id}"):
        data = client.get(path, headers={"Host": FORGED}).get_data(as_text=True)
        assert FORGED not in data, path
        assert f"{PUBLIC}/public/activities/{rs.id}" in data
        assert f"{PUBLIC}/api/v1/activities/{rs.id}/results" in data


def test_reminder_mail_link_ignores_a_forged_host_header(app, db, make_user, make_unit, organiser, public_base):
    from judging import reminders

    round_, _entries, judges = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)[:3]
    with app.test_request_context("/judging/rounds/1/remind", headers={"Host": FORGED}):
        body = reminders.compose(round_, judges[0], 1).body
    assert FORGED not in body and f"{PUBLIC}/judging/my" in body


def test_reminder_mail_link_also_works_outside_a_request(app, db, make_user, make_unit, organiser, public_base):
    """A job or CLI command has no request (and no Host) at all."""
    from judging import reminders

    round_, _entries, judges = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)[:3]
    assert round_.competition.title  # loaded here; the thread only composes
    out = {}

    def job():
        with app.app_context():
            out["body"] = reminders.compose(round_, judges[0], 1).body

    worker = threading.Thread(target=job)
    worker.start()
    worker.join(30)
    body = out.get("body", "")
    assert f"{PUBLIC}/judging/my" in body


def test_certificate_links_and_result_mails_use_the_public_base(app, db, public_base):
    from publishing.certificates import verify_url

    with app.test_request_context("/", headers={"Host": FORGED}):
        assert verify_url("abc123") == f"{PUBLIC}/verify/abc123"


def test_redirect_back_never_follows_a_forged_host(client, login, post, admin, make_user):
    user = make_user("author")
    login(client, admin)
    token_page = client.get("/admin/users").get_data(as_text=True)

    client.set_cookie("session", client.get_cookie("session").value, domain=FORGED)
    response = client.post(
        f"/admin/users/{user.id}/active",
        data={"active": "0", "csrf_token": csrf_token(token_page)},
        headers={"Host": FORGED, "Referer": f"http://{FORGED}/phish?x=1"},
    )
    assert response.status_code == 302
    assert FORGED not in response.headers["Location"]
    response = post(
        client,
        f"/admin/users/{user.id}/active",
        {"active": "1"},
        page="/admin/users",
        headers={"Referer": "http://localhost/admin/users?q=abc"},
    )
    assert response.headers["Location"] == "/admin/users?q=abc"


# --- one charset on uploaded originals ---------------------------------------------------


@pytest.mark.parametrize("encoding, charset", [("utf-8", "utf-8"), ("gb18030", "gb18030")])
def test_txt_original_is_served_with_exactly_one_charset(client, login, author, comp, csrf, db, encoding, charset):
    from essays.models import Submission

    login(client, author)
    text = "我的家乡在秦岭脚下。" * 80
    path = f"/essays/c/{comp.id}/submit"
    data = entry_data(
        comp,
        form_token(client.get(path).get_data(as_text=True)),
        body="",
        upload=(io.BytesIO(text.encode(encoding)), "家乡.txt"),
    )
    data["csrf_token"] = csrf(client, path)
    assert client.post(path, data=data, content_type="multipart/form-data").status_code == 302
    entry = db.session.scalars(select(Submission)).one()
    response = client.get(f"/essays/entry/{entry.id}/original")
    assert response.status_code == 200
    content_type = response.headers["Content-Type"]
    assert content_type.lower().count("charset=") == 1, content_type
    assert content_type == f"text/plain; charset={charset}"
    assert response.data.decode(charset) == text

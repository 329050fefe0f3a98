"""Password recovery (issue #13): e-mailed one-time links when SMTP is configured,
links issued by an administrator or the unit coordinator otherwise."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from helpers import PASSWORD, audit

NEW = "Autumn-Moon-73"
SAME_ANSWER = "If an account with an e-mail address matches"


@pytest.fixture
def smtp_log(app, monkeypatch):
    """A configured mail server that records instead of sending."""
    sent = []

    class FakeSMTP:
        def __init__(self, *a, **kw):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, email):
            sent.append(email)

    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.cn")
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    import smtplib

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return sent


def _ask(client, post, login):
    response = post(client, "/password/forgot", {"login": login})
    response.get_data()
    response.close()  # the mail goes out once the response has been sent
    return response


def _link(mail) -> str:
    m = re.search(r"https?://\S+/password/reset/\S+", mail.get_content())
    assert m, mail.get_content()
    return m.group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _set(client, post, path, password=NEW, confirm=None):
    return post(client, path, {"new": password, "confirm": confirm or password})


def _signs_in(app, csrf, user, password) -> bool:
    c = app.test_client()
    token = csrf(c, "/login")
    r = c.post("/login", data={"login": user.username, "password": password, "csrf_token": token})
    return r.status_code == 302


# The login page and the page without SMTP ---------------------------------------


def test_the_login_page_links_to_recovery(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in html


def test_without_smtp_the_page_says_whom_to_contact_and_sends_nothing(app, client, author, post, db):
    assert not app.config.get("MAIL_SERVER")
    html = client.get("/password/forgot").get_data(as_text=True)
    assert 'id="reset-contact"' in html and 'name="login"' not in html
    assert "unit coordinator" in html or "单位联络员" in html
    post(client, "/password/forgot", {"login": author.username}, page="/login")
    from accounts.models import PasswordReset

    assert db.session.scalars(select(PasswordReset)).all() == []


# By e-mail ------------------------------------------------------------------------


def test_a_link_by_email_sets_the_password_once_and_signs_out_everywhere(app, client, author, post, csrf, smtp_log, db):
    other_browser = app.test_client()
    assert _signs_in(app, csrf, author, PASSWORD)
    token = csrf(other_browser, "/login")
    other_browser.post("/login", data={"login": author.username, "password": PASSWORD, "csrf_token": token})
    assert other_browser.get("/profile").status_code == 200

    html = _ask(client, post, author.email.upper()).get_data(as_text=True)
    assert SAME_ANSWER in html
    assert len(smtp_log) == 1 and smtp_log[0]["To"] == author.email
    url = _link(smtp_log[0])
    assert url.startswith(app.config["PUBLIC_BASE_URL"])
    path = _path(url)
    page = client.get(path)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    response = _set(client, post, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")

    assert _signs_in(app, csrf, author, NEW) and not _signs_in(app, csrf, author, PASSWORD)
    # The browser that was signed in before the reset is signed out.
    assert other_browser.get("/profile").status_code == 302
    # Used once: the link is refused afterwards.
    again = client.get(path)
    assert again.status_code == 404 and 'id="reset-invalid"' in again.get_data(as_text=True)
    assert [e.object_id for e in audit(db, "password.reset_done")] == [str(author.id)]


def test_the_same_answer_whether_or_not_the_account_exists(client, author, post, smtp_log, make_user, db):
    no_mail = make_user("author", email=None)
    answers = []
    for login in (author.username, "nobody-here", "13900000000", no_mail.username):
        r = _ask(client, post, login)
        assert r.status_code == 200
        answers.append(re.sub(r'name="csrf_token"[^>]*>', "", r.get_data(as_text=True)))
    assert len(set(answers)) == 1
    assert len(smtp_log) == 1  # only the account with an address got a mail
    unanswered = audit(db, "password.reset_request_unanswered")
    assert len(unanswered) == 3 and all(e.object_id in (None, "") for e in unanswered)


def test_a_mail_server_failure_gives_the_same_answer(app, client, author, post, smtp_log, monkeypatch):
    import smtplib

    def broken(*a, **kw):
        raise OSError("connection refused")

    monkeypatch.setattr(smtplib, "SMTP", broken)
    r = _ask(client, post, author.username)
    assert r.status_code == 200 and SAME_ANSWER in r.get_data(as_text=True)


def test_expired_forged_and_replaced_links_are_refused(app, client, author, post, smtp_log, db, csrf):
    from accounts.models import PasswordReset

    _ask(client, post, author.username)
    first = _path(_link(smtp_log[0]))
    _ask(client, post, author.username)
    second = _path(_link(smtp_log[1]))
    assert client.get(first).status_code == 404  # replaced by the newer link
    assert client.get(second).status_code == 200
    # Forged: a random token, a token one character off, an absurdly long one.
    assert client.get("/password/reset/forged-token-123").status_code == 404
    assert client.get(second[:-1] + ("A" if second[-1] != "A" else "B")).status_code == 404
    assert client.get("/password/reset/" + "x" * 500).status_code == 404
    # Only the hash is stored.
    token = second.rsplit("/", 1)[1]
    assert db.session.scalar(select(PasswordReset.id).where(PasswordReset.token == token)) is None
    # Expired.
    for row in db.session.scalars(select(PasswordReset)):
        row.expires_at = row.created_at + dt.timedelta(minutes=30) - dt.timedelta(days=1)
    db.session.commit()
    assert client.get(second).status_code == 404
    assert post(client, second, {"new": NEW, "confirm": NEW}, page="/login").status_code == 404
    assert _signs_in(app, csrf, author, PASSWORD)


def test_the_new_password_follows_the_policy(app, client, author, post, smtp_log, csrf):
    _ask(client, post, author.username)
    path = _path(_link(smtp_log[0]))
    for bad, confirm in (("12345678", None), ("short", None), (author.username + "-x1", None), (NEW, NEW + "x")):
        r = _set(client, post, path, bad, confirm)
        assert r.status_code == 200
        assert 'id="reset-form"' in r.get_data(as_text=True)
    assert _signs_in(app, csrf, author, PASSWORD)  # nothing changed, the link still works
    assert _set(client, post, path).status_code == 302


def test_asking_is_throttled_per_account_and_per_address(app, author, post, smtp_log, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ACCOUNT", "2 per hour")
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ADDRESS", "4 per hour")
    client = app.test_client()
    assert _ask(client, post, author.username).status_code == 200
    assert _ask(client, post, author.email).status_code == 200
    # The same account by another of its logins still counts against it.
    assert _ask(client, post, author.username).status_code == 429
    assert len(smtp_log) == 2
    assert _ask(client, post, "someone-else").status_code == 200
    assert _ask(client, post, "someone-else-2").status_code == 200
    assert _ask(client, post, "someone-else-3").status_code == 429


def test_a_signed_in_person_is_sent_to_the_password_change(client, author, login):
    login(client, author)
    r = client.get("/password/forgot")
    assert r.status_code == 302 and r.headers["Location"].endswith("/profile/password")


# Links issued by an administrator or a coordinator ---------------------------------


def _issued_path(html: str) -> str:
    m = re.search(r'id="reset-url" value="([^"]+)"', html)
    assert m, html[:2000]
    return _path(m.group(1))


def test_an_administrator_issues_a_link_shown_once_and_audited(app, client, admin, author, login, post, csrf, db):
    login(client, admin)
    assert "/reset-link" in client.get(f"/admin/users/{author.id}").get_data(as_text=True)
    r = post(client, f"/admin/users/{author.id}/reset-link", page=f"/admin/users/{author.id}")
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    path = _issued_path(r.get_data(as_text=True))
    entries = audit(db, "password.reset_link")
    assert len(entries) == 1 and entries[0].actor_id == admin.id and entries[0].object_id == str(author.id)
    assert path.rsplit("/", 1)[1] not in str(entries[0].changes)
    person = app.test_client()
    assert _set(person, post, path).status_code == 302
    assert _signs_in(app, csrf, author, NEW)


def test_a_coordinator_issues_a_link_for_an_author_of_their_unit(app, client, make_unit, make_user, login, post, csrf):
    unit = make_unit()
    coordinator = make_user("coordinator", unit=unit)
    member = make_user("author", unit=unit)
    judge = make_user("judge", unit=unit)
    login(client, coordinator)
    html = client.get("/unit/members").get_data(as_text=True)
    assert f"/unit/members/{member.id}/reset-link" in html
    assert f"/unit/members/{judge.id}/reset-link" not in html  # only authors
    r = post(client, f"/unit/members/{member.id}/reset-link", page="/unit/members")
    path = _issued_path(r.get_data(as_text=True))
    assert _set(app.test_client(), post, path).status_code == 302
    assert _signs_in(app, csrf, member, NEW)


def test_issuing_is_refused_to_others(app, make_unit, make_user, login, csrf, admin):
    from helpers import refused

    unit, other = make_unit(), make_unit()
    users = {
        "coordinator": make_user("coordinator", unit=unit),
        "author": make_user("author", unit=unit),
        "organiser": make_user("organiser", unit=unit),
    }
    stranger = make_user("author", unit=other)
    judge_here = make_user("judge", unit=unit)
    cases = [
        (None, f"/unit/members/{stranger.id}/reset-link", 302),
        ("coordinator", f"/unit/members/{stranger.id}/reset-link", 404),  # another unit's member
        ("coordinator", f"/unit/members/{judge_here.id}/reset-link", 404),  # not an author
        ("coordinator", f"/unit/members/{admin.id}/reset-link", 404),
        ("coordinator", "/unit/members/999999/reset-link", 404),
        ("author", f"/unit/members/{stranger.id}/reset-link", 403),
        ("author", f"/admin/users/{stranger.id}/reset-link", 403),
        ("coordinator", f"/admin/users/{users['author'].id}/reset-link", 403),
        ("organiser", f"/admin/users/{stranger.id}/reset-link", 403),
    ]
    refused(app, login, csrf, users, cases)
    refused(app, login, csrf, users, [("author", "/unit/members", 403), (None, "/unit/members", 302)], method="get")

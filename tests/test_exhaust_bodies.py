"""No request can freeze or exhaust the server: request bodies are received whole,
within a per-route limit and a deadline, before the app touches the database."""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from helpers import PASSWORD, form_token


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _open_slow_post(base: str, path: str, headers: dict, length: int, first: bytes) -> socket.socket:
    """Start a POST announcing ``length`` bytes and send only ``first`` of them."""
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port))
    lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + first)
    return sock


def test_a_slow_body_does_not_hold_the_write_lock(app, live_server, make_user, login, csrf, comp):
    """While an author's autosave body trickles in, another person can still sign in."""
    author = make_user("author")
    other_name = make_user("author").username
    client = app.test_client()
    login(client, author)
    token = csrf(client, f"/essays/c/{comp.id}/submit")
    slow = _open_slow_post(
        live_server,
        f"/essays/c/{comp.id}/autosave",
        {"Cookie": f"session={_session_cookie(client)}", "Content-Type": "application/json", "X-CSRFToken": token},
        10_000,
        b'{"title": "',
    )
    try:
        time.sleep(0.5)  # let the server start on the request (synchronisation, not a measurement)
        outcome: list = []

        def sign_in():
            try:
                other_client = app.test_client()
                page_token = csrf(other_client, "/login")
                response = other_client.post(
                    "/login", data={"login": other_name, "password": PASSWORD, "csrf_token": page_token}
                )
                outcome.append(response.status_code)
            except Exception as exc:  # pragma: no cover - reported below
                outcome.append(exc)

        worker = threading.Thread(target=sign_in, daemon=True)
        worker.start()
        worker.join(timeout=20)
        assert outcome == [302], "the sign-in waited for the slow body's transaction"
    finally:
        slow.close()


def test_sixteen_slow_bodies_do_not_exhaust_the_connection_pool(app, live_server, make_user, login, csrf, comp):
    """More slow autosaves than the pool has connections: public pages still answer."""
    client = app.test_client()
    login(client, make_user("author"))
    token = csrf(client, f"/essays/c/{comp.id}/submit")
    headers = {"Cookie": f"session={_session_cookie(client)}", "Content-Type": "application/json", "X-CSRFToken": token}
    slow = [
        _open_slow_post(live_server, f"/essays/c/{comp.id}/autosave", headers, 10_000, b'{"title": "')
        for _ in range(16)
    ]
    try:
        time.sleep(0.5)  # let the server start on the requests (synchronisation, not a measurement)
        url = urlsplit(live_server)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
        conn.request("GET", "/public")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        for sock in slow:
            sock.close()


def test_a_body_that_does_not_arrive_in_time_gets_408(app, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "REQUEST_BODY_TIMEOUT", 1)
    slow = _open_slow_post(
        live_server, "/login", {"Content-Type": "application/x-www-form-urlencoded"}, 200, b"login=a"
    )
    slow.settimeout(20)
    reply = b""
    try:
        while chunk := slow.recv(65536):
            reply += chunk
    finally:
        slow.close()
    assert reply.startswith(b"HTTP/1.1 408"), reply[:100]
    assert "请求过慢" in reply.decode("utf-8", "replace")


def test_a_urlencoded_login_flood_gets_413(client):
    body = b"login=" + b"%E4" * (700 * 1024)  # 2 MB of %XX escapes, under the upload limit
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True) or "413" in response.get_data(as_text=True)


def test_the_upload_limit_applies_only_to_file_uploads(client, login, make_user, csrf, comp):
    author = make_user("author")
    login(client, author)
    token = csrf(client, "/profile")
    big = io.BytesIO(b"x" * (1536 * 1024))
    # An ordinary form: a 1.5 MB multipart body is refused before it is parsed.
    assert (
        client.post(
            "/profile", data={"csrf_token": token, "file": (big, "a.txt")}, content_type="multipart/form-data"
        ).status_code
        == 413
    )
    # The submission page takes files, but only as multipart/form-data.
    path = f"/essays/c/{comp.id}/submit"
    assert (
        client.post(
            path, data=b"body=" + b"x" * (1536 * 1024), content_type="application/x-www-form-urlencoded"
        ).status_code
        == 413
    )


def test_an_autosave_of_a_long_essay_still_fits(client, login, make_user, csrf, comp):
    author = make_user("author")
    login(client, author)
    path = f"/essays/c/{comp.id}/submit"
    token = form_token(client.get(path).get_data(as_text=True))
    saved = client.post(
        f"/essays/c/{comp.id}/autosave",
        json={"token": token, "title": "长文", "body": "长" * 199_000},
        headers={"X-CSRFToken": csrf(client, path)},
    )
    assert saved.status_code == 200 and saved.json["ok"]


@pytest.mark.parametrize("junk", ["no csrf", "oversized"])
def test_malformed_sign_in_posts_count_against_the_throttle(app, client, make_user, csrf, monkeypatch, junk):
    user = make_user("author")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    for _ in range(3):
        if junk == "no csrf":
            r = client.post("/login", data={"login": user.username, "password": "x"})
            assert r.status_code == 400
        else:
            r = client.post(
                "/login", data=b"login=" + b"%41" * 10_000, content_type="application/x-www-form-urlencoded"
            )
            assert r.status_code == 413
    token = csrf(client, "/login")
    r = client.post("/login", data={"login": user.username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429


def test_a_chunked_body_over_the_limit_is_refused(app):
    """No Content-Length to check first: the cap applies while reading."""
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path="/login",
        method="POST",
        input_stream=io.BytesIO(b"login=" + b"a" * 100_000),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
    )
    environ = builder.get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    statuses = []
    body = b"".join(app.wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses[0].startswith("413"), statuses
    assert body


class _LastBytesAfter(io.BytesIO):
    """A request body whose bytes arrive only at ``moment`` (a slow line at a deadline)."""

    def __init__(self, data: bytes, moment):
        super().__init__(data)
        self.moment = moment

    def read(self, size=-1):
        import datetime as dt

        wait = (self.moment - dt.datetime.now(dt.timezone.utc)).total_seconds()
        if wait > 0:
            time.sleep(wait)
        return super().read(size)


def test_an_upload_that_began_before_the_deadline_is_on_time(app, client, login, make_user, csrf, comp, db):
    """Receiving the body first must not move the moment a deadline is judged at."""
    import datetime as dt

    from werkzeug.test import EnvironBuilder, encode_multipart

    from essays.models import Submission

    login(client, make_user("author"))
    path = f"/essays/c/{comp.id}/submit"
    page = client.get(path).get_data(as_text=True)
    fields = {
        "token": form_token(page),
        "title": "赶在截止前",
        "genre_id": str(comp.genres[0].id),
        "group_id": str(comp.groups[0].id),
        "pledge": "y",
        "csrf_token": csrf(client, path),
        "body": "渭河两岸的春天来得格外早，桃花开满了山坡，农民们忙着春耕。" * 3,
    }
    boundary, body = encode_multipart(fields)
    deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)
    comp.closes_at = deadline
    db.session.commit()
    environ = EnvironBuilder(
        path=path,
        method="POST",
        content_length=len(body),
        input_stream=_LastBytesAfter(body, deadline + dt.timedelta(seconds=1)),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Cookie": f"session={_session_cookie(client)}"},
    ).get_environ()
    statuses = []
    b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses[0].startswith("302"), statuses
    db.session.expire_all()
    assert db.session.scalars(db.select(Submission).where(Submission.title == "赶在截止前")).one()

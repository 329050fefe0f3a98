"""Failing cleanly when the database is away, and coming back by itself.

Apps are pointed at a closed port and at a "black hole" (a port that accepts
connections and never answers, like a firewall silently dropping packets).
"""

from __future__ import annotations

import os
import socket
import threading

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket goes


@pytest.fixture
def black_hole():
    """A port that completes the TCP handshake and then never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield sock.getsockname()[1]
    sock.close()


def _app_on(port: int, **config):
    from core import create_app

    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "JOBS_IMMEDIATE": True,
        "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://root@127.0.0.1:{port}/zp_unreachable",
        "STORAGE_PATH": os.path.join(os.environ["ZP_INSTANCE_PATH"], "storage"),
        # The limiter is one object shared by every app: keep the run's own storage.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "DATABASE_CONNECT_TIMEOUT": 2,
    }
    settings.update(config)
    return create_app(settings)


def _signed_in_cookie(client, login, user) -> str:
    login(client, user)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _get_within(client, path: str, seconds: float = 60):
    """The response, or None while the request still hangs after ``seconds``."""
    result = {}

    def run():
        result["response"] = client.get(path)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    return result.get("response")


def _assert_unavailable_page(response):
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "服务暂时不可用" in body and "请过几分钟再试" in body
    assert response.headers.get("Retry-After")
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_healthz_is_json_503_when_the_database_is_unreachable():
    down = _app_on(_closed_port())
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json and response.json["status"] == "unavailable"


def test_pages_answer_a_clear_503_when_the_database_is_unreachable():
    down = _app_on(_closed_port())
    c = down.test_client()
    _assert_unavailable_page(c.get("/public"))
    _assert_unavailable_page(c.get("/verify/some-token"))
    api = c.get("/api/v1/activities")
    assert api.status_code == 503 and api.is_json and api.json["error"]["code"] == 503


def test_signed_in_user_gets_the_503_page_not_a_bare_server_error(app, client, login, author):
    cookie = _signed_in_cookie(client, login, author)
    down = _app_on(_closed_port())
    c = down.test_client()
    c.set_cookie("session", cookie)
    _assert_unavailable_page(c.get("/"))
    _assert_unavailable_page(c.get("/essays/mine"))
    _assert_unavailable_page(c.get("/no-such-page"))  # the 404 page needs the user for its navigation
    response = c.post("/logout", data={"csrf_token": "stale"})  # a CSRF failure, signed in, database away
    assert response.status_code in (400, 503)
    assert "Internal Server Error" not in response.get_data(as_text=True)


def test_a_database_that_drops_packets_does_not_hang_requests(black_hole):
    down = _app_on(black_hole)
    c = down.test_client()
    response = _get_within(c, "/public")
    assert response is not None, "the request hung on a database that never answers"
    _assert_unavailable_page(response)
    health = _get_within(c, "/healthz")
    assert health is not None and health.status_code == 503 and health.is_json


def test_the_app_comes_back_by_itself_when_the_database_returns(app, client, login, author):
    from core.extensions import db

    login(client, author)
    assert client.get("/").status_code == 200
    state = {"down": True}

    def cut(conn, cursor, statement, parameters, context, executemany):
        if state["down"]:
            raise OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", cut)
    try:
        _assert_unavailable_page(client.get("/"))
        assert client.get("/healthz").status_code == 503
        state["down"] = False
        page = client.get("/")
        assert page.status_code == 200 and author.display_name in page.get_data(as_text=True)
        assert client.get("/healthz").json == {"status": "ok"}
    finally:
        event.remove(engine, "before_cursor_execute", cut)


def test_postgresql_statements_give_up_after_the_statement_timeout(app):
    from core.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("statement_timeout is a PostgreSQL setting (SQLite has its busy timeout)")
    slow = _app_on(0, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], DATABASE_STATEMENT_TIMEOUT=1)
    with slow.app_context():
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(5)"))
        db.session.rollback()
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


def test_backup_of_an_unreachable_database_fails_instead_of_hanging(black_hole, tmp_path):
    import shutil

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    down = _app_on(black_hole)
    target = tmp_path / "nightly.tar.gz"
    result = {}

    def run():
        result["cli"] = down.test_cli_runner().invoke(args=["backup", str(target)])

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)
    assert "cli" in result, "flask backup hung on a database that never answers"
    assert result["cli"].exit_code != 0 and "backup failed" in result["cli"].output
    assert list(tmp_path.iterdir()) == []

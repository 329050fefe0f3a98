"""Fixtures: app, database, client, users of every role, a live server and a browser.

Tests run on SQLite by default, and on PostgreSQL when DATABASE_URL points
there. The schema is built once per run with the Alembic migrations (as in
production); tables are emptied between tests.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import tempfile
import threading

import pytest
from flask.testing import FlaskClient

from helpers import ARTIFACTS, PASSWORD, csrf_token, import_honours, now
from helpers import EMAIL as WINNER_EMAIL
from helpers import PHONE as WINNER_PHONE

_tmp = tempfile.mkdtemp(prefix="zp-test-")
os.environ["ZP_INSTANCE_PATH"] = _tmp
os.environ.setdefault("JOBS_DB", os.path.join(_tmp, "jobs.db"))


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return url or f"sqlite:///{os.path.join(_tmp, 'test.db')}"


class IsolatedClient(FlaskClient):
    """A test client whose requests never reuse the test's own app context.

    Flask reuses an app context that is already pushed, so without this a
    request would share ``g`` (the signed-in user, the CSRF token) and the
    database session with the test body and with other clients. Here every
    request runs in a context of its own, as it would in production.
    """

    def open(self, *args, **kwargs):
        from flask.globals import _cv_app, _cv_request

        self._end_test_transaction()
        app_token = _cv_app.set(None)
        req_token = _cv_request.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_request.reset(req_token)
            _cv_app.reset(app_token)
            # The test's own session starts a fresh transaction on its next
            # query, so it sees what the request committed (SQLite keeps a
            # read snapshot for the whole transaction).
            self._end_test_transaction()

    @staticmethod
    def _end_test_transaction():
        from flask.globals import _cv_app

        if _cv_app.get(None) is None:
            return
        from core.extensions import db

        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


@pytest.fixture(scope="session")
def app():
    from core import create_app

    url = _database_url()
    os.environ["DATABASE_URL"] = url
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": None,
            "JOBS_IMMEDIATE": True,
            "STORAGE_PATH": os.path.join(_tmp, "storage"),
            # Redis when the run provides it (CI's PostgreSQL pass), memory otherwise.
            "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
            # Argon2id at OWASP's floor keeps the suite quick without going below it.
            "ARGON2_TIME_COST": 2,
            "ARGON2_MEMORY_COST": 19456,
            "ARGON2_PARALLELISM": 1,
        }
    )
    app.test_client_class = IsolatedClient
    from flask_migrate import upgrade

    from core.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        from sqlalchemy import inspect

        # Tables the migrations built (a model without a migration would show
        # up in test_migrations, not as a crash in every test's clean-up).
        app.config["_TEST_TABLES"] = set(inspect(db.engine).get_table_names())
    yield app


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Empty every table after each test that used the app, and undo its changes to the config.

    The app is built once per session: a test that sets ``app.config["MAIL_SERVER"]`` (or any
    other key) must not leak it into the tests that run after it.
    """
    saved_config = dict(app.config)
    yield
    app.config.clear()
    app.config.update(saved_config)
    from sqlalchemy import text

    from core.extensions import db

    with app.app_context():
        db.session.remove()
        existing = app.config["_TEST_TABLES"]
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                # TRUNCATE costs per table, so only the tables the test filled.
                probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
                used = [row[0] for row in conn.execute(text(probe))]
                # DELETE in reverse dependency order is much cheaper than
                # TRUNCATE ... CASCADE for a handful of small tables.
                for t in tables:
                    if t in used:
                        # Rows pointing at rows of the same table (unit
                        # hierarchy) are unlinked first: RESTRICT is checked
                        # row by row.
                        for fk in db.metadata.tables[t].foreign_keys:
                            if fk.column.table.name == t and fk.parent.nullable:
                                conn.execute(text(f'UPDATE "{t}" SET "{fk.parent.name}" = NULL'))
                        conn.execute(text(f'DELETE FROM "{t}"'))
                        if "id" not in db.metadata.tables[t].c:
                            continue
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), 1, false) "
                                f"WHERE pg_get_serial_sequence('\"{t}\"', 'id') IS NOT NULL"
                            )
                        )
        else:
            # PRAGMA foreign_keys only takes effect outside a transaction, so
            # work on the driver connection in autocommit mode.
            raw = db.engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("PRAGMA foreign_keys = OFF")
                for t in tables:
                    cur.execute(f'DELETE FROM "{t}"')
                cur.execute("PRAGMA foreign_keys = ON")
                cur.close()
            finally:
                raw.close()
    from core.extensions import limiter

    try:
        limiter.reset()
    except Exception:
        pass


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def db(app, app_ctx):
    from core.extensions import db as _db

    yield _db
    _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_unit(db):
    from accounts import services

    counter = {"n": 0}

    def make(name: str | None = None, kind: str = "bureau", parent=None):
        counter["n"] += 1
        unit = services.create_unit(name=name or f"测试单位{counter['n']}", kind=kind, parent=parent)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_user(db):
    from accounts import services

    counter = {"n": 0}

    def make(role="author", unit=None, roles=None, password=PASSWORD, **kw):
        counter["n"] += 1
        n = counter["n"]
        username = kw.pop("username", f"{role}{n}")
        user = services.create_user(
            username=username,
            display_name=kw.pop("display_name", f"测试{role}{n}"),
            password=password,
            roles=roles or [role],
            unit=unit,
            phone=kw.pop("phone", None),
            email=kw.pop("email", f"{username}@example.cn"),
            **kw,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def csrf():
    """Fetch a page and return its CSRF token: csrf(client, "/path")."""

    def get(client, path="/login"):
        response = client.get(path)
        token = csrf_token(response.get_data(as_text=True))
        assert token, f"no CSRF token on {path}: {response.status_code} {response.headers.get('Location')}"
        return token

    return get


@pytest.fixture
def login(csrf):
    def do(client, user, password=PASSWORD):
        token = csrf(client, "/login")
        response = client.post("/login", data={"login": user.username, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do


@pytest.fixture
def post(csrf):
    """POST a form with a valid CSRF token taken from ``page`` (defaults to the target)."""

    def do(client, path, data=None, page=None, **kw):
        token = csrf(client, page or path)
        payload = dict(data or {})
        payload["csrf_token"] = token
        return client.post(path, data=payload, **kw)

    return do


for _role in ("admin", "organiser", "coordinator", "judge", "committee", "author"):

    def _fixture(make_user, make_unit, _role=_role):
        return make_user(_role, unit=make_unit())

    globals()[_role] = pytest.fixture(_fixture, name=_role)


@pytest.fixture
def co_organiser(db, make_user, make_unit):
    """A co-organising department's organiser (承办/协办): manages only the activities listing it."""
    from accounts.models import ActivityScope

    user = make_user("organiser", unit=make_unit(), username="co_organiser", display_name="区教育局承办人")
    user.activity_scope = ActivityScope.OWN
    db.session.commit()
    return user


# Browser tests ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """Serve the app on 127.0.0.1 in a thread for the browser."""
    from werkzeug.serving import make_server

    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(chromium):
        pytest.fail(f"Chromium not found at {chromium}; run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    except Exception:
        pass
    context.close()


# Essays: an open competition, and counters that show nothing is left behind ---------


@pytest.fixture
def make_competition(db, organiser):
    from essays import competitions

    counter = {"n": 0}

    def make(**kw):
        counter["n"] += 1
        status = kw.pop("status", "open")
        fields = dict(
            code=kw.pop("code", f"ZW{2025 + counter['n']}"),
            title=kw.pop("title", "弘扬爱国奋斗精神征文"),
            theme="建功立业新时代",
            notice_html="<p>征文通知</p>",
            organisers=[{"role": "主办", "name": "区委宣传部"}],
            opens_at=now() - dt.timedelta(days=1),
            closes_at=now() + dt.timedelta(days=10),
            grace_minutes=0,
            max_entries_per_author=2,
            unit_recommendation_enabled=True,
            unit_quota=1,
            accepted_formats=["text", "docx", "pdf", "txt"],
            max_file_mb=2,
            pledge_text="本人承诺作品为原创。",
            review_threshold=0.5,
            copy_threshold=0.8,
        )
        fields.update(kw)
        genres = fields.pop(
            "genres",
            [
                {"name": "散文", "min_length": 20, "max_length": 3000, "count_rule": "word"},
                {"name": "诗歌", "min_length": None, "max_length": 60, "count_rule": "han"},
            ],
        )
        groups = fields.pop("groups", [{"name": "成人组"}, {"name": "青少年组"}])
        comp = competitions.create_competition(actor=organiser, genres=genres, groups=groups, **fields)
        if status != "draft":
            competitions.change_status(comp, "open", actor=organiser)
        db.session.commit()
        return comp

    return make


@pytest.fixture
def comp(make_competition):
    return make_competition()


@pytest.fixture
def storage_state(app, db):
    """(stored_files rows, files on disk) — to check nothing is left behind."""
    from sqlalchemy import func, select

    from core.storage import StoredFile

    def state():
        root = app.config["STORAGE_PATH"]
        files = 0
        for _dir, _sub, names in os.walk(root):
            files += sum(1 for n in names if not n.startswith(".tmp-"))
        db.session.expire_all()
        return db.session.scalar(select(func.count(StoredFile.id))), files

    return state


@pytest.fixture
def counts(db):
    from sqlalchemy import func, select

    from essays.models import Submission

    def get():
        db.session.expire_all()
        return db.session.scalar(select(func.count(Submission.id)))

    return get


# Publishing: a result set with a registered winner, in each state -------------------


@pytest.fixture
def winner(make_user, make_unit):
    return make_user(
        "author", unit=make_unit(name="区教育局"), phone=WINNER_PHONE, email=WINNER_EMAIL, display_name="李秀英"
    )


@pytest.fixture
def draft(db, organiser, winner):
    return import_honours(db, organiser, winner)


@pytest.fixture
def on_notice(db, draft, organiser):
    from publishing.clock import today_local
    from publishing.notice import start_notice

    start_notice(
        draft,
        start=today_local(),
        length=5,
        unit="working",
        how_to_object="实名来电 0913-2123456",
        actor=organiser,
    )
    db.session.commit()
    return draft


@pytest.fixture
def published(db, draft, organiser):
    from publishing.certificates import issue_certificates
    from publishing.demo import replay_closed_notice
    from publishing.results import publish_results

    replay_closed_notice(draft, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    publish_results(draft, organiser)
    issue_certificates(draft, organiser)
    db.session.commit()
    return draft

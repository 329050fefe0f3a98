"""Deadline rush: 200 authors submit in the last seconds before a deadline.

Starts the app under gunicorn (several workers) on SQLite and on PostgreSQL,
logs 200 authors in, sets the deadline a few seconds ahead, and fires every
submission at once (half typed text, half .docx), each sent twice as a
double click would. Then counts:

    BENCH deadline_rush_<db> lost=<n> duplicates=<n> errors_5xx=<n> locked=<n>
    BENCH deadline_rush_<db>_throughput submit_rps=<x> bare_rps=<y> ratio=<r>

lost: an author who got a receipt without a stored entry, or whose request
was sent before the deadline but got no receipt. duplicates: more entries
than authors who submitted, or two receipts for one form. The ratio compares
submissions per second with a bare INSERT route served by the same gunicorn
in the same run (goal ≥ 0.25).

Usage: .venv/bin/python bench/deadline_rush.py [sqlite|postgresql ...]
"""
from __future__ import annotations

import datetime as dt
import http.cookiejar
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

AUTHORS = 200
WORKERS = 4
THREADS = 2
PASSWORD = "Deadline-Rush-2026"
PG_DB = "zp_bench_rush"
TEXT = "渭河两岸的春天来得格外早，桃花开满了山坡，农民们忙着春耕，孩子们在田埂上奔跑嬉戏。"


# Server --------------------------------------------------------------------------

WSGI_MODULE = '''
"""The app plus a bare INSERT route at /bench-bare, for the throughput ratio."""
from sqlalchemy import text
from core import create_app
from core.extensions import db

app = create_app()


def bare(environ, start_response):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(size).decode("utf-8", "replace").replace("\\x00", "")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_bare (payload) VALUES (:p)"), {"p": body})
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench-bare":
        return bare(environ, start_response)
    return app(environ, start_response)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict) -> dict:
    """Migrate, create authors and an open competition; return ids."""
    os.environ.update(env)
    from accounts.models import Role, User, UserRole
    from accounts.services import hash_password
    from core import create_app
    from core.extensions import db
    from essays import services
    from flask_migrate import upgrade
    from sqlalchemy import text

    app = create_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=os.path.join(ROOT, "migrations"))
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_bare (id SERIAL PRIMARY KEY, payload TEXT)"
                              if db.engine.dialect.name == "postgresql"
                              else "CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, payload TEXT)"))
        password_hash = hash_password(PASSWORD)
        organiser = User(username="org", display_name="组织者", password_hash=password_hash)
        organiser.role_rows = [UserRole(role=Role.ORGANISER)]
        db.session.add(organiser)
        for n in range(AUTHORS):
            user = User(username=f"a{n}", display_name=f"作者{n}", password_hash=password_hash,
                        email=f"a{n}@bench.cn")
            user.role_rows = [UserRole(role=Role.AUTHOR)]
            db.session.add(user)
        db.session.flush()
        now = dt.datetime.now(dt.timezone.utc)
        comp = services.create_competition(
            actor=organiser, code="ZW2099", title="截止冲刺", opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(hours=1), max_entries_per_author=1, max_file_mb=5,
            accepted_formats=["text", "docx"], genres=[{"name": "散文", "max_length": 5000}], groups=[])
        services.change_status(comp, "open", actor=organiser)
        db.session.commit()
        ids = {"competition": comp.id, "genre": comp.genres[0].id}
        db.session.remove()
        db.engine.dispose()
    return ids


def set_deadline(env: dict, competition_id: int, closes_at: dt.datetime) -> None:
    from core import create_app
    from core.extensions import db
    from essays.models import Competition

    os.environ.update(env)
    app = create_app()
    with app.app_context():
        db.session.get(Competition, competition_id).closes_at = closes_at
        db.session.commit()
        db.engine.dispose()


def count_results(env: dict, competition_id: int) -> tuple[dict[str, int], int, int]:
    from sqlalchemy import func, select, text

    from core import create_app
    from core.extensions import db
    from essays.models import Submission

    os.environ.update(env)
    app = create_app()
    with app.app_context():
        per_author = dict(db.session.execute(
            select(Submission.author_id, func.count(Submission.id)).where(
                Submission.competition_id == competition_id, Submission.status == "submitted")
            .group_by(Submission.author_id)).all())
        receipts = set(db.session.scalars(select(Submission.receipt_number).where(
            Submission.competition_id == competition_id, Submission.receipt_number.is_not(None))))
        bare = db.session.execute(text("SELECT count(*) FROM bench_bare")).scalar()
        db.engine.dispose()
    return {r: 1 for r in receipts}, sum(per_author.values()), bare


# Client --------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def fetch(op, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with op.open(request, timeout=120) as r:
            return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), dict(e.headers)


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    return m.group(1) if m else ""


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (name, data, ctype) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                  f'Content-Type: {ctype}\r\n\r\n'.encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Author:
    def __init__(self, n: int, base: str, ids: dict):
        self.n, self.base, self.ids = n, base, ids
        self.op = opener()
        self.results: list[tuple[int, str]] = []
        self.sent_at = None

    def login(self):
        _, html, _ = fetch(self.op, self.base + "/login")
        body = urllib.parse.urlencode({"login": f"a{self.n}", "password": PASSWORD,
                                       "csrf_token": hidden(html, "csrf_token")}).encode()
        status, _, _ = fetch(self.op, self.base + "/login", body,
                             {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"login failed for a{self.n}: {status}"
        _, html, _ = fetch(self.op, f"{self.base}/essays/c/{self.ids['competition']}/submit")
        fields = {"csrf_token": hidden(html, "csrf_token"), "token": hidden(html, "token"),
                  "title": f"作品{self.n}", "genre_id": str(self.ids["genre"]), "pledge": "y"}
        files = {}
        unique = f"第{self.n}号作者的作品，编号{uuid.uuid4().hex[:8]}。"
        if self.n % 2:
            import docx

            document = docx.Document()
            for _ in range(8):
                document.add_paragraph(unique + TEXT)
            buf = io.BytesIO()
            document.save(buf)
            fields["body"] = ""
            files["upload"] = (f"作品{self.n}.docx", buf.getvalue(),
                               "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        else:
            fields["body"] = (unique + TEXT) * 8
        self.payload, self.ctype = multipart(fields, files)

    def submit(self):
        self.sent_at = time.time()
        url = f"{self.base}/essays/c/{self.ids['competition']}/submit"
        for _ in range(2):  # a double click sends the same form twice
            try:
                status, _, headers = fetch(self.op, url, self.payload, {"Content-Type": self.ctype})
                self.results.append((status, headers.get("Location", "")))
            except Exception as exc:  # connection reset etc.
                self.results.append((599, repr(exc)))


def run_threads(fns):
    threads = [threading.Thread(target=fn) for fn in fns]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.time() - start


def bare_run(base: str, payloads: list[bytes]) -> float:
    def one(p):
        def go():
            request = urllib.request.Request(base + "/bench-bare", data=p)
            with urllib.request.urlopen(request, timeout=60) as r:
                r.read()
        return go
    return run_threads([one(p) for p in payloads])


# One database ---------------------------------------------------------------------

def run(db_kind: str) -> None:
    tmp = tempfile.mkdtemp(prefix="zp-rush-")
    if db_kind == "postgresql":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", PG_DB], check=False)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", PG_DB], check=True)
        url = f"postgresql://root@127.0.0.1:5432/{PG_DB}"
    else:
        url = f"sqlite:///{tmp}/rush.db"
    env = {"DATABASE_URL": url, "ZP_INSTANCE_PATH": tmp, "JOBS_DB": f"{tmp}/jobs.db",
           "STORAGE_PATH": f"{tmp}/storage", "SECRET_KEY": "bench-secret",
           "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "8192", "ARGON2_PARALLELISM": "1",
           "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute", "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute"}
    server = None
    try:
        ids = prepare_database(env)
        with open(os.path.join(tmp, "rush_wsgi.py"), "w") as fh:
            fh.write(WSGI_MODULE)
        port = free_port()
        log_path = os.path.join(tmp, "gunicorn.log")
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "--chdir", tmp, "--pythonpath", ROOT,
             "-w", str(WORKERS), "-k", "gthread", "--threads", str(THREADS), "-b", f"127.0.0.1:{port}",
             "--timeout", "120", "--error-logfile", log_path, "rush_wsgi:application"],
            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except Exception:
                time.sleep(0.2)
        authors = [Author(n, base, ids) for n in range(AUTHORS)]
        # Log in 20 at a time (not part of the rush).
        for i in range(0, AUTHORS, 20):
            run_threads([a.login for a in authors[i:i + 20]])
        deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=8)
        set_deadline(env, ids["competition"], deadline)
        wait = (deadline - dt.datetime.now(dt.timezone.utc)).total_seconds() - 5
        if wait > 0:
            time.sleep(wait)  # fire in the last seconds before the deadline
        elapsed = run_threads([a.submit for a in authors])
        bare_elapsed = bare_run(base, [a.payload for a in authors])
        receipts, stored, bare_rows = count_results(env, ids["competition"])

        deadline_ts = deadline.timestamp()
        lost = duplicates = errors = 0
        for a in authors:
            statuses = [s for s, _ in a.results]
            errors += sum(1 for s in statuses if s >= 500)
            locations = {loc for s, loc in a.results if s == 302 and "/receipt" in loc}
            if len(locations) > 1:
                duplicates += len(locations) - 1
            if not locations and a.sent_at < deadline_ts:
                lost += 1
        got_receipt = sum(1 for a in authors if any(s == 302 for s, _ in a.results))
        duplicates += max(0, stored - got_receipt)
        lost += max(0, got_receipt - stored)
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            locked = fh.read().count("database is locked")
        submit_rps = AUTHORS / elapsed
        bare_rps = bare_rows / bare_elapsed if bare_elapsed else 0
        print(f"BENCH deadline_rush_{db_kind} lost={lost} duplicates={duplicates} errors_5xx={errors} "
              f"locked={locked}")
        print(f"BENCH deadline_rush_{db_kind}_throughput submit_rps={submit_rps:.1f} bare_rps={bare_rps:.1f} "
              f"ratio={submit_rps / bare_rps if bare_rps else 0:.2f} stored={stored} receipts={len(receipts)}")
        sys.stdout.flush()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if db_kind == "postgresql":
            from core.extensions import db  # noqa: F401  (engines already disposed)

            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", PG_DB], check=False)
        if os.environ.get("ZP_BENCH_KEEP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> None:
    kinds = argv or ["sqlite", "postgresql"]
    for kind in kinds:
        # Each database in its own process: the app reads its settings from the environment once.
        if len(kinds) > 1:
            subprocess.run([sys.executable, __file__, kind], check=False)
        else:
            run(kind)


if __name__ == "__main__":
    main(sys.argv[1:])

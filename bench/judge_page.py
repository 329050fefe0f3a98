"""Judge pages under load: 20 judges at once over HTTP, each opening their queue and entries.

The app runs under gunicorn (several sync workers) on 127.0.0.1, as in
production; a separate client process drives 20 signed-in judges with one
thread each, so the numbers are the server's (no GIL shared with the client).
Each judge has 150 of 1,000 entries. Prints p50/p95 BENCH lines per page and
the p95/p50 ratio (goal ≤ 2).

Usage: .venv/bin/python -m bench.judge_page [sqlite|postgresql ...]
(PostgreSQL uses a throwaway database zp_bench_judge_page on 127.0.0.1, or
BENCH_DATABASE_URL, which is wiped.)
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSWORD = "Bench-Password-2026"
PG_DB = "zp_bench_judge_page"
WORKERS = 4
TIME_LIMIT = 45.0  # seconds for the measured phase; the run stops early rather than run long


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, n_judges: int, n_entries: int, k: int) -> tuple[int, list[str]]:
    """Migrate a fresh database, add judges, entries and an open round with assignments.

    Returns the round id and the judges' user names.
    """
    os.environ.update(env)
    from sqlalchemy import text

    from accounts.services import hash_password
    from bench._setup import fresh_schema, populate
    from core import create_app
    from core.extensions import db
    from judging import assign_services, round_services

    app = create_app()
    with app.app_context():
        fresh_schema()
        round_ = populate(n_entries, n_judges, 10, k, password_hash=hash_password(PASSWORD))
        assign_services.assign_judges(round_, actor=None)
        round_services.open_round(round_, actor=None)
        db.session.commit()
        round_id = round_.id
        usernames = list(
            db.session.execute(
                text(
                    "SELECT u.username FROM users u JOIN judging_round_judges rj ON rj.user_id = u.id "
                    "WHERE rj.round_id = :r ORDER BY u.id"
                ),
                {"r": round_id},
            ).scalars()
        )
        db.session.remove()
        db.engine.dispose()
    return round_id, usernames


class Browser:
    """One judge's cookies over http.client; a new connection per request (sync workers close it)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()


def _token(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return m.group(1) if m else ""


def client_process(port: int, round_id: int, usernames: list[str], requests_per_judge: int, pipe) -> None:
    """Sign every judge in, then all at once: queue, entry, entry, queue, ... Sends back latencies."""
    browsers: dict[str, tuple[Browser, list[str]]] = {}

    def sign_in(username: str) -> None:
        b = Browser(port)
        _, html = b.request("GET", "/login")
        body = urllib.parse.urlencode({"login": username, "password": PASSWORD, "csrf_token": _token(html)})
        status, _ = b.request("POST", "/login", body.encode())
        assert status == 302, f"login failed for {username}: {status}"
        status, html = b.request("GET", f"/judging/my/{round_id}")
        codes = re.findall(rf'/judging/my/{round_id}/e/([A-Z0-9]+)"', html)
        assert status == 200 and codes, (username, status)
        browsers[username] = (b, codes)

    threads = [threading.Thread(target=sign_in, args=(u,)) for u in usernames]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies: dict[str, list[float]] = {"queue": [], "entry": []}
    errors: list[tuple[str, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(usernames))
    stop_at = [0.0]

    def judge(username: str) -> None:
        b, codes = browsers[username]
        barrier.wait()
        mine: dict[str, list[float]] = {"queue": [], "entry": []}
        for i in range(requests_per_judge):
            if time.perf_counter() > stop_at[0]:
                break
            kind, path = (
                ("queue", f"/judging/my/{round_id}")
                if i % 3 == 0
                else ("entry", f"/judging/my/{round_id}/e/{codes[i % len(codes)]}")
            )
            start = time.perf_counter()
            status, _ = b.request("GET", path)
            mine[kind].append(time.perf_counter() - start)
            if status != 200:
                with lock:
                    errors.append((path, status))
        with lock:
            for kind, values in mine.items():
                latencies[kind].extend(values)

    stop_at[0] = time.perf_counter() + TIME_LIMIT
    started = time.perf_counter()
    threads = [threading.Thread(target=judge, args=(u,)) for u in usernames]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pipe.send((latencies, errors, time.perf_counter() - started))


def run(db_kind: str, n_judges: int = 20, n_entries: int = 1000, k: int = 3, requests_per_judge: int = 30) -> None:
    tmp = tempfile.mkdtemp(prefix="zp-judge-page-")
    if db_kind == "postgresql":
        url = os.environ.get("BENCH_DATABASE_URL")
        if not url:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", PG_DB], check=False)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", PG_DB], check=True)
            url = f"postgresql://root@127.0.0.1:5432/{PG_DB}"
    else:
        url = f"sqlite:///{tmp}/judge_page.db"
    env = {
        "DATABASE_URL": url,
        "ZP_INSTANCE_PATH": tmp,
        "JOBS_DB": f"{tmp}/jobs.db",
        "STORAGE_PATH": f"{tmp}/storage",
        "SECRET_KEY": "bench-secret",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8192",
        "ARGON2_PARALLELISM": "1",
        "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
    }
    ctx = mp.get_context("spawn")  # a clean client process: no app, no database handles
    server = None
    created = db_kind == "postgresql" and not os.environ.get("BENCH_DATABASE_URL")
    try:
        round_id, usernames = prepare(env, n_judges, n_entries, k)
        port = free_port()
        server = subprocess.Popen(
            [
                os.path.join(ROOT, ".venv/bin/gunicorn"),
                "--chdir",
                ROOT,
                "--preload",
                "-w",
                str(WORKERS),
                "-k",
                "sync",
                "--backlog",
                "2048",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--error-logfile",
                os.path.join(tmp, "gunicorn.log"),
                "core:create_app()",
            ],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(150):
            try:
                Browser(port).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        parent, child = ctx.Pipe()
        client = ctx.Process(target=client_process, args=(port, round_id, usernames, requests_per_judge, child))
        client.start()
        latencies, errors, elapsed = parent.recv()
        client.join(timeout=10)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        if created:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", PG_DB], check=False)
    if errors:
        print(f"# {len(errors)} failed requests, first: {errors[0]}")
    total = sum(len(v) for v in latencies.values())
    for kind, values in latencies.items():
        values.sort()
        p50 = statistics.median(values) * 1000
        p95 = values[int(0.95 * (len(values) - 1))] * 1000
        print(f"BENCH judge_page_{db_kind}_{kind}_p50_{n_judges}_concurrent {p50:.1f} ms")
        print(
            f"BENCH judge_page_{db_kind}_{kind}_p95_{n_judges}_concurrent {p95:.1f} ms "
            f"ratio={p95 / p50:.2f} vs judge_page_{db_kind}_{kind}_p50_{n_judges}_concurrent"
        )
    print(
        f"# {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s), gunicorn {WORKERS} sync workers, "
        f"{os.cpu_count()} CPUs"
    )


def main() -> None:
    kinds = [a for a in sys.argv[1:] if a in ("sqlite", "postgresql")] or ["sqlite", "postgresql"]
    for kind in kinds:
        run(kind)


if __name__ == "__main__":
    main()

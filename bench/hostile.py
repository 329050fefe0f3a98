"""Hostile requests: memory per request, and sign-in latency while slow bodies are open.

1. Peak memory of one request, for each hostile case, measured in this
   process around one call of the app (the request body is built before the
   measurement): the high-water mark of the resident set (``VmHWM``, reset
   through ``/proc/self/clear_refs``) minus the resident set before.

   - zip_bomb: a 1 MB .docx whose ZIP directory declares a 2 MB
     ``word/document.xml`` that really holds 1 GB (CRC of the declared 2 MB);
   - zip_bomb_other_part: the same lie in ``word/styles.xml``, the part only
     the judge-copy job reads;
   - login_flood: a 19 MB urlencoded ``POST /login`` made of ``%XX`` escapes;
   - huge_xml_docx: a ~10 MB .docx with ~95 MB of document XML (6 million
     characters), under every size limit;
   - many_page_pdf: a 100,000-page PDF;
   - largest_accepted_docx (for reference, not hostile): 164,000 characters
     in 3 MB of XML, accepted, its judge copy made in the same request.

   ``BENCH hostile_<case>_peak_rss <MiB> MiB goal<=200 status=<http status>``

2. Sign-in latency for a normal user, idle and while ten authenticated
   autosave requests send their bodies one byte every two seconds, against
   the app under gunicorn on 127.0.0.1 (gthread workers: a slow body holds a
   thread, never the database). Goal: p95 under slow bodies ≤ 1.5 × idle.

   ``BENCH signin_p95_under_slow_bodies <ms> ms ratio=<x> vs idle (idle p95 <ms> ms)``

Runs on SQLite and PostgreSQL (a throwaway database ``zp_bench_hostile`` is
created and dropped), or on ``BENCH_DATABASE_URL`` alone when it is set (that
database is wiped).

Usage: .venv/bin/python -m bench.hostile [sqlite|postgresql ...]
"""

from __future__ import annotations

import gc
import http.client
import io
import os
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zipfile
import zlib

from bench._setup import hidden, multipart

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PG_DB = "zp_bench_hostile"
PASSWORD = "Hostile-Bench-2026"
SLOW_BODIES = 10
SIGNINS = 40
GOAL_MIB = 200
MiB = 1024 * 1024


# Hostile files -------------------------------------------------------------------


def _base_docx_parts() -> dict[str, bytes]:
    import docx

    document = docx.Document()
    document.add_paragraph("渭河两岸的春天来得格外早，桃花开满了山坡。" * 3)
    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lying_docx(part: str, real: int = 1024 * MiB, declared: int = 2 * MiB) -> bytes:
    """The .docx with ``part`` declaring ``declared`` bytes but inflating to ``real``."""
    parts = {name: content for name, content in _base_docx_parts().items() if name != part}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=False) as member:  # streamed: never 1 GB in memory
            chunk = bytes(MiB)
            for _ in range(real // MiB):
                member.write(chunk)
    data = bytearray(out.getvalue())
    crc = zlib.crc32(bytes(declared))
    name = part.encode()
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == name:
            struct.pack_into("<L", data, central + 16, crc)
            struct.pack_into("<L", data, central + 24, declared)
            local = struct.unpack_from("<L", data, central + 42)[0]
            struct.pack_into("<L", data, local + 14, crc)
            struct.pack_into("<L", data, local + 22, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def huge_xml_docx(xml_bytes: int = 95 * MiB) -> bytes:
    """A .docx of heavily formatted paragraphs of random common characters."""
    rnd = random.Random(7)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    run_head = (
        '<w:r><w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:eastAsia="仿宋_GB2312" w:hAnsi="仿宋_GB2312"/>'
        '<w:color w:val="000000"/><w:kern w:val="0"/><w:sz w:val="32"/><w:szCs w:val="32"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr><w:t>'
    )
    pieces = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>']
    size = len(pieces[0])
    while size < xml_bytes:
        paragraph = (
            '<w:p><w:pPr><w:spacing w:line="560" w:lineRule="exact"/><w:ind w:firstLine="640"/></w:pPr>'
            + run_head
            + "".join(rnd.choices(alphabet, k=20))
            + "</w:t></w:r></w:p>"
        )
        pieces.append(paragraph)
        size += len(paragraph.encode())
    pieces.append("</w:body></w:document>")
    parts = _base_docx_parts()
    parts["word/document.xml"] = "".join(pieces).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def many_page_pdf(pages: int = 100_000) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


# Database and app ------------------------------------------------------------------


def prepare_database(env: dict) -> dict:
    """Migrate; an author, a sign-in user and an open competition taking 20 MB files."""
    import datetime as dt

    os.environ.update(env)
    from accounts.models import Role, User, UserRole
    from accounts.services import hash_password
    from bench._setup import fresh_schema
    from core import create_app
    from core.extensions import db
    from essays import competitions

    app = create_app()
    with app.app_context():
        fresh_schema()
        password_hash = hash_password(PASSWORD)
        organiser = User(username="org", display_name="组织者", password_hash=password_hash)
        organiser.role_rows = [UserRole(role=Role.ORGANISER)]
        db.session.add(organiser)
        for name in ["author"] + [f"slow{n}" for n in range(SLOW_BODIES)] + ["reader"]:
            user = User(username=name, display_name=name, password_hash=password_hash)
            user.role_rows = [UserRole(role=Role.AUTHOR)]
            db.session.add(user)
        db.session.flush()
        now = dt.datetime.now(dt.timezone.utc)
        comp = competitions.create_competition(
            actor=organiser,
            code="ZW2098",
            title="恶意请求",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(hours=2),
            max_entries_per_author=100,
            max_file_mb=20,
            accepted_formats=["text", "docx", "pdf", "txt"],
            genres=[{"name": "散文"}],
            groups=[],
        )
        competitions.change_status(comp, "open", actor=organiser)
        db.session.commit()
        ids = {"competition": comp.id, "genre": comp.genres[0].id}
        db.session.remove()
        db.engine.dispose()
    return ids


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def hostile_cases(ids: dict):
    """(case, build) where build() returns (path, body, content type)."""
    submit = f"/essays/c/{ids['competition']}/submit"
    fields = {"title": "测试", "genre_id": str(ids["genre"]), "pledge": "y", "body": "", "token": ""}
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def upload(name, build, ctype):
        def make():
            fields["token"] = uuid.uuid4().hex
            return (submit, *multipart(fields, {"upload": (name, build(), ctype)}))

        return make

    return [
        ("zip_bomb", upload("作品.docx", lambda: lying_docx("word/document.xml"), docx_type)),
        ("zip_bomb_other_part", upload("作品.docx", lambda: lying_docx("word/styles.xml"), docx_type)),
        ("login_flood", lambda: ("/login", b"login=" + b"%E4" * (19 * MiB // 3), "application/x-www-form-urlencoded")),
        ("huge_xml_docx", upload("作品.docx", huge_xml_docx, docx_type)),
        ("many_page_pdf", upload("作品.pdf", many_page_pdf, "application/pdf")),
        # For reference: the largest kind of file that is accepted (164,000 characters), judge copy included.
        ("largest_accepted_docx", upload("作品.docx", lambda: huge_xml_docx(3 * MiB), docx_type)),
    ]


def measure_memory(ids: dict, env: dict, tmp: str) -> None:
    """Each case in a fresh process that reads the body from a file: nothing but the app's own
    work can raise its resident set."""
    for case, make in hostile_cases(ids):
        path, body, ctype = make()
        body_file = os.path.join(tmp, f"{case}.body")
        with open(body_file, "wb") as fh:
            fh.write(body)
        size = len(body)
        del body
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.hostile",
                "--one",
                case,
                body_file,
                ctype,
                path,
                str(ids["competition"]),
                str(ids["genre"]),
                str(size),
            ],
            env={**os.environ, **env},
            cwd=ROOT,
            check=False,
        )
        os.unlink(body_file)


def measure_one(case: str, body_file: str, ctype: str, path: str, competition: str, genre: str, size: str) -> None:
    from werkzeug.test import EnvironBuilder

    from core import create_app

    app = create_app({"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    login = client.post("/login", data={"login": "author", "password": PASSWORD})
    assert login.status_code == 302, login.status_code
    cookie = f"session={client.get_cookie('session').value}"
    # A normal submission first, so that the baseline includes warmed-up code.
    client.post(
        f"/essays/c/{competition}/submit",
        data={
            "title": "热身",
            "genre_id": genre,
            "pledge": "y",
            "token": uuid.uuid4().hex,
            "body": "春天来了，万物复苏。" * 10,
        },
    )
    with open(body_file, "rb") as stream:
        environ = EnvironBuilder(
            path=path,
            method="POST",
            input_stream=stream,
            content_type=ctype,
            content_length=int(size),
            headers={"Cookie": cookie},
        ).get_environ()
        gc.collect()
        can_reset = _reset_peak()
        before = _rss_kib("VmRSS")
        started = time.perf_counter()
        statuses = []
        result = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        seconds = time.perf_counter() - started
        peak = _rss_kib("VmHWM")
    extra = (peak - before) / 1024
    print(
        f"BENCH hostile_{case}_peak_rss {extra:.0f} MiB goal<={GOAL_MIB} "
        f"status={statuses[0].split()[0]} body={int(size) / MiB:.1f}MiB seconds={seconds:.2f}"
        + ("" if can_reset else " (peak not resettable: upper bound)")
    )
    sys.stdout.flush()


# Sign-in latency under slow bodies ----------------------------------------------------


class Browser:
    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, ctype=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if ctype:
            headers["Content-Type"] = ctype
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


def sign_in(port: int, username: str) -> tuple[Browser, float]:
    """Sign in; return the browser and the seconds the POST took."""
    browser = Browser(port)
    _, html = browser.request("GET", "/login")
    body = urllib.parse.urlencode(
        {"login": username, "password": PASSWORD, "csrf_token": hidden(html, "csrf_token")}
    ).encode()
    started = time.perf_counter()
    status, _ = browser.request("POST", "/login", body, "application/x-www-form-urlencoded")
    elapsed = time.perf_counter() - started
    if status != 302:
        return browser, float("inf")
    return browser, elapsed


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def slow_body(port: int, browser: Browser, competition_id: int, stop: threading.Event) -> None:
    _, html = browser.request("GET", f"/essays/c/{competition_id}/submit")
    token = hidden(html, "csrf_token")
    sock = socket.create_connection(("127.0.0.1", port))
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    head = (
        f"POST /essays/c/{competition_id}/autosave HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: {cookies}\r\nContent-Type: application/json\r\nX-CSRFToken: {token}\r\n"
        f"Content-Length: 100000\r\n\r\n"
    )
    try:
        sock.sendall(head.encode() + b'{"title": "')
        while not stop.wait(2.0):
            sock.sendall(b"x")
    except OSError:
        pass
    finally:
        sock.close()


def measure_signin(env: dict, ids: dict, tmp: str) -> None:
    port = _free_port()
    with open(os.path.join(tmp, "hostile_wsgi.py"), "w") as fh:
        fh.write(
            "from core import create_app\nfrom core.extensions import db\napplication = create_app()\n"
            "with application.app_context():\n    db.engine.dispose()\n"
        )
    server = subprocess.Popen(
        [
            os.path.join(ROOT, ".venv/bin/gunicorn"),
            "--chdir",
            tmp,
            "--pythonpath",
            ROOT,
            "--preload",
            "-w",
            "3",
            "-k",
            "gthread",
            "--threads",
            "8",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--error-logfile",
            os.path.join(tmp, "gunicorn.log"),
            "hostile_wsgi:application",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    stop = threading.Event()
    threads = []
    try:
        for _ in range(150):
            try:
                Browser(port).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(5):  # warm every worker
            sign_in(port, "reader")
        idle = [sign_in(port, "reader")[1] for _ in range(SIGNINS)]
        slow_browsers = [sign_in(port, f"slow{n}")[0] for n in range(SLOW_BODIES)]
        for browser in slow_browsers:
            thread = threading.Thread(target=slow_body, args=(port, browser, ids["competition"], stop), daemon=True)
            thread.start()
            threads.append(thread)
        time.sleep(3.0)  # every slow body is open and has sent a byte or two
        loaded = [sign_in(port, "reader")[1] for _ in range(SIGNINS)]
        idle_p95, loaded_p95 = p95(idle), p95(loaded)
        failed = sum(1 for x in loaded if x == float("inf"))
        print(
            f"BENCH signin_p95_under_slow_bodies {loaded_p95 * 1000:.0f} ms "
            f"ratio={loaded_p95 / idle_p95:.2f} vs idle (idle p95 {idle_p95 * 1000:.0f} ms, "
            f"median {statistics.median(idle) * 1000:.0f}/{statistics.median(loaded) * 1000:.0f} ms, "
            f"{SLOW_BODIES} slow bodies, failed={failed}) goal<=1.5"
        )
        sys.stdout.flush()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One database ---------------------------------------------------------------------


def run(db_kind: str) -> None:
    tmp = tempfile.mkdtemp(prefix="zp-hostile-")
    own_pg = False
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url and db_kind == "postgresql":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", PG_DB], check=False)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", PG_DB], check=True)
        url, own_pg = f"postgresql://root@127.0.0.1:5432/{PG_DB}", True
    elif not url:
        url = f"sqlite:///{tmp}/hostile.db"
    env = {
        "DATABASE_URL": url,
        "ZP_INSTANCE_PATH": tmp,
        "JOBS_DB": f"{tmp}/jobs.db",
        "STORAGE_PATH": f"{tmp}/storage",
        "SECRET_KEY": "bench-secret",
        "JOBS_IMMEDIATE": "1",
        "ARGON2_TIME_COST": "2",
        "ARGON2_MEMORY_COST": "19456",
        "ARGON2_PARALLELISM": "1",
        "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
    }
    try:
        print(f"== hostile requests on {db_kind}")
        ids = prepare_database(env)
        measure_memory(ids, env, tmp)
        measure_signin(env, ids, tmp)
    finally:
        if own_pg:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", PG_DB], check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        measure_one(*argv[1:])
        return
    kinds = argv or (["configured"] if os.environ.get("BENCH_DATABASE_URL") else ["sqlite", "postgresql"])
    for kind in kinds:
        # Each database in its own process: the app reads its settings from the environment once.
        if len(kinds) > 1:
            subprocess.run([sys.executable, "-m", "bench.hostile", kind], check=False, cwd=ROOT)
        else:
            run(kind)


if __name__ == "__main__":
    main(sys.argv[1:])

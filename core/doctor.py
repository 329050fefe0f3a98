"""``flask doctor``: is everything the app needs in place?"""

from __future__ import annotations

import ctypes.util
import os
import time
import uuid

from flask import current_app
from sqlalchemy import text

from core.extensions import db
from core.fonts import PDF_FONT_FAMILIES, font_file
from core.jobs import huey
from core.pdf import html_to_pdf
from core.storage import get_storage


def _check(echo, label: str, fn) -> bool:
    try:
        detail = fn()
    except Exception as exc:  # each check reports its own failure
        echo(f"[FAIL] {label}: {exc}")
        return False
    echo(f"[ OK ] {label}" + (f": {detail}" if detail else ""))
    return True


def check_fonts():
    missing = [f for f in PDF_FONT_FAMILIES if font_file(f) is None]
    if missing:
        raise RuntimeError(f"missing fonts {', '.join(missing)}; install with: apt-get install fonts-noto-cjk")
    return ", ".join(PDF_FONT_FAMILIES)


def check_harfbuzz_subset():
    name = ctypes.util.find_library("harfbuzz-subset")
    if not name:
        raise RuntimeError(
            "libharfbuzz-subset not found (PDFs with CJK fonts take ~10 s each); "
            "install with: apt-get install libharfbuzz-subset0"
        )
    return name


def check_pdf():
    started = time.perf_counter()
    pdf = html_to_pdf("<html><body style=\"font-family: 'Noto Serif CJK SC'\">荣誉证书 征评</body></html>")
    if not pdf.startswith(b"%PDF"):
        raise RuntimeError("WeasyPrint did not produce a PDF")
    import weasyprint

    return f"WeasyPrint {weasyprint.__version__}, CJK page in {1000 * (time.perf_counter() - started):.0f} ms"


def check_database():
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        try:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            raise RuntimeError("database has no schema; run: flask db upgrade") from None
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    if version not in heads:
        raise RuntimeError(f"schema at {version}, code expects {', '.join(heads)}; run: flask db upgrade")
    return f"{db.engine.dialect.name}, schema {version}"


def check_storage():
    store = get_storage()
    key = f"doctor/{uuid.uuid4().hex}"
    store.write(key, b"ok")
    if store.read(key) != b"ok":
        raise RuntimeError("storage read back different bytes")
    store.delete(key)
    return current_app.config["STORAGE_PATH"]


def check_queue():
    kind = type(huey.storage).__name__
    huey.storage.enqueued_items(limit=1)
    return f"{kind}, {huey.pending_count()} pending"


def check_chromium():
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            return path
    raise RuntimeError("Chromium not found (only needed for browser tests): apt-get install chromium")


CHECKS = [
    ("CJK fonts", check_fonts),
    ("HarfBuzz subsetting", check_harfbuzz_subset),
    ("PDF rendering", check_pdf),
    ("Database", check_database),
    ("File storage", check_storage),
    ("Job queue", check_queue),
]


def run(echo) -> bool:
    results = [_check(echo, label, fn) for label, fn in CHECKS]
    ok = all(results)
    _check(echo, "Chromium (browser tests only)", check_chromium)
    echo("All checks passed." if ok else "Some checks failed: see the lines marked FAIL.")
    return ok

"""PDF rendering, file storage, CLI, migrations, translations, time zones."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.storage import StoredFile, collect_garbage, get_storage, store_bytes

# PDF -------------------------------------------------------------------------


def _fonts(reader):
    names, embedded = set(), True
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            desc = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            desc = desc.get_object() if desc else {}
            embedded &= any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return names, embedded


def test_pdf_embeds_cjk_fonts_and_text_is_extractable(app_ctx):
    from core.pdf import html_to_pdf

    pdf = html_to_pdf("<p style=\"font-family: 'Noto Serif CJK SC'\">荣誉证书：李秀英同志荣获一等奖</p>")
    reader = PdfReader(io.BytesIO(pdf))
    assert "李秀英同志荣获一等奖" in reader.pages[0].extract_text().replace(" ", "")
    names, embedded = _fonts(reader)
    assert embedded and any("Noto-Serif-CJK-SC" in n for n in names)


def test_a_character_the_fonts_lack_is_an_error_not_tofu(app_ctx):
    from core.pdf import MissingGlyphError, html_to_pdf

    with pytest.raises(MissingGlyphError) as info:
        html_to_pdf("<p>王\U000f0001明</p>")
    assert info.value.chars == ["\U000f0001"]


def test_rare_name_characters_render(app_ctx):
    from core.pdf import html_to_pdf

    pdf = html_to_pdf("<p style=\"font-family: 'Noto Serif CJK SC'\">龘䶮堃昇淼</p>")
    assert "龘" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_pdf_fetcher_only_reaches_static_files(app_ctx):
    from core.pdf import STATIC_BASE, _fetcher_class

    fetcher = _fetcher_class()()
    ok = fetcher.fetch(STATIC_BASE + "img/logo.svg")
    assert ok.status == 200
    for url in ("http://127.0.0.1:5000/admin/users", "file:///etc/passwd", STATIC_BASE + "../core/config.py"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_batch_renders_one_document_and_splits_into_pages(app_ctx):
    from core.pdf import html_to_pdf, split_pages

    html = "".join(f'<section style="page-break-after: always">证书 {i}</section>' for i in range(4))
    pdf = html_to_pdf(html)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 4
    parts = split_pages(pdf)
    assert len(parts) == 4
    assert "证书 2" in PdfReader(io.BytesIO(parts[2])).pages[0].extract_text()


# Storage ---------------------------------------------------------------------


def _files_on_disk(app):
    root = Path(app.config["STORAGE_PATH"])
    return {p for p in root.rglob("*") if p.is_file()}


def test_stored_file_survives_commit(app, db):
    record = store_bytes(b"hello", content_type="text/plain", original_name="问候.txt")
    db.session.commit()
    assert get_storage().read(record.key) == b"hello"
    assert record.sha256 and record.size == 5


def test_rollback_deletes_the_file_it_wrote(app, db):
    before = _files_on_disk(app)
    record = store_bytes(b"temporary", content_type="text/plain")
    assert get_storage().exists(record.key)
    db.session.rollback()
    assert not get_storage().exists(record.key)
    assert _files_on_disk(app) == before
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_garbage_collection_removes_only_old_unreferenced_files(app, db):
    kept = store_bytes(b"kept", content_type="text/plain")
    db.session.commit()
    store = get_storage()
    store.write("ab/orphan.bin", b"left by a crash")
    old = dt.datetime.now().timestamp() - 7200
    os.utime(Path(app.config["STORAGE_PATH"]) / "ab/orphan.bin", (old, old))
    store.write("ab/fresh.bin", b"being written right now")
    removed = collect_garbage()
    assert removed == ["ab/orphan.bin"]
    assert store.exists(kept.key) and store.exists("ab/fresh.bin")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", ""])
def test_storage_refuses_keys_that_escape_the_folder(app_ctx, key):
    with pytest.raises(ValueError):
        get_storage().read(key)


# CLI ---------------------------------------------------------------------------


def test_seed_demo_creates_units_accounts_and_audit_entries(app):
    from accounts.models import User
    from core.audit import AuditEntry
    from core.extensions import db

    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Zhengping-2026" in result.output
    with app.app_context():
        usernames = set(db.session.scalars(select(User.username)))
        assert {"admin", "organiser", "coordinator", "judge", "committee", "author"} <= usernames
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"demo.seed", "demo.seed_user", "unit.create"} <= actions
    again = runner.invoke(args=["seed-demo"])
    assert "nothing seeded" in again.output and "Zhengping-2026" in again.output


def test_demo_accounts_can_sign_in(app, login):
    from accounts.models import User
    from core.extensions import db
    from core.seed import DEMO_PASSWORD

    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "organiser"))
    c = app.test_client()
    login(c, user, password=DEMO_PASSWORD)
    assert "王芳" in c.get("/").get_data(as_text=True)


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "boss", "--name", "负责人", "--password", "Mountain-View-5"]
    )
    assert result.exit_code == 0, result.output
    weak = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "boss2", "--name", "x", "--password", "12345678"]
    )
    assert weak.exit_code != 0


def test_doctor_is_green(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "[FAIL]" not in result.output and "HarfBuzz" in result.output


def test_backup_and_restore_round_trip(app, tmp_path, db):
    from accounts import services
    from accounts.models import Unit

    services.create_unit(name="备份前的单位", kind="other")
    record = store_bytes(b"manuscript", content_type="text/plain")
    db.session.commit()
    key = record.key
    runner = app.test_cli_runner()
    target = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    services.create_unit(name="备份后的单位", kind="other")
    db.session.commit()
    get_storage().delete(key)
    db.session.remove()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    names = set(db.session.scalars(select(Unit.name)))
    assert "备份前的单位" in names and "备份后的单位" not in names
    assert get_storage().read(key) == b"manuscript"


# Schema, translations, time ----------------------------------------------------


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == []


def test_every_string_has_a_chinese_translation():
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parent.parent / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert missing == []


def test_times_are_shown_in_shanghai(app_ctx):
    from core.i18n import format_dt, parse_local

    moment = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.timezone.utc)
    assert format_dt(moment) == "2027-01-01 00:30"
    assert parse_local(dt.datetime(2027, 1, 1, 0, 30)) == moment


def test_server_error_page_is_chinese_and_reveals_nothing(app):
    from core.errors_views import render_error

    with app.test_request_context("/essays/42"):
        body, code = render_error(500)
    assert code == 500 and "系统出现错误" in body and "Traceback" not in body
    with app.test_request_context("/api/v1/results"):
        body, code = render_error(404)
    assert code == 404 and body["error"]["code"] == 404

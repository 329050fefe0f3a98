"""Migration 0011: notices saved before Markdown keep showing; one typed as plain text gains its paragraphs."""

from __future__ import annotations

import datetime as dt
import os

import sqlalchemy as sa


def _filler(column):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.JSON):
        return []
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.Float):
        return 0.5
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    return "x"


def test_old_notices_are_kept_and_plain_ones_get_paragraphs(tmp_path):
    from flask_migrate import downgrade, upgrade

    from core import create_app
    from core.extensions import db

    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            # The job queue is one object too: keep the run's immediate mode.
            "JOBS_IMMEDIATE": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrate.db'}",
            "STORAGE_PATH": str(tmp_path / "storage"),
            # The limiter is one object shared by every app: keep the run's own storage.
            "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        }
    )
    with other.app_context():
        upgrade(revision="0010_nominations")
        table = sa.Table("competitions", sa.MetaData(), autoload_with=db.engine)
        rows = {
            "HTML1": '<p>旧通知</p><p onclick="x()">第二段</p>',
            "PLAIN1": "第一段。\n\n第二段。",
            "EMPTY1": "",
        }
        with db.engine.begin() as conn:
            for code, notice in rows.items():
                values = {c.name: _filler(c) for c in table.columns if not c.nullable and c.name != "id"}
                conn.execute(table.insert().values({**values, "code": code, "notice_html": notice}))
        upgrade()
        with db.engine.connect() as conn:
            query = sa.text("select code, notice_source, notice_format, notice_html from competitions")
            found = {r.code: r for r in conn.execute(query)}
        assert found["HTML1"].notice_format == "html" and found["HTML1"].notice_source == rows["HTML1"]
        assert found["HTML1"].notice_html == "<p>旧通知</p><p>第二段</p>"
        assert found["PLAIN1"].notice_format == "markdown"
        assert found["PLAIN1"].notice_html == "<p>第一段。</p>\n<p>第二段。</p>\n"
        assert found["EMPTY1"].notice_format == "markdown" and found["EMPTY1"].notice_html == ""
        assert "competition_notice_files" in sa.inspect(db.engine).get_table_names()

        downgrade(revision="0010_nominations")
        inspector = sa.inspect(db.engine)
        assert "competition_notice_files" not in inspector.get_table_names()
        assert "notice_source" not in {c["name"] for c in inspector.get_columns("competitions")}
        db.engine.dispose()

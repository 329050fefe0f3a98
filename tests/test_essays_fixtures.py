"""Shared fixtures for the essay tests (imported by the other test_essays_* files)."""
from __future__ import annotations

import datetime as dt
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

LONG_TEXT = "春风又绿渭河岸，我站在老城墙上眺望远方。十年前这里还是一片低矮的平房，如今高楼林立，街道整洁。" * 3


def now():
    return dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def make_competition(db, organiser):
    from essays import services

    counter = {"n": 0}

    def make(**kw):
        counter["n"] += 1
        status = kw.pop("status", "open")
        fields = dict(
            code=kw.pop("code", f"ZW{2025 + counter['n']}"), title=kw.pop("title", "弘扬爱国奋斗精神征文"),
            theme="建功立业新时代", notice_html="<p>征文通知</p>", organisers=[{"role": "主办", "name": "区委宣传部"}],
            opens_at=now() - dt.timedelta(days=1), closes_at=now() + dt.timedelta(days=10),
            grace_minutes=0, max_entries_per_author=2, unit_recommendation_enabled=True, unit_quota=1,
            accepted_formats=["text", "docx", "pdf", "txt"], max_file_mb=2, pledge_text="本人承诺作品为原创。",
            review_threshold=0.5, copy_threshold=0.8)
        fields.update(kw)
        genres = fields.pop("genres", [
            {"name": "散文", "min_length": 20, "max_length": 3000, "count_rule": "word"},
            {"name": "诗歌", "min_length": None, "max_length": 60, "count_rule": "han"},
        ])
        groups = fields.pop("groups", [{"name": "成人组"}, {"name": "青少年组"}])
        comp = services.create_competition(actor=organiser, genres=genres, groups=groups, **fields)
        if status != "draft":
            services.change_status(comp, "open", actor=organiser)
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


def form_token(html: str) -> str:
    m = re.search(r'name="token"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="token"', html)
    assert m, "no submission token in the form"
    return m.group(1)

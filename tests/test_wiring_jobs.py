"""The job worker and the queue: the worker imports no web page, the app's config
names the queue, and links that jobs build come from PUBLIC_BASE_URL."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WORKER_SCRIPT = r"""
import json, sys

import core.worker as worker  # what `huey_consumer core.worker.huey` imports

web = sorted(m for m in sys.modules if m.endswith(".routes") or m in ("core.views", "accounts.admin"))

from core.extensions import db
from core.jobs import Job, start_job

with worker.app.app_context():
    db.create_all()
    job_id = start_job("audit.export", "export", {"filters": {}}).id

# What the consumer does, outside any app context.
task = worker.huey.dequeue()
worker.huey.execute(task)

from core.urls import external_url

with worker.app.app_context():
    job = db.session.get(Job, job_id)
    link = external_url("essays.similarity_flags", competition_id=7)
    print(json.dumps({"web": web, "storage": type(worker.huey.storage).__name__, "status": str(job.status),
                      "rows": job.result.get("rows"), "file": bool(job.result_file_id), "link": link}))
"""


def test_the_worker_imports_no_web_page_and_runs_jobs(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "JOBS_DB", "JOBS_IMMEDIATE", "STORAGE_PATH")
    }
    env.update(ZP_INSTANCE_PATH=str(tmp_path), PUBLIC_BASE_URL="https://zp.example.org/zhengping", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["web"] == []
    assert seen["storage"] == "SqliteStorage"
    assert (tmp_path / "jobs.db").exists()
    assert seen["status"] == "done" and seen["rows"] == 0 and seen["file"]
    assert seen["link"] == "https://zp.example.org/zhengping/essays/manage/7/similarity"


@pytest.fixture
def restore_queue(app):
    yield
    from core import jobs

    jobs.init_app(app)


def _second_app(app, **config):
    from core import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "STORAGE_PATH": app.config["STORAGE_PATH"],
            # The limiter is one object shared by every app: keep the run's own storage.
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
            **config,
        }
    )


def test_the_queue_follows_the_app_config_not_the_environment(app, tmp_path, monkeypatch, restore_queue):
    from core.jobs import huey

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("JOBS_DB", str(tmp_path / "from-env.db"))
    _second_app(app, REDIS_URL=None, JOBS_DB=str(tmp_path / "queue" / "jobs.db"), JOBS_IMMEDIATE=False)
    assert huey.immediate is False
    assert type(huey.storage).__name__ == "SqliteStorage"
    assert huey.storage.filename == str(tmp_path / "queue" / "jobs.db")
    assert (tmp_path / "queue" / "jobs.db").exists() and not (tmp_path / "from-env.db").exists()

    _second_app(app, REDIS_URL="redis://127.0.0.1:6399/5", JOBS_IMMEDIATE=False)
    assert type(huey.storage).__name__ == "RedisStorage"
    assert huey.storage.conn.connection_pool.connection_kwargs["port"] == 6399

    _second_app(app, REDIS_URL=None, JOBS_DB=str(tmp_path / "queue" / "jobs.db"), JOBS_IMMEDIATE=True)
    assert huey.immediate is True and type(huey.storage).__name__ == "MemoryStorage"


def _run_job(app, db, kind: str, params: dict, user, public_base_url: str):
    """Run a job as a worker would (no request), with PUBLIC_BASE_URL set; the finished job."""
    from core.jobs import Job, execute_job

    job = Job(kind=kind, title=kind, params=params, created_by_id=user.id)
    db.session.add(job)
    db.session.commit()
    before = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = public_base_url
    try:
        execute_job(job.id)
    finally:
        app.config["PUBLIC_BASE_URL"] = before
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert str(job.status) == "done", job.error
    return job


def test_a_job_run_by_a_worker_links_to_its_page_under_the_public_address(app, db, organiser):
    """A worker has no request: the link on the finished job comes from PUBLIC_BASE_URL."""
    from core.db import utcnow
    from essays.models import Competition

    now = utcnow()
    comp = Competition(code="WIRE", title="征文", opens_at=now, closes_at=now + dt.timedelta(days=30))
    db.session.add(comp)
    db.session.flush()
    job = _run_job(app, db, "essays.similarity", {"competition_id": comp.id}, organiser, "https://zp.example.org")
    assert job.result["url"] == f"https://zp.example.org/essays/manage/{comp.id}/similarity"


def test_the_certificates_job_links_to_the_result_under_the_public_address(app, db, organiser):
    from publishing.demo import replay_closed_notice
    from publishing.results import HonourInput, import_honours, publish_results

    rs = import_honours(
        "competition",
        7,
        "征文活动",
        [HonourInput("first", "一等奖", "李秀英", "临渭区第二中学", "作品", "", 95, 1)],
        organiser,
        organiser="中共临渭区委宣传部",
    )
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="来电", actor=organiser)
    publish_results(rs, organiser)
    job = _run_job(
        app, db, "publishing.certificates", {"result_set_id": rs.id}, organiser, "https://zp.example.org/app"
    )
    assert job.result["url"] == f"https://zp.example.org/app/publishing/manage/{rs.id}"

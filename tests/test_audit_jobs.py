"""The audit log is append-only; background jobs report progress."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core import audit
from core.audit import AuditEntry, AuditImmutableError
from core.jobs import Job, JobStatus, job_handler, start_job


def test_audit_entries_cannot_be_changed_or_deleted(db, admin):
    entry = audit.record("test.action", admin, actor=admin, changes={"x": [1, 2]})
    db.session.commit()
    entry.action = "tampered"
    with pytest.raises(AuditImmutableError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditImmutableError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action == "test.action"


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ({"a": 1}, {"a": 1}, {}),
        ({"a": 1}, {"a": 2}, {"a": [1, 2]}),
        ({}, {"b": "x"}, {"b": [None, "x"]}),
        ({"roles": ["judge"]}, {"roles": ["judge", "author"]}, {"roles": [["judge"], ["judge", "author"]]}),
    ],
)
def test_audit_diff(before, after, expected):
    assert audit.diff(before, after) == expected


def test_audit_page_filters_and_refuses_other_roles(app, admin, organiser, author, make_user, login, db):
    make_user("judge", display_name="被审计的人")
    c = app.test_client()
    login(c, organiser)
    html = c.get("/audit?action=user.create").get_data(as_text=True)
    table = html[html.index("<table") :]  # the filters list every action
    assert "创建用户" in table and "创建单位" not in table
    html = c.get("/audit?object_type=units").get_data(as_text=True)
    table = html[html.index("<table") :]
    assert "创建单位" in table and "创建用户" not in table
    a = app.test_client()
    login(a, author)
    assert a.get("/audit").status_code == 403


def test_audit_export_runs_as_a_job_with_a_progress_bar(app, admin, login, post, db):
    c = app.test_client()
    login(c, admin)
    r = post(
        c,
        "/audit/export",
        {"action": "", "object_type": "", "actor": "", "q": "", "since": "", "until": ""},
        page="/audit",
    )
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page and "data-job-url" in page
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    status = c.get(f"/jobs/{job.id}.json").get_json()
    assert status["status"] == "done" and status["percent"] == 100 and status["download_url"]
    wb = load_workbook(io.BytesIO(c.get(status["download_url"]).data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "时间"
    assert any(row[2] == "user.create" for row in rows[1:])


def test_someone_elses_job_is_not_found(app, admin, make_user, login, db):
    job = Job(kind="audit.export", title="x", created_by_id=admin.id)
    db.session.add(job)
    db.session.commit()
    make_user("admin", username="admin-b")
    c = app.test_client()
    login(c, make_user("organiser"))
    assert c.get(f"/jobs/{job.id}").status_code == 404
    assert c.get(f"/jobs/{job.id}.json").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/jobs/{job.id}.json").status_code == 302


@job_handler("test.counting")
def _counting_job(ctx):
    seen = []
    for i in range(1, 6):
        ctx.progress(i, 5, f"step {i}")
        seen.append(ctx.job.percent)
    return {"seen": seen}


@job_handler("test.failing")
def _failing_job(ctx):
    ctx.progress(1, 4)
    raise RuntimeError("boom")


def test_job_progress_is_recorded_step_by_step(app, admin, db):
    job = start_job("test.counting", "counting", user=admin)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE
    assert job.result["seen"] == [20, 40, 60, 80, 100]


def test_a_failing_job_shows_its_error(app, admin, login, db):
    job = start_job("test.failing", "failing", user=admin)
    c = app.test_client()
    login(c, admin)
    status = c.get(f"/jobs/{job.id}.json").get_json()
    assert status["status"] == "failed" and "boom" in status["error"] and status["finished"]


def test_a_job_whose_worker_died_is_reported_as_interrupted(app, admin, login, db):
    import datetime as dt

    from core.db import utcnow
    from core.jobs import fail_stale_jobs

    now = utcnow()
    silent = Job(
        kind="audit.export",
        title="中断的任务",
        created_by_id=admin.id,
        status=JobStatus.RUNNING,
        started_at=now - dt.timedelta(hours=2),
        heartbeat_at=now - dt.timedelta(hours=1),
    )
    alive = Job(
        kind="audit.export",
        title="进行中的任务",
        created_by_id=admin.id,
        status=JobStatus.RUNNING,
        started_at=now - dt.timedelta(hours=2),
        heartbeat_at=now - dt.timedelta(minutes=1),
    )
    db.session.add_all([silent, alive])
    db.session.commit()
    assert fail_stale_jobs(now) == [silent.id]
    c = app.test_client()
    login(c, admin)
    status = c.get(f"/jobs/{silent.id}.json").get_json()
    assert status["status"] == "failed" and "重新发起" in status["error"]
    assert c.get(f"/jobs/{alive.id}.json").get_json()["status"] == "running"


def test_progress_reports_keep_a_job_alive(app, admin, db):
    job = start_job("test.counting", "counting", user=admin)
    db.session.expire_all()
    assert db.session.get(Job, job.id).heartbeat_at is not None

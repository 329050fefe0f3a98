"""The real job queue (SQLite locally, Redis when REDIS_URL is set) carries a
job from the page that starts it to a worker and back."""

import os

import pytest

from core.jobs import Job, JobStatus, huey, job_handler, start_job


@job_handler("test.queue_roundtrip")
def _roundtrip(ctx):
    ctx.progress(1, 2, "half")
    return {"echo": ctx.params["value"]}


@pytest.fixture
def real_queue():
    huey.immediate = False
    huey.flush()
    yield huey
    huey.flush()
    huey.immediate = True


def test_job_goes_through_the_real_queue(app, db, admin, real_queue):
    expected = "RedisStorage" if os.environ.get("REDIS_URL") else "SqliteStorage"
    assert type(real_queue.storage).__name__ == expected
    job = start_job("test.queue_roundtrip", "roundtrip", {"value": "征评"}, user=admin)
    assert db.session.get(Job, job.id).status == JobStatus.QUEUED
    assert real_queue.pending_count() == 1
    task = real_queue.dequeue()  # what the consumer does
    real_queue.execute(task)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.result == {"echo": "征评"} and job.percent == 100


def test_rate_limits_use_redis_when_configured(app):
    from core.extensions import limiter

    backend = type(limiter.storage).__name__
    assert backend == ("RedisStorage" if os.environ.get("REDIS_URL") else "MemoryStorage")

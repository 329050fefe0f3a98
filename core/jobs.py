"""Background jobs with progress, on Huey.

Huey runs with SQLite storage in the instance folder by default (no server to
start, so ``make run`` works alone) and with Redis when ``REDIS_URL`` is set
(several machines share one queue). Tests run it in immediate mode. The app
factory configures the queue from ``app.config`` (:func:`init_app`).

A ``Job`` row records what a person started and how far it got; the page that
started it polls ``/jobs/<id>.json`` and draws a progress bar. One Huey task,
``run_job``, looks up the job's kind in a registry of plain functions, so
feature packages register work with ``@job_handler("kind")`` in their
``jobs.py`` (core's own in ``core/tasks.py``) and never touch Huey themselves.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import os
import traceback
from typing import Callable

from flask import has_app_context
from flask_babel import gettext
from huey import Huey, crontab
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, str_enum, utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_

log = logging.getLogger(__name__)

FINISHED = N_("Finished")
STOPPED = N_("Stopped with an error")
WAITING = N_("Waiting to start")


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, 16), default=JobStatus.QUEUED)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    result_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Last sign of life from the worker (start, each progress report).
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    result_file = relationship("StoredFile")
    created_by = relationship("User")

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return max(0, min(100, round(100 * self.progress / self.total)))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def status_text(self) -> str:
        """What the job is doing, in words: a finished job says it finished, not its last step."""
        if self.status == JobStatus.DONE:
            return gettext(FINISHED)
        if self.status == JobStatus.FAILED:
            return gettext(STOPPED)
        if self.status == JobStatus.QUEUED and not self.message:
            return gettext(WAITING)
        return self.message


class JobContext:
    """Handed to a job function: report progress, attach the result."""

    def __init__(self, job: Job) -> None:
        self.job = job

    @property
    def params(self) -> dict:
        return self.job.params or {}

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        self.job.progress = done
        self.job.heartbeat_at = utcnow()
        if total is not None:
            self.job.total = total
        if message is not None:
            self.job.message = message[:255]
        # Progress is committed so the polling page sees it; job functions
        # commit their own work in steps that are safe to keep.
        db.session.commit()


_HANDLERS: dict[str, Callable[[JobContext], dict | None]] = {}
# Work the system queues by itself (the checks after a submission): the office's tools,
# never listed to the author or coordinator whose submission queued it.
INTERNAL_KINDS: set[str] = set()


def job_handler(kind: str, *, internal: bool = False):
    def register(fn):
        _HANDLERS[kind] = fn
        if internal:
            INTERNAL_KINDS.add(kind)
        return fn

    return register


# Built empty (in-memory, immediate) so that tasks can be declared at import
# time; ``init_app`` points it at the queue that ``app.config`` names.
huey = Huey("zhengping", immediate=True)
_queue_app = None


def init_app(app) -> None:
    """Configure the queue from ``app.config``: Redis when REDIS_URL is set,
    otherwise SQLite in JOBS_DB; JOBS_IMMEDIATE runs jobs at once, in process.

    The queue is one per process, so the app configured last is the one whose
    context a worker's tasks run in.
    """
    global _queue_app
    from huey.storage import RedisStorage, SqliteStorage

    if app.config.get("REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        path = app.config.get("JOBS_DB") or os.path.join(app.instance_path, "jobs.db")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey.immediate = False  # (the setter swaps the storage only when the mode changes)
    huey.storage = huey.create_storage()
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE"))  # in-memory storage when immediate
    _queue_app = app


def _app_for_worker():
    if _queue_app is None:
        raise RuntimeError("the job queue is not configured: create the app first (core.worker)")
    return _queue_app


@huey.task()
def run_job_task(job_id: int) -> None:
    if has_app_context():
        execute_job(job_id)
    else:
        with _app_for_worker().app_context():
            execute_job(job_id)


def execute_job(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None:
        log.warning("job %s vanished", job_id)
        return
    handler = _HANDLERS.get(job.kind)
    job.status = JobStatus.RUNNING
    job.started_at = job.heartbeat_at = utcnow()
    db.session.commit()
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        result = handler(JobContext(job))
        job = db.session.get(Job, job_id)
        job.result = result or {}
        job.status = JobStatus.DONE
        if job.total:
            job.progress = job.total
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:  # the page shows the error; the log keeps the trace
        db.session.rollback()
        log.exception("job %s failed", job_id)
        job = db.session.get(Job, job_id)
        job.status = JobStatus.FAILED
        job.error = exc.render() if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        job.result = {"trace": traceback.format_exc()[-4000:]}
        job.finished_at = utcnow()
        db.session.commit()


STALE_AFTER = dt.timedelta(minutes=30)
INTERRUPTED = N_("The work was interrupted (the server restarted or failed). Please start it again.")


def fail_stale_jobs(now: dt.datetime | None = None, stale_after: dt.timedelta = STALE_AFTER) -> list[int]:
    """Mark running jobs whose worker went silent (a crash, a restart) as failed.

    Huey removes a task from the queue when a worker takes it, so a worker that
    dies mid-task leaves its job "running" for ever. Handlers report progress
    at least every few seconds; half an hour of silence means the worker is
    gone. The person who started the job sees why and can start it again.
    """
    now = now or utcnow()
    cutoff = now - stale_after
    stale = db.session.scalars(
        select(Job).where(
            Job.status == JobStatus.RUNNING,
            or_(Job.heartbeat_at < cutoff, Job.heartbeat_at.is_(None) & (Job.started_at < cutoff)),
        )
    ).all()
    for job in stale:
        job.status = JobStatus.FAILED
        job.error = gettext(INTERRUPTED)
        job.message = ""
        job.finished_at = now
    db.session.commit()
    return [job.id for job in stale]


@huey.periodic_task(crontab(minute="*/10"))
def fail_stale_jobs_task() -> None:
    with _app_for_worker().app_context():
        fail_stale_jobs()


def every_minutes(minutes: int):
    """Run the decorated function every ``minutes`` in the worker, inside the app, then commit.

    For small periodic chores of other modules (e.g. e-mailing the outbox), which
    thus never touch Huey themselves.
    """

    def decorator(fn: Callable[[], object]):
        @huey.periodic_task(crontab(minute=f"*/{minutes}"), name=f"{fn.__module__}.{fn.__name__}")
        def task() -> None:
            with _app_for_worker().app_context():
                fn()
                db.session.commit()

        return fn

    return decorator


def start_job(kind: str, title: str, params: dict | None = None, *, user=None) -> Job:
    """Create the job row, commit it, and queue it. Call from a route or CLI."""
    job = Job(kind=kind, title=title[:200], params=params or {}, created_by_id=getattr(user, "id", None))
    db.session.add(job)
    db.session.commit()
    run_job_task(job.id)
    return job

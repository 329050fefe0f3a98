"""Database base class, column types and SQLite behaviour.

Timestamps are stored in UTC and come back timezone-aware on every backend.
On SQLite, WAL and a busy timeout are switched on, and write transactions begin
with ``BEGIN IMMEDIATE`` so that concurrent writers queue for the lock instead
of failing with "database is locked" when they upgrade a read lock.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import threading

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(cls, length: int = 20) -> Enum:
    """A column type for a StrEnum stored as its value in a VARCHAR.

    Not a native database enum: adding a state then needs no ALTER TYPE, and
    the stored text is the readable value ("submitted"), not the member name.
    """
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(dt.timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def _begin_mode() -> str:
    """IMMEDIATE for anything that may write; plain BEGIN for page reads."""
    from flask import has_request_context, request

    if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


class WriteLockTimeout(TimeoutError):
    """Waited too long for the database write lock (the page answers 503)."""


class WriterQueue:
    """One writer at a time across threads and processes, handed over at once.

    SQLite's own busy handler makes a waiting writer sleep in growing steps
    (up to 100 ms) even when the lock was freed a moment after it started
    waiting; with a dozen writers at a deadline that turns into a convoy. An
    advisory file lock taken before ``BEGIN IMMEDIATE`` queues writers in the
    kernel and wakes the next one as soon as the previous commits. SQLite's
    busy timeout stays as the safety net for writers outside this app (the
    CLI in another process, a backup).
    """

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = os.getpid()

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # reopen after fork (gunicorn)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        if not self._thread_lock.acquire(timeout=self.timeout):
            raise WriteLockTimeout("timed out waiting for the database write lock")
        try:
            fd = self._file()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                # Another process writes: wait in the kernel, woken the moment
                # it lets go. A process that dies releases its lock; a
                # connection returned to the pool or closed releases it too
                # (see the pool events in configure_sqlite).
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


def engine_options(config) -> dict:
    """Engine options with connect and statement timeouts for PostgreSQL.

    Without them a database behind a firewall that silently drops packets
    makes every request wait for ever. ``connect_timeout`` bounds connecting,
    ``statement_timeout`` bounds each statement on the server, and TCP
    keepalives with ``tcp_user_timeout`` notice a peer that vanished while a
    statement was running. A timed-out request becomes the 503 page.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if url.startswith("postgresql"):
        connect = max(2, int(config.get("DATABASE_CONNECT_TIMEOUT") or 5))  # libpq's minimum is 2
        statement = int(config.get("DATABASE_STATEMENT_TIMEOUT") or 0)
        args = {
            "connect_timeout": connect,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
        if statement > 0:
            args["options"] = f"-c statement_timeout={statement * 1000}"
            # Unacknowledged data (the server went away mid-statement).
            args["tcp_user_timeout"] = (statement + connect) * 1000
        args.update(options.get("connect_args") or {})
        options["connect_args"] = args
        options.setdefault("pool_timeout", connect + statement if statement > 0 else 30)
    return options


def end_read_transaction(session) -> None:
    """Commit a transaction that only read, keeping the loaded objects usable.

    On SQLite every transaction of a POST request holds the write lock (it
    begins IMMEDIATE); slow work that needs no database (hashing a password,
    parsing a manuscript) should run after this, outside any transaction.
    """
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 30000) -> None:
    """Apply WAL, busy timeout, foreign keys and IMMEDIATE write transactions."""
    database = engine.url.database
    queue = None
    if database and database != ":memory:":
        queue = WriterQueue(database + ".writelock", busy_timeout_ms / 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Take transaction control away from the driver so that we decide how
        # each transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit is on disk before the receipt is shown, even if the
        # machine loses power (NORMAL in WAL mode only survives a crash of
        # the process).
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    def _release(info) -> None:
        if info.pop("zp_write_lock", False):
            queue.release()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = _begin_mode()
        if queue is not None and mode == "BEGIN IMMEDIATE" and not conn.info.get("zp_write_lock"):
            queue.acquire()
            conn.info["zp_write_lock"] = True
            try:
                conn.exec_driver_sql(mode)
            except BaseException:
                _release(conn.info)
                raise
        else:
            conn.exec_driver_sql(mode)

    if queue is None:
        return

    # Released as the transaction ends. The event fires just before COMMIT
    # runs; a writer that begins in that instant is held for a millisecond by
    # SQLite's busy handler, which is harmless.
    @event.listens_for(engine, "commit")
    def _on_commit(conn):
        _release(conn.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn):
        _release(conn.info)

    # Safety nets: a connection going back to the pool or closed mid-way.
    @event.listens_for(engine.pool, "reset")
    def _on_reset(dbapi_connection, record, reset_state=None):
        _release(record.info)

    @event.listens_for(engine.pool, "close")
    def _on_close(dbapi_connection, record):
        _release(record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _on_invalidate(dbapi_connection, record, exception=None):
        _release(record.info)

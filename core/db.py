"""Database base class, column types and SQLite behaviour.

Timestamps are stored in UTC and come back timezone-aware on every backend.
On SQLite, WAL and a busy timeout are switched on. Transactions begin as reads
(deferred) and become write transactions at their first write (see "Write
transactions" below): the read ends and ``BEGIN IMMEDIATE`` starts behind a
writer queue, so concurrent writers queue for the lock instead of failing with
"database is locked" when they upgrade a read lock, and a request that only
reads (a resent form, a page) never holds the lock.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import threading

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session
from sqlalchemy.sql.elements import SavepointClause, TextClause
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

    Slow work that needs no database (hashing a password, parsing a
    manuscript) should run after this, outside any transaction: on SQLite a
    read transaction pins its snapshot of the database (the WAL cannot be
    checkpointed past it) and on PostgreSQL it holds a connection's snapshot.
    """
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


# Write transactions --------------------------------------------------------------
#
# Every transaction begins as a read (SQLite: a deferred ``BEGIN``). It becomes
# a write transaction at its first write: an INSERT/UPDATE/DELETE (a flush), DDL,
# a text statement that is not a SELECT, a savepoint (``begin_nested``), or a
# ``SELECT ... FOR UPDATE`` (the row lock of PostgreSQL is the database lock of
# SQLite). A service may also say so first with ``begin_write(session)``,
# before it re-reads what it checks.
#
# SQLite cannot safely upgrade a read transaction in place (another writer that
# committed since the read's snapshot makes the write fail at once with
# SQLITE_BUSY_SNAPSHOT, and its busy handler is not called for an upgrade), so
# the read transaction is ended and ``BEGIN IMMEDIATE`` taken behind the
# writer queue; what was read before is as a read on PostgreSQL under READ
# COMMITTED: checks that must see the state under the lock re-read it with
# ``with_for_update()`` (which starts the write transaction) or after
# ``begin_write``.

_WRITE = "zp_write"  # the connection's transaction is a write transaction
_QUEUED = "zp_write_lock"  # this connection holds the writer queue
_BEGIN_WRITE = "zp_begin_write"  # the next BEGIN on this connection is IMMEDIATE
_READ_PREFIXES = ("SELECT", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "EXPLAIN", "VALUES")


class WriteStats:
    """How many write transactions this process began (benchmarks and tests read it)."""

    holds = 0


def _is_write(statement) -> bool:
    if isinstance(statement, str):
        return not statement.lstrip().upper().startswith(_READ_PREFIXES)
    if getattr(statement, "is_dml", False) or getattr(statement, "is_ddl", False):
        return True
    if getattr(statement, "is_select", False):
        return getattr(statement, "_for_update_arg", None) is not None
    if isinstance(statement, SavepointClause):  # begin_nested: taken to write (and cannot be restarted inside)
        return True
    if isinstance(statement, TextClause):
        return not statement.text.lstrip().upper().startswith(_READ_PREFIXES)
    return False


def note_write(conn) -> None:
    """Count a write transaction (the hook the deadline benchmark wraps to count lock holds)."""
    WriteStats.holds += 1


def begin_write(session) -> None:
    """Make the session's transaction a write transaction before the service re-reads and writes.

    SQLite: the read transaction (nothing written) ends and ``BEGIN IMMEDIATE``
    starts behind the writer queue, so what is read from here on is what the
    write will change. PostgreSQL: nothing to do (rows the write depends on are
    read ``with_for_update()``). Loaded objects stay usable.
    """
    _start_write(session.connection())


def holds_write_lock(session) -> bool:
    """Whether the session's current transaction is a write transaction."""
    if isinstance(session, scoped_session):
        session = session()
    return session.in_transaction() and bool(session.connection().info.get(_WRITE))


def _start_write(conn) -> None:
    info = conn.info
    if info.get(_WRITE):
        return
    upgrade = info.get("zp_upgrade")
    if upgrade is None or not conn.in_transaction():  # PostgreSQL; or SQLite before its BEGIN
        if upgrade is not None:
            info[_BEGIN_WRITE] = True
            return
        info[_WRITE] = True
        note_write(conn)
        return
    upgrade(conn)


def _track_writes(engine: Engine) -> None:
    @event.listens_for(engine, "before_execute")
    def _before_execute(conn, statement, multiparams, params, execution_options):
        if not conn.info.get(_WRITE) and _is_write(statement):
            _start_write(conn)

    def _end(info) -> None:
        info.pop(_WRITE, None)
        info.pop(_BEGIN_WRITE, None)

    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda conn: _end(conn.info))
    event.listen(engine.pool, "reset", lambda dbapi_connection, record, reset_state=None: _end(record.info))


def configure_engine(engine: Engine, busy_timeout_ms: int = 30000) -> None:
    """Count write transactions on every backend; on SQLite, also its settings and locking."""
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine, busy_timeout_ms)
    _track_writes(engine)


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 30000) -> None:
    """Apply WAL, busy timeout and foreign keys; reads begin deferred, writes IMMEDIATE."""
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
        if info.pop(_QUEUED, False):
            queue.release()

    def _begin_immediate(conn, dbapi_connection) -> None:
        if queue is not None and not conn.info.get(_QUEUED):
            queue.acquire()
            conn.info[_QUEUED] = True
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn.info)
            raise
        conn.info[_WRITE] = True
        note_write(conn)

    def _upgrade(conn) -> None:
        """End the read transaction (it wrote nothing) and begin a write transaction."""
        dbapi_connection = conn.connection.dbapi_connection
        if conn.in_nested_transaction():  # a savepoint cannot be restarted: write in place, behind the queue
            if queue is not None and not conn.info.get(_QUEUED):
                queue.acquire()
                conn.info[_QUEUED] = True
            conn.info[_WRITE] = True
            note_write(conn)
            return
        if dbapi_connection.in_transaction:
            dbapi_connection.execute("COMMIT")
        _begin_immediate(conn, dbapi_connection)

    @event.listens_for(engine, "engine_connect")
    def _on_engine_connect(conn):
        conn.info["zp_upgrade"] = _upgrade

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.info.pop(_BEGIN_WRITE, False):
            _begin_immediate(conn, conn.connection.dbapi_connection)
        else:
            conn.connection.dbapi_connection.execute("BEGIN")

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

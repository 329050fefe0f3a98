"""Database base class, column types and SQLite behaviour.

Timestamps are stored in UTC and come back timezone-aware on every backend.
On SQLite, WAL and a busy timeout are switched on, and write transactions begin
with ``BEGIN IMMEDIATE`` so that concurrent writers queue for the lock instead
of failing with "database is locked" when they upgrade a read lock.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData, event
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
    try:
        from flask import has_request_context, request

        if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
            return "BEGIN"
    except ImportError:  # pragma: no cover
        pass
    return "BEGIN IMMEDIATE"


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 30000) -> None:
    """Apply WAL, busy timeout, foreign keys and IMMEDIATE write transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Take transaction control away from the driver so that we decide how
        # each transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(_begin_mode())

"""Small read-only query helpers shared by the packages' list and dashboard pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.extensions import db


def per_group(key, value, *where) -> dict[Any, Any]:
    """``{key: value}`` over the rows matching ``where``: one aggregate ``value`` per ``key`` (no row: no key)."""
    return dict(db.session.execute(select(key, value).where(*where).group_by(key)).all())


def count_by(key, *where) -> dict[Any, int]:
    """How many rows match ``where``, per value of ``key``: ``count_by(Entry.status, Entry.competition_id == 1)``."""
    return per_group(key, func.count(), *where)

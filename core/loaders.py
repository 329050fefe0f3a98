"""Loading what a route touches, or a 404 that does not disclose whether it exists.

``allowed_or_404(Programme, 3, can_manage_programme)``: the row when the signed-in
person may see it; ``part_or_404(NoticeFile, 7, competition_id=comp.id)``: the row when
it belongs to the parent the route already loaded (an id from another parent is a 404).
"""

from __future__ import annotations

from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user

from core.extensions import db

T = TypeVar("T")


def allowed_or_404(model: type[T], object_id: int, allowed: Callable[[object, T], bool]) -> T:
    """The row ``object_id`` of ``model`` if ``allowed(current_user, row)``, else 404."""
    row = db.get_or_404(model, object_id)
    if not allowed(current_user, row):
        abort(404)
    return row


def part_or_404(model: type[T], object_id: int, **parent: int) -> T:
    """The row ``object_id`` of ``model`` whose columns hold ``parent``'s values, else 404."""
    row = db.get_or_404(model, object_id)
    if any(getattr(row, column) != value for column, value in parent.items()):
        abort(404)
    return row

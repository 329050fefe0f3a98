"""Helpers for the WTForms forms of every package."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm


def form_values(form: FlaskForm, *names: str) -> dict[str, Any]:
    """``{name: form[name].data}`` for the named fields: the keyword arguments a
    service takes straight from a form, e.g.
    ``services.create_unit(**form_values(form, "name", "kind"), actor=current_user)``."""
    return {name: form[name].data for name in names}

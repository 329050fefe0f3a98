"""Experts: their assigned dossiers and the rubric scores."""

from __future__ import annotations

from nominations.blueprint import bp  # noqa: F401

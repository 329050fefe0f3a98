"""Public pages: the exemplar gallery and profiles (no private field, ever)."""

from __future__ import annotations

from nominations.blueprint import bp  # noqa: F401

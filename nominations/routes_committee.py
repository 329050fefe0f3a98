"""The committee ballot and 联审 (joint review by departments)."""

from __future__ import annotations

from nominations.blueprint import bp  # noqa: F401

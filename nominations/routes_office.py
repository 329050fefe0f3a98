"""The organising office: the eligibility check (pass, return with a reason, reject) and revealing an ID number."""

from __future__ import annotations

from nominations.blueprint import bp  # noqa: F401

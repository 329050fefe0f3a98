"""Organiser pages: programmes, quotas, composition rules, experts, committee and 联审 departments, the overview."""

from __future__ import annotations

from nominations.blueprint import bp  # noqa: F401

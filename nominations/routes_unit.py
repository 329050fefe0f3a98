"""Unit coordinators: their unit's dossiers (推荐表), drafts that save themselves, attachments, submitting."""

from __future__ import annotations

from nominations.blueprint import bp  # noqa: F401

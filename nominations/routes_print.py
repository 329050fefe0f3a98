"""Printing and downloads: the 推荐表 PDF, the programme's PDF batch, the 推荐汇总表 .xlsx."""

from __future__ import annotations

from nominations.blueprint import bp  # noqa: F401

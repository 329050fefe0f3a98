"""The office's pages for expert review, ballot, joint review, hand-over and approval."""

from __future__ import annotations

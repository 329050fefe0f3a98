"""Background jobs of nominations (the programme's PDF batch); a worker imports no blueprint."""

from __future__ import annotations

"""The organisers' clock: notice windows and certificate dates are Shanghai dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.db import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_local() -> dt.date:
    """Today on the organisers' clock (notice windows are Shanghai dates)."""
    return dt.datetime.now(SHANGHAI).date()


def local_date(moment: dt.datetime | None) -> dt.date:
    return (moment or utcnow()).astimezone(SHANGHAI).date()

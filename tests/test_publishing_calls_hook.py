"""Calls for entries reach the public site through providers; publishing imports no feature package."""

from __future__ import annotations

import datetime as dt

from publishing import calls
from publishing.calls import PublicCall


class _Programme:
    """A provider as another package (nominations, say) would write it: plain data only."""

    def public_calls(self, now):
        return [
            PublicCall(7001, "优秀志愿者推荐", now + dt.timedelta(days=9), status="", accepting=True),
            PublicCall(7002, "往年推荐活动", now - dt.timedelta(days=9), status="已结束", accepting=False),
        ]

    def call_page(self, call_id):
        return "<p>推荐通知全文</p>" if call_id == 7001 else None


def test_public_calls_come_from_the_registered_providers(app, client, db, monkeypatch):
    monkeypatch.setitem(app.extensions, calls.EXTENSION, [_Programme()])
    home = client.get("/public").get_data(as_text=True)
    open_part, past_part = home.split("往年推荐活动")[0], home.split("优秀志愿者推荐")[1]
    assert "优秀志愿者推荐" in open_part and "/public/calls/7001" in open_part
    assert "已结束" in past_part
    assert "推荐通知全文" in client.get("/public/calls/7001").get_data(as_text=True)
    assert client.get("/public/calls/7002").status_code == 404

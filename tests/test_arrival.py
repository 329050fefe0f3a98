"""The front server's arrival stamp: a table of cases, and a submission that reached the
proxy before the deadline but the app only after it is accepted (issue #14)."""

import datetime as dt

import pytest

from core.arrival import parse_request_start
from helpers import entry_data, form_token

NOW = 1_780_000_000.0  # seconds since the epoch


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("t=1779999990.250", 1779999990.25),  # nginx ${msec}
        ("t=1779999990250", 1779999990.25),  # milliseconds
        ("t=1779999990250000", 1779999990.25),  # microseconds
        ("1779999990250", 1779999990.25),  # without t=
        ("1779999990", 1779999990.0),  # whole seconds
        ("t=1780000001.5", 1780000001.5),  # within the allowed skew
        ("t=1780000010", None),  # in the future: not believed
        ("", None),
        (None, None),
        ("t=", None),
        ("t=abc", None),
        ("t=-5", None),
        ("t=nan", None),
        ("t=" + "9" * 30, None),
    ],
)
def test_parse_request_start(header, expected):
    assert parse_request_start(header, NOW) == expected


def _late_post(app, client, login, csrf, author, comp, db, *, stamp_offset, trusted):
    """Get the form while the call is open, let the deadline pass, then post with a stamp."""
    login(client, author)
    path = f"/essays/c/{comp.id}/submit"
    token = form_token(client.get(path).get_data(as_text=True))
    csrf_token = csrf(client, path)
    now = dt.datetime.now(dt.timezone.utc)
    comp.closes_at = now - dt.timedelta(seconds=30)
    comp.grace_minutes = 0
    db.session.commit()
    stamp = (comp.deadline + dt.timedelta(seconds=stamp_offset)).timestamp()
    data = dict(entry_data(comp, token), csrf_token=csrf_token)
    app.config["ZP_TRUSTED_PROXIES"] = 1 if trusted else 0
    try:
        return client.post(
            path,
            data=data,
            content_type="multipart/form-data",
            headers={"X-Request-Start": f"t={stamp:.3f}", "X-Forwarded-For": "203.0.113.9"},
        )
    finally:
        app.config["ZP_TRUSTED_PROXIES"] = 0


def test_a_request_that_reached_the_proxy_before_the_deadline_is_accepted(app, db, login, csrf, comp, author):
    client = app.test_client()
    response = _late_post(app, client, login, csrf, author, comp, db, stamp_offset=-10, trusted=True)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "收稿编号" in receipt


@pytest.mark.parametrize(
    ("stamp_offset", "trusted"),
    [
        (-10, False),  # the same stamp from a client with no trusted proxy in front: ignored
        (+5, True),  # reached the proxy after the deadline
        (-600, True),  # older than the tolerance: the server was stalled, not queueing
    ],
)
def test_a_late_or_untrusted_stamp_does_not_open_the_deadline(
    app, db, login, csrf, comp, author, stamp_offset, trusted
):
    client = app.test_client()
    response = _late_post(app, client, login, csrf, author, comp, db, stamp_offset=stamp_offset, trusted=trusted)
    assert response.status_code != 302
    assert "截止时间" in response.get_data(as_text=True)

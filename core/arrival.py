"""When a request reached the front server (pure: no Flask).

At a deadline, requests wait in the application server's socket backlog before
the app sees them; the app's own clock would judge an author who pressed submit
on time by the moment a worker got round to the request. A reverse proxy can
stamp each request as it arrives (nginx: ``proxy_set_header X-Request-Start
"t=${msec}";``), and the app trusts that stamp only when it runs behind
configured proxies (``ZP_TRUSTED_PROXIES``), where the proxy overwrites
whatever a client sent.

Accepted forms, as the common proxies and APM agents write them: ``t=<seconds>``
with a fraction, or an integer count of seconds, milliseconds or microseconds
since the epoch, with or without ``t=``.
"""

from __future__ import annotations

# A stamp further in the future than this (clock skew between the proxy and the
# app) is not believed.
MAX_SKEW_SECONDS = 2.0


def parse_request_start(value: str | None, now: float) -> float | None:
    """The arrival time in seconds since the epoch, or None if ``value`` is not a usable stamp."""
    text = (value or "").strip()
    if text.startswith("t="):
        text = text[2:]
    if not text or len(text) > 24:
        return None
    try:
        stamp = float(text)
    except ValueError:
        return None
    if stamp != stamp or stamp <= 0:  # NaN or nonsense
        return None
    # Scale integers by magnitude: seconds ~1.7e9, milliseconds ~1.7e12, microseconds ~1.7e15.
    if stamp > 1e14:
        stamp /= 1_000_000
    elif stamp > 1e11:
        stamp /= 1_000
    if stamp > now + MAX_SKEW_SECONDS:
        return None
    return stamp

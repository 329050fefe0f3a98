"""Calls for entries on the public site, supplied by the packages that run them.

Publishing knows result sets, honours and certificates, not competitions or
programmes. A feature package offers its public calls through a provider: any
object (a module will do) with

* ``public_calls(now) -> list[PublicCall]``: the calls the public may read;
* ``call_page(call_id) -> str | None``: the rendered page of one call, or None
  when it is not one of its public calls.

The composition root (``core.register_blueprints``) registers each provider
on the application with :func:`register`; the public pages ask them here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app

EXTENSION = "publishing.calls"


@dataclass(frozen=True)
class PublicCall:
    id: int
    title: str
    closes_at: dt.datetime
    status: str  # the label shown beside a call that no longer accepts entries
    accepting: bool  # open for entries now


class CallProvider(Protocol):
    def public_calls(self, now: dt.datetime) -> list[PublicCall]: ...

    def call_page(self, call_id: int) -> str | None: ...


def register(app: Flask, provider: CallProvider) -> None:
    providers = app.extensions.setdefault(EXTENSION, [])
    if provider not in providers:
        providers.append(provider)


def _providers() -> list[CallProvider]:
    return current_app.extensions.get(EXTENSION, [])


def public_calls(now: dt.datetime) -> list[PublicCall]:
    """Every provider's public calls, the latest deadline first."""
    calls = [call for provider in _providers() for call in provider.public_calls(now)]
    return sorted(calls, key=lambda c: c.closes_at, reverse=True)


def call_page(call_id: int) -> str | None:
    for provider in _providers():
        page = provider.call_page(call_id)
        if page is not None:
            return page
    return None

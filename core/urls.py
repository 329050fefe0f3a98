"""Absolute links come from ``PUBLIC_BASE_URL``, never from the request.

The ``Host`` header is chosen by whoever sends the request: a link built from
it (``url_for(..., _external=True)``, ``request.host_url``) in an e-mail, a QR
code or an API answer could point people at someone else's site. Every
absolute link is built here instead; it also works in jobs and CLI commands,
where there is no request at all.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from flask import Flask, current_app

import core

_views_lock = threading.Lock()


def public_base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as an absolute URL under PUBLIC_BASE_URL."""
    base = urlsplit(public_base_url())
    app = current_app._get_current_object()
    _ensure_url_table(app)
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def _ensure_url_table(app: Flask) -> None:
    """The job worker's app starts without the web pages (``create_app(views=False)``);
    the first link a job builds loads their URL table."""
    if app.blueprints:
        return
    with _views_lock:
        if not app.blueprints:
            core.register_blueprints(app)


def local_path(url: str | None) -> str | None:
    """The path and query of ``url`` if it is usable as a redirect within this site.

    Only the path is kept, whatever host the URL names, so a redirect "back"
    can never leave the site.
    """
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path + ("?" + parts.query if parts.query else "")

"""HTTP security headers.

The Content-Security-Policy allows scripts and styles only from our own
origin: templates have no inline script or style attribute, so an injected
``<script>`` in user content could not run even if escaping failed somewhere.
"""

from __future__ import annotations

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _signed_in() -> bool:
    """Whether this request carries a sign-in, read from the signed cookie only.

    No database: the 503 page for a database that is away passes here too.
    """
    from flask import session

    return "_user_id" in session


class TrustedProxies:
    """WSGI middleware: the client address and scheme as the configured number
    of reverse proxies report them (``ZP_TRUSTED_PROXIES``), so rate limits,
    the audit log and the session list see the visitor, not the proxy.

    The setting is read per request; with 0 the forwarded headers are ignored,
    so a visitor cannot choose their own address by sending them.
    """

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._fixers: dict[int, object] = {}

    def __call__(self, environ, start_response):
        count = int(self.app.config.get("ZP_TRUSTED_PROXIES") or 0)
        if count <= 0:
            return self.wsgi_app(environ, start_response)
        fixer = self._fixers.get(count)
        if fixer is None:
            from werkzeug.middleware.proxy_fix import ProxyFix

            fixer = self._fixers[count] = ProxyFix(self.wsgi_app, x_for=count, x_proto=count)
        return fixer(environ, start_response)


def init_app(app) -> None:
    app.wsgi_app = TrustedProxies(app, app.wsgi_app)

    @app.after_request
    def _headers(response):
        from flask import request

        h = response.headers
        # Pages and downloads of a signed-in person must not stay in a shared
        # or browser cache (a shared computer, a proxy). Public pages may.
        if request.endpoint != "static" and _signed_in() and "no-store" not in h.get("Cache-Control", ""):
            h["Cache-Control"] = "private, no-store"
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("ZP_HTTPS"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

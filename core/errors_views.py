"""Error pages in the person's language; JSON for the API.

When the database is unreachable (or too slow to answer within the
timeouts), pages answer 503 with a standalone page that needs nothing from
the database: not the signed-in user, not the navigation bar.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from core import request_cycle
from core.db import WriteLockTimeout
from core.extensions import db

log = logging.getLogger(__name__)

# The database is away, overloaded or cut off: try again later.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, WriteLockTimeout)
RETRY_AFTER_SECONDS = 30


def _messages():
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Access denied"), _("You do not have permission to view this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has been removed.")),
        405: (_("Not allowed"), _("This action is not allowed here.")),
        413: (_("File too large"), _("The file you sent is larger than the limit. Please send a smaller file.")),
        408: (
            _("Request too slow"),
            _("What you sent took too long to arrive. Please check your connection and try again."),
        ),
        429: (_("Too many attempts"), _("Too many attempts. Please wait a few minutes and try again.")),
        500: (
            _("Server error"),
            _("Something went wrong on our side. The error has been logged; please try again later."),
        ),
        503: (
            _("Service temporarily unavailable"),
            _(
                "The service cannot reach its database at the moment. Nothing you sent has been saved; "
                "please try again in a few minutes."
            ),
        ),
    }


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the pool replaces it
        pass


def _json_error(code: int, text: str):
    return {"error": {"code": code, "message": text}}, code


def render_standalone(code: int):
    """An error page that touches neither the database nor the session.

    The locale is the default one (Chinese): choosing the person's own would
    mean loading their account.
    """
    _rollback()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title, text = _messages().get(code, (_("Error"), _("Something went wrong.")))
        if request.path.startswith("/api/"):
            body, status = _json_error(code, text)
            response = current_app.json.response(body)
        else:
            # Straight from the Jinja environment: render_template would run
            # the context processors, which load the user and the navigation.
            html = current_app.jinja_env.get_template("errors/standalone.html").render(
                code=code, title=title, text=text
            )
            response = current_app.response_class(html, mimetype="text/html")
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    if code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def render_error(code: int, detail: str | None = None):
    if code >= 500:
        _rollback()
    try:
        title, text = _messages().get(code, (_("Error"), _("Something went wrong.")))
        text = str(detail) if detail else text
        if request.path.startswith("/api/"):
            return _json_error(code, text)
        return render_template("errors/error.html", code=code, title=title, text=text), code
    except DATABASE_UNAVAILABLE:
        log.warning("database unavailable while rendering the %s page for %s", code, request.path)
        return render_standalone(503)
    except Exception:
        log.exception("error page %s failed on %s", code, request.path)
        return render_standalone(code)


def init_app(app) -> None:
    request_cycle.init_app(app)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        # Lazy: translating picks the person's language, which may need the
        # database; render_error does it where a failure is handled.
        return render_error(
            400, _l("The form has expired or was sent from another page. Please reload the page and submit again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error):
        return render_error(error.code or 500)

    for exc_class in DATABASE_UNAVAILABLE:

        @app.errorhandler(exc_class)
        def _database_unavailable(error):
            log.error("database unavailable on %s: %s", request.path, error, exc_info=error)
            return render_standalone(503)

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("unhandled error on %s", request.path)
        return render_error(500)

"""Error pages in the person's language; JSON for the API."""
from __future__ import annotations

import logging

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def _messages():
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Access denied"), _("You do not have permission to view this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has been removed.")),
        405: (_("Not allowed"), _("This action is not allowed here.")),
        413: (_("File too large"), _("The file you sent is larger than the limit. Please send a smaller file.")),
        408: (_("Request too slow"), _("What you sent took too long to arrive. Please check your connection and try again.")),
        429: (_("Too many attempts"), _("Too many attempts. Please wait a few minutes and try again.")),
        500: (_("Server error"), _("Something went wrong on our side. The error has been logged; please try again later.")),
    }


def render_error(code: int, detail: str | None = None):
    from core.extensions import db

    if code >= 500:
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover
            pass
    title, text = _messages().get(code, (_("Error"), _("Something went wrong.")))
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "message": detail or text}}, code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(400, _("The form has expired or was sent from another page. "
                                   "Please reload the page and submit again."))

    @app.errorhandler(HTTPException)
    def _http(error):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("unhandled error on %s", request.path)
        return render_error(500)

"""One request, one transaction: commit on success, a ``UserError`` becomes a flash.

Routes do not commit and do not catch ``UserError``. They load, authorise,
validate, call one public service function and return a response; this
module does the rest for every blueprint:

* **Commit on success.** After the view, a response below 400 commits the
  session if anything was written (an object added, changed or deleted, a
  flush, or a statement other than a SELECT); any other response rolls back. A route still commits by
  itself only where something must see the rows before the response is made
  (a job enqueued for the rows it just wrote, a second transaction).
* **UserError in one place.** ``app.errorhandler(UserError)`` rolls back,
  shows ``exc.render()`` and answers with what the route declared beforehand
  with :func:`on_user_error`:

  - a URL (``on_user_error(url_for(...))``): the message is flashed as an
    error and the person is redirected there;
  - a callable (``on_user_error(lambda: render_template(...))``): the message
    is flashed and the callable's response is returned (a form shown again
    with what was typed; the callable may write, e.g. a failed sign-in, and
    that write commits like any other); ``status=`` sets its status, e.g.
    ``status=services.refusal_status`` for 409 / 413 / 422 by the error;
  - ``json_status=409``: ``{"ok": false, "message": ...}`` with that status,
    nothing flashed (autosave and other XHR calls).

  :func:`redirect_either_way` declares the URL and returns the redirect the
  route answers with on success, for actions whose page is the same either way.

  Without a declaration the message is flashed and the person goes back to
  the referring page when it is on this site, else to the same URL as GET.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, flash, g, jsonify, redirect, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.errors import UserError
from core.extensions import db

_WROTE = "zp_wrote"


def on_user_error(
    target: str | Callable | None = None,
    *,
    json_status: int | None = None,
    status: int | Callable[[UserError], int] | None = None,
) -> None:
    """Declare the response a ``UserError`` raised later in this request gets.

    ``status`` (a number, or a function of the error) replaces the status of
    the callable's response.
    """
    g.user_error_target = target
    g.user_error_json_status = json_status
    g.user_error_status = status


def redirect_either_way(url: str):
    """Declare ``url`` as the page a UserError leads to, and return its redirect for success."""
    on_user_error(url)
    return redirect(url)


def _back() -> str:
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host and parts.scheme in ("http", "https", ""):
            return referrer
    return request.url


def handle_user_error(exc: UserError):
    db.session.rollback()
    message = exc.render()
    json_status = g.get("user_error_json_status")
    if json_status:
        return jsonify({"ok": False, "message": message}), json_status
    flash(message, "error")
    target = g.get("user_error_target")
    if callable(target):
        response = current_app.make_response(target())
        status = g.get("user_error_status")
        if status is not None:
            response.status_code = status(exc) if callable(status) else status
        return response
    return redirect(target or _back())


def _wrote(session) -> bool:
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def _mark_flush(session, flush_context) -> None:
    session.info[_WROTE] = True


def _mark_statement(state) -> None:
    # A bulk UPDATE / DELETE / INSERT or a text statement writes without a flush.
    if not state.is_select:
        state.session.info[_WROTE] = True


def _clear_mark(session, *args) -> None:
    session.info.pop(_WROTE, None)


def finish_transaction(response):
    """Commit what the request wrote when it succeeded; roll back otherwise."""
    session = db.session
    if response.status_code < 400 and _wrote(session):
        try:
            session.commit()
        except Exception as exc:  # the same handlers as a commit inside the view
            session.rollback()
            return current_app.make_response(current_app.handle_user_exception(exc))
    elif _wrote(session):
        try:
            session.rollback()
        except Exception:  # the connection may be gone (a 503 page); the pool replaces it
            pass
    return response


def _forget_declaration() -> None:
    # ``g`` outlives a request when an application context was pushed around it.
    g.pop("user_error_target", None)
    g.pop("user_error_json_status", None)
    g.pop("user_error_status", None)


def init_app(app) -> None:
    if not event.contains(Session, "after_flush", _mark_flush):
        event.listen(Session, "after_flush", _mark_flush)
        event.listen(Session, "do_orm_execute", _mark_statement)
        event.listen(Session, "after_commit", _clear_mark)
        event.listen(Session, "after_soft_rollback", _clear_mark)
    app.before_request(_forget_declaration)
    app.register_error_handler(UserError, handle_user_error)
    app.after_request(finish_transaction)

"""Request bodies: read whole, capped per route and against a deadline, before the app runs.

A request's body is received here, in a WSGI middleware, before Flask sees the
request: before the user is loaded, before any database connection is taken
from the pool and (on SQLite) before a POST's first query takes the write lock.
A client that sends its body one byte every two seconds therefore holds only
its own worker thread, never the database.

Each route has a body limit by kind (``body_limit``): sign-in forms are small,
ordinary forms get ``MAX_FORM_BYTES``, the essay autosave ``MAX_TEXT_BYTES``,
and only upload routes accept up to ``MAX_CONTENT_LENGTH``, and then only as
``multipart/form-data``. URL-encoded bodies never get more than
``MAX_FORM_BYTES`` (decoding ``%XX`` escapes costs about 75 bytes of memory
per byte sent). A body larger than its limit is refused with 413 without
being read; a body that does not arrive within ``REQUEST_BODY_TIMEOUT``
seconds plus one second per ``REQUEST_BODY_MIN_RATE`` bytes is refused with
408. Behind a reverse proxy that buffers request bodies (nginx does by
default) the app never sees a slow body at all; see the README.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
import tempfile
import threading
import time

from werkzeug.exceptions import HTTPException

from core.arrival import parse_request_start
from core.db import utcnow

# Bodies up to this size are kept in memory; larger ones (uploads) spill to a
# temporary file.
SPOOL_IN_MEMORY = 1024 * 1024
CHUNK = 64 * 1024

LIMIT_KEYS = {
    "signin": "MAX_SIGNIN_BYTES",
    "form": "MAX_FORM_BYTES",
    "text": "MAX_TEXT_BYTES",
    "upload": "MAX_CONTENT_LENGTH",
}

REFUSED = "zp.body_refused"
# When the request's headers had arrived, before its body was received: the
# moment a deadline is judged at (an upload started before the deadline on a
# slow line is on time).
RECEIVED_AT = "zp.received_at"


def body_limit(kind: str, in_view: bool = False):
    """Mark a view with the kind of body it accepts (see ``LIMIT_KEYS``).

    ``in_view``: the view calls ``abort_if_refused`` itself (after its rate
    limits have been checked) instead of the request being refused before it.
    """
    if kind not in LIMIT_KEYS:
        raise ValueError(f"unknown body limit kind {kind!r}")

    def mark(view):
        view.zp_body_limit = kind
        view.zp_body_in_view = in_view
        return view

    return mark


def abort_if_refused() -> None:
    """Answer 413/408/400 if the body of this request was refused by ``BodyGuard``."""
    from flask import abort, request

    status = request.environ.get(REFUSED)
    if status:
        abort(status)


class _BodyTooLarge(Exception):
    pass


class _BodyTimeout(Exception):
    pass


class BodyGuard:
    """WSGI middleware: receive the whole body within its limit and deadline first."""

    def __init__(self, wsgi_app, app) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def arrival(self, environ) -> dt.datetime:
        """When the request arrived: the trusted front server's stamp (``X-Request-Start``),
        else now, before the body is received (see ``core.arrival``)."""
        now = utcnow()
        if int(self.app.config.get("ZP_TRUSTED_PROXIES") or 0) > 0:
            stamp = parse_request_start(environ.get("HTTP_X_REQUEST_START"), now.timestamp())
            if stamp is not None:
                return dt.datetime.fromtimestamp(stamp, dt.timezone.utc)
        return now

    def __call__(self, environ, start_response):
        environ.setdefault(RECEIVED_AT, self.arrival(environ))
        length, chunked = _declared_length(environ)
        if length is None and not chunked:
            return self.wsgi_app(environ, start_response)
        if length == 0:
            return self.wsgi_app(environ, start_response)
        limit = self.limit_for(environ)
        spool = None
        try:
            if length is not None and length > limit:
                raise _BodyTooLarge
            spool = _receive(environ, length, limit, self._deadline(length or limit))
        except _BodyTooLarge:
            _refuse(environ, 413)
        except _BodyTimeout:
            _refuse(environ, 408)
        except (OSError, ValueError, HTTPException):
            # The client went away or sent a broken chunked body.
            _refuse(environ, 400)
        else:
            size = spool.tell()
            spool.seek(0)
            environ["wsgi.input"] = spool
            environ["CONTENT_LENGTH"] = str(size)
            environ["wsgi.input_terminated"] = True
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        try:
            result = self.wsgi_app(environ, start_response)
        except BaseException:
            if spool is not None:
                spool.close()
            raise
        if spool is None:
            return result
        return _ClosingIterator(result, spool)

    def _deadline(self, size: int) -> float:
        config = self.app.config
        rate = max(int(config.get("REQUEST_BODY_MIN_RATE") or 1), 1)
        return time.monotonic() + float(config.get("REQUEST_BODY_TIMEOUT") or 30) + size / rate

    def limit_for(self, environ) -> int:
        """The byte limit of the route and content type this request is for."""
        config = self.app.config
        kind = "form"
        try:
            adapter = self.app.url_map.bind_to_environ(environ, server_name=config.get("SERVER_NAME"))
            endpoint, _args = adapter.match()
        except (HTTPException, Exception):  # unknown route, wrong method, redirect
            endpoint = None
        if endpoint is not None:
            view = self.app.view_functions.get(endpoint)
            kind = getattr(view, "zp_body_limit", "form")
        form_limit = int(config.get("MAX_FORM_BYTES") or 0)
        limit = int(config.get(LIMIT_KEYS[kind]) or form_limit)
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if kind == "upload" and content_type != "multipart/form-data":
            limit = form_limit  # only a file upload needs the upload limit
        if content_type == "application/x-www-form-urlencoded":
            limit = min(limit, form_limit)
        return limit


def _declared_length(environ) -> tuple[int | None, bool]:
    raw = environ.get("CONTENT_LENGTH")
    if raw not in (None, ""):
        try:
            return max(int(raw), 0), False
        except ValueError:
            return 0, False
    chunked = "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
    return None, bool(chunked and environ.get("wsgi.input_terminated"))


def _client_socket(environ):
    sock = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    return sock if isinstance(sock, socket.socket) else None


def _receive(environ, length: int | None, limit: int, deadline: float):
    """Copy the body into a spooled file; stop the client at the deadline.

    A blocking read cannot be given a deadline directly (a buffered read of
    64 KB waits for every byte), so a timer shuts the socket's reading side
    when the deadline passes: the read then returns at once with what came.
    """
    stream = environ["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    sock = _client_socket(environ)
    expired = threading.Event()
    timer = None
    if sock is not None:

        def _expire():
            expired.set()
            try:
                sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass

        timer = threading.Timer(max(deadline - time.monotonic(), 0), _expire)
        timer.daemon = True
        timer.start()
    try:
        received = 0
        while length is None or received < length:
            want = CHUNK if length is None else min(CHUNK, length - received)
            if length is None:
                want = min(want, limit + 1 - received)
            try:
                data = stream.read(want)
            except (OSError, ValueError):
                if expired.is_set():
                    raise _BodyTimeout from None
                raise
            if expired.is_set():
                raise _BodyTimeout
            if not data:
                if length is not None:
                    raise OSError("the client sent less than it announced")
                break
            received += len(data)
            if received > limit:
                raise _BodyTooLarge
            spool.write(data)
    except BaseException:
        spool.close()
        raise
    finally:
        if timer is not None:
            timer.cancel()
    return spool


def _refuse(environ, status: int) -> None:
    environ[REFUSED] = status
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["CONTENT_LENGTH"] = "0"
    environ.pop("HTTP_TRANSFER_ENCODING", None)


class _ClosingIterator:
    def __init__(self, result, spool) -> None:
        self._result = result
        self._spool = spool

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._spool.close()


def init_app(app) -> None:
    """Install the middleware and the hook that answers a refused body.

    Call before CSRF protection is set up: a refused body then gets its own
    status instead of "the form has expired".
    """
    app.wsgi_app = BodyGuard(app.wsgi_app, app)

    @app.before_request
    def _refused_body():
        from flask import request

        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, "zp_body_in_view", False):
            abort_if_refused()

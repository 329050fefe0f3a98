"""Domain errors that carry a user-facing message.

A pure module raises ``UserError(N_("... %(limit)s ..."), limit=...)``; the
route or service that catches it shows ``error.render()`` which translates the
message with gettext and fills in the parameters. Pure modules therefore stay
free of Flask imports while every message still reaches the catalog.
"""

from __future__ import annotations


class UserError(Exception):
    """An error whose message is meant for the person who caused it."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def render(self) -> str:
        try:
            from flask_babel import gettext
        except ImportError:  # pragma: no cover - only outside the app
            return self.message % self.params if self.params else self.message
        try:
            return gettext(self.message, **self.params)
        except Exception:  # no app or request context: untranslated text
            return self.message % self.params if self.params else self.message

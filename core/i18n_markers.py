"""Markers for strings that are translated later, where they are shown.

Pure modules (no Flask import) mark their user-facing messages with ``N_`` so
``pybabel extract`` collects them; the service or route that shows the message
passes it through ``gettext`` with its parameters.

An English word with two meanings gets a message context: ``NC_("objection",
"Open")`` is extracted with the context "objection" (``pgettext`` in code and
templates does the same), so "Open" can be 待处理 there and 打开 elsewhere. The
marked string is still the plain msgid; it remembers its context for
``core.i18n.translate``.
"""


class ContextMsg(str):
    """A msgid that carries its message context."""

    context: str

    def __new__(cls, context: str, message: str):
        obj = str.__new__(cls, message)
        obj.context = context
        return obj


def N_(message: str) -> str:
    return message


def NC_(context: str, message: str) -> ContextMsg:
    return ContextMsg(context, message)


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural form (extracted like ``ngettext``)."""
    return singular, plural

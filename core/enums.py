"""Enums that carry their labels.

A member is declared with its stored value and the msgid of its label::

    class RoundState(LabelledEnum):
        SETUP = "setup", N_("Being set up")

A label whose English word has other meanings elsewhere carries a message
context: ``OPEN = "open", NC_("objection", "Open")``.

The member is still the plain string ``"setup"`` (it compares, stores and
serialises as before); ``member.label`` is the label translated for the
current request, ``Cls.choices()`` the (value, lazy label) pairs of a select.
Translation is imported late so pure modules may use these enums.
"""

from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    msgid: str

    def __new__(cls, value: str, msgid: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.msgid = value if msgid is None else msgid
        return member

    @property
    def label(self) -> str:
        """The label in the current locale (the msgid outside a request)."""
        from flask_babel import gettext, pgettext

        context = getattr(self.msgid, "context", None)
        return pgettext(context, str(self.msgid)) if context else gettext(self.msgid)

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(value, label) pairs for a select field; labels translate when shown."""
        from flask_babel import lazy_gettext, lazy_pgettext

        def lazy(msgid):
            context = getattr(msgid, "context", None)
            return lazy_pgettext(context, str(msgid)) if context else lazy_gettext(msgid)

        return [(m.value, lazy(m.msgid)) for m in cls]

    @classmethod
    def label_of(cls, code, default: str | None = None) -> str:
        """The label of a stored code; an unknown code shows as itself (or ``default``)."""
        try:
            return cls(code).label
        except ValueError:
            return code if default is None else default

    @classmethod
    def msgids(cls) -> dict[str, str]:
        """{value: msgid}, e.g. for the audit page's value labels."""
        return {m.value: m.msgid for m in cls}

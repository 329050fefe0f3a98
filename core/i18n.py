"""Chinese first: locale and time-zone selection, date filters.

Times are stored in UTC and always shown in Asia/Shanghai (the organisers'
clock, whatever the server's time zone).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, request, session
from flask_babel import get_locale, gettext, pgettext
from flask_login import current_user

from core import form_messages

SHANGHAI = ZoneInfo("Asia/Shanghai")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") if request else None
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        if getattr(current_user, "locale", None) in languages:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translate(msgid: str) -> str:
    """gettext, or pgettext for a msgid marked with a context (``NC_``)."""
    context = getattr(msgid, "context", None)
    return pgettext(context, str(msgid)) if context else gettext(msgid)


def colon() -> str:
    """The colon after a label: full-width in Chinese, ": " in English."""
    locale = get_locale()
    return "：" if not locale or locale.language == "zh" else ": "


def select_timezone() -> str:
    return current_app.config["DISPLAY_TIMEZONE"]


def local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))


def format_dt(value: dt.datetime | None, with_seconds: bool = False) -> str:
    value = local(value)
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return f"{value.year}-{value.month:02d}-{value.day:02d}"


def parse_local(value: dt.datetime) -> dt.datetime:
    """A naive datetime typed by a person in Shanghai time, as aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))
    return value.astimezone(dt.timezone.utc)


def init_app(app) -> None:
    app.jinja_env.filters["dt"] = format_dt
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    form_messages.use_our_catalog()

    @app.context_processor
    def _locale_context():
        locale = get_locale()
        return {
            "current_locale": str(locale) if locale else app.config["BABEL_DEFAULT_LOCALE"],
            "html_lang": "zh-CN" if not locale or locale.language == "zh" else "en",
            "colon": colon(),
        }

"""What honoured authors are told (through ``accounts.messages.notify``); publishing
knows honours and certificates only, never the package an honour came from.

The award and the certificate are told in the site only: their e-mail is the
result message the organiser reviews in the result set's outbox
(``publishing.outbox``), so nobody gets the same news twice.
"""

from __future__ import annotations

from flask_babel import gettext as _

from accounts.messages import MessageKind, notify
from core.urls import external_url
from publishing.models import Honour, ResultSet


def _work(honour: Honour) -> str:
    return f"《{honour.work_title}》" if honour.work_title else ""


def tell_awarded(rs: ResultSet) -> None:
    """On publication: every honoured author with an account hears of the award."""
    for honour in rs.active_honours:
        if not honour.user_id:
            continue
        notify(
            honour.user_id,
            MessageKind.AWARD,
            _("Results of %(activity)s", activity=rs.title),
            _(
                "The results of %(activity)s have been published. Your entry %(work)s has received: %(level)s.",
                activity=rs.title,
                work=_work(honour),
                level=honour.level_text,
            ),
            external_url("core.home"),
            email=False,
        )


def tell_certificates_ready(honours: list[Honour], rs: ResultSet) -> None:
    for honour in honours:
        if not honour.user_id or honour.withdrawn:
            continue
        notify(
            honour.user_id,
            MessageKind.CERTIFICATE,
            _("Certificate ready: %(activity)s", activity=rs.title),
            _("Sign in to download your certificate: %(url)s", url=external_url("core.home")),
            external_url("core.home"),
            email=False,
        )


def tell_withdrawn(honour: Honour, reason: str) -> None:
    if not honour.user_id:
        return
    title = honour.result_set.title
    notify(
        honour.user_id,
        MessageKind.WITHDRAWN,
        _("Award withdrawn: %(activity)s", activity=title),
        "\n\n".join(
            [
                _(
                    "After an objection to the public notice of %(activity)s, "
                    "the award of your entry %(work)s has been withdrawn.",
                    activity=title,
                    work=_work(honour),
                ),
                _("Reason: %(reason)s", reason=reason),
            ]
        ),
        external_url("core.home"),
    )

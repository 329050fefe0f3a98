"""What authors are told about their entries (through ``accounts.messages.notify``)."""

from __future__ import annotations

from flask_babel import gettext as _

from accounts.messages import MessageKind, notify
from core.urls import external_url
from essays.models import Submission, SubmissionStatus


def tell_received(entry: Submission) -> None:
    """The receipt: number and time, in the author's message centre (and e-mail)."""
    competition = entry.competition.title
    notify(
        entry.author,
        MessageKind.RECEIPT,
        _("Entry received: %(activity)s", activity=competition),
        "\n\n".join(
            [
                _(
                    "Your entry %(work)s to %(activity)s has been received with receipt number %(number)s.",
                    work=f"《{entry.title}》",
                    activity=competition,
                    number=entry.receipt_number,
                ),
                _("You can download the receipt from your entries at any time."),
            ]
        ),
        external_url("essays.my_entries"),
    )


def tell_reviewed(entry: Submission) -> None:
    """The qualification result; a disqualified entry carries the reason."""
    competition = entry.competition.title
    work = f"《{entry.title}》"
    if entry.status == SubmissionStatus.QUALIFIED:
        subject = _("Entry qualified: %(activity)s", activity=competition)
        body = _(
            "Your entry %(work)s to %(activity)s has passed the qualification review.", work=work, activity=competition
        )
    else:
        subject = _("Entry not qualified: %(activity)s", activity=competition)
        body = "\n\n".join(
            [
                _(
                    "Your entry %(work)s to %(activity)s did not pass the qualification review.",
                    work=work,
                    activity=competition,
                ),
                _("Reason: %(reason)s", reason=entry.disqualify_reason or ""),
            ]
        )
    notify(entry.author, MessageKind.QUALIFICATION, subject, body, external_url("essays.my_entries"))

"""Reminding judges of unfinished work.

A reminder names the round, how many entries are still to be scored and the
deadline — never an entry's title or anything about an author. With SMTP
configured the reminders are e-mailed; without it, or for judges without an
address, the organiser gets the list with phone numbers to call instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.messages import MessageKind, notify
from accounts.models import User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n import format_dt
from core.i18n_markers import N_
from core.mail import Mail, mail_configured, send_all
from core.urls import external_url
from judging import stats
from judging.models import Round, RoundState


@dataclass
class ReminderReport:
    emailed: list[User] = field(default_factory=list)
    to_call: list[tuple[User, int]] = field(default_factory=list)  # judge, entries left
    failed: list[tuple[User, str]] = field(default_factory=list)
    mail_configured: bool = False


def pending_by_judge(round_: Round) -> list[tuple[User, int]]:
    """Judges with entries still to score in this round, and how many."""
    left = [(p.judge_id, p.assigned - p.submitted) for p in stats.progress_by_judge(round_)]
    left = [(judge_id, n) for judge_id, n in left if n > 0]
    if not left:
        return []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([j for j, _n in left])))}
    return [(users[judge_id], n) for judge_id, n in left if judge_id in users]


def compose(round_: Round, judge: User, left: int) -> Mail:
    competition = round_.competition.title
    deadline = format_dt(round_.judge_deadline) if round_.judge_deadline else _("the end of the round")
    subject = _(
        "Reminder: %(count)s entries to score in %(round)s of %(competition)s",
        count=left,
        round=round_.name,
        competition=competition,
    )
    body = _(
        "Dear %(name)s,\n\nYou still have %(count)s entries to score in %(round)s of %(competition)s. "
        "Please finish before %(deadline)s.\n\nSign in to score: %(url)s\n\nThank you.",
        name=judge.display_name,
        count=left,
        round=round_.name,
        competition=competition,
        deadline=deadline,
        url=external_url("judging.queue"),
    )
    return Mail(recipient=judge.email or "", subject=subject, body=body)


def remind_judges(round_: Round, *, actor, smtp_factory=None) -> ReminderReport:
    if round_.state != RoundState.OPEN:
        raise UserError(N_("Reminders can be sent only while the round is open."))
    report = ReminderReport(mail_configured=mail_configured())
    pending = pending_by_judge(round_)
    mails, owners = [], []
    for judge, left in pending:
        # Every reminder is in the judge's message centre too; the e-mail goes out below.
        mail = compose(round_, judge, left)
        notify(judge, MessageKind.REMINDER, mail.subject, mail.body, external_url("judging.queue"), email=False)
        if report.mail_configured and judge.email:
            mails.append(mail)
            owners.append((judge, left))
        else:
            report.to_call.append((judge, left))
    if mails:
        for (judge, left), delivery in zip(owners, send_all(mails, smtp_factory)):
            if delivery.ok:
                report.emailed.append(judge)
            else:
                report.failed.append((judge, delivery.error or ""))
                report.to_call.append((judge, left))
    audit.record(
        "judging.remind",
        round_,
        actor=actor,
        changes={
            "emailed": [j.display_name for j in report.emailed],
            "to_call": [j.display_name for j, _n in report.to_call],
            "failed": [j.display_name for j, _e in report.failed],
        },
    )
    return report

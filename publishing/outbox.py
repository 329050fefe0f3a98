"""Result e-mails: drafted per honoured author, reviewed, approved and sent through SMTP.

They are one kind in the one outbox (``accounts.outbox``, ``RESULT_MAILS``, registered by
the composition root): listed there with everything else waiting, sent one at a time
from there, or all approved ones of a result set from its own page."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from accounts import activity_access
from accounts.models import User
from accounts.outbox import Item, Source, require_mail
from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.mail import Delivery, Mail, mail_configured, mail_report, send_marking
from core.urls import external_url
from publishing.certificates import verify_url
from publishing.models import MessageStatus, OutboxMessage, ResultSet, ResultState, SourceType
from publishing.permissions import can_manage_results


def prepare_result_messages(rs: ResultSet, actor) -> list[OutboxMessage]:
    """Draft one e-mail per honoured author with an address; the organiser reviews them."""
    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("Result e-mails can be prepared only after the results are published."))
    have = set(db.session.scalars(select(OutboxMessage.honour_id).where(OutboxMessage.result_set_id == rs.id)))
    home = external_url("core.home")
    new = []
    for h in rs.active_honours:
        if h.id in have or not h.user_id:
            continue
        user = db.session.get(User, h.user_id)
        if user is None or not user.email:
            continue
        cert = h.certificate
        # One msgid per line, so that the catalogue holds no line breaks.
        body = (
            "\n\n".join(
                [
                    _("Dear %(name)s,", name=h.recipient_name),
                    _(
                        "The results of %(activity)s have been published. Your entry %(work)s has received: %(level)s.",
                        activity=rs.title,
                        work=f"《{h.work_title}》" if h.work_title else "",
                        level=h.level_text,
                    ),
                    _("Sign in to download your certificate: %(url)s", url=home),
                ]
            )
            + "\n"
        )
        if cert is not None and not cert.revoked:
            body += (
                _(
                    "Certificate number %(number)s can be checked at %(url)s",
                    number=cert.number,
                    url=verify_url(cert.token),
                )
                + "\n"
            )
        msg = OutboxMessage(
            result_set_id=rs.id,
            honour_id=h.id,
            recipient=user.email,
            subject=_("Results of %(activity)s", activity=rs.title)[:200],
            body=body,
        )
        db.session.add(msg)
        new.append(msg)
    db.session.flush()
    audit.record("outbox.prepare", rs, actor=actor, changes={"messages": len(new)})
    return new


def approve_messages(messages: list[OutboxMessage], actor) -> int:
    n = 0
    for msg in messages:
        if msg.status in (MessageStatus.DRAFT, MessageStatus.FAILED):
            msg.status = MessageStatus.APPROVED
            msg.approved_by_id = getattr(actor, "id", None)
            msg.approved_at = utcnow()
            n += 1
    if n:
        audit.record("outbox.approve", object_type="outbox_messages", actor=actor, changes={"messages": n})
    db.session.flush()
    return n


def update_message(msg: OutboxMessage, subject: str, body: str, actor) -> OutboxMessage:
    if msg.status == MessageStatus.SENT:
        raise UserError(N_("A sent message cannot be changed."))
    before = {"subject": msg.subject, "body": msg.body}
    msg.subject, msg.body = (subject or "").strip()[:200], (body or "").strip()
    if not msg.subject or not msg.body:
        raise UserError(N_("A message needs a subject and a text."))
    msg.status = MessageStatus.DRAFT  # edited text needs a fresh review
    audit.record(
        "outbox.edit", msg, actor=actor, changes=audit.diff(before, {"subject": msg.subject, "body": msg.body})
    )
    db.session.flush()
    return msg


def send_approved_messages(rs: ResultSet, actor, smtp_factory=None) -> dict:
    """Send the approved messages of a published result set through SMTP, if configured."""
    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("Nothing is sent before the results are published."))
    pending = list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.result_set_id == rs.id, OutboxMessage.status == MessageStatus.APPROVED
            )
        )
    )
    if not mail_configured():
        return mail_report(waiting=len(pending), configured=False)
    return _deliver(pending, rs, actor, smtp_factory)


def _deliver(pending: list[OutboxMessage], rs: ResultSet, actor, smtp_factory=None) -> dict:
    report = send_marking(pending, lambda m: Mail(m.recipient, m.subject, m.body), _mark_sent, smtp_factory)
    audit.record("outbox.send", rs, actor=actor, changes={"sent": report["sent"], "failed": report["failed"]})
    db.session.flush()
    return report


def _mark_sent(msg: OutboxMessage, delivery: Delivery) -> None:
    if delivery.ok:
        msg.status, msg.sent_at, msg.error = MessageStatus.SENT, utcnow(), None
    else:
        msg.status, msg.error = MessageStatus.FAILED, delivery.error


# -- in the one outbox (accounts.outbox) ---------------------------------------------------


WAITING = (MessageStatus.DRAFT, MessageStatus.APPROVED, MessageStatus.FAILED)


def _may_send(user, rs: ResultSet | None) -> bool:
    """An organiser of the result set's activity (a co-organising department: only its own)."""
    if rs is None or not can_manage_results(user):
        return False
    kind = activity_access.PROGRAMME if rs.source_type == SourceType.PROGRAMME else activity_access.COMPETITION
    return activity_access.can_organise(user, kind, rs.source_id)


def waiting_result_mails(user) -> list[Item]:
    """Result e-mails not sent yet, of the result sets ``user`` manages."""
    if not can_manage_results(user):
        return []
    stmt = select(OutboxMessage).where(OutboxMessage.status.in_(WAITING)).order_by(OutboxMessage.id)
    return [
        Item(
            kind="result",
            id=m.id,
            subject=m.subject,
            to=m.recipient,
            state=m.status.label,
            failed=m.status == MessageStatus.FAILED,
            created_at=m.created_at,
            review_url=url_for("publishing.outbox_message", message_id=m.id),
            error=m.error or "",
        )
        for m in db.session.scalars(stmt)
        if _may_send(user, m.result_set)
    ]


def send_result_mail(message_id: int, actor, smtp_factory=None) -> str | None:
    """Send one result e-mail from the outbox page: sending it there is its approval."""
    msg = db.session.get(OutboxMessage, message_id)
    if msg is None or msg.status not in WAITING or not _may_send(actor, msg.result_set):
        return None
    rs = msg.result_set
    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("Nothing is sent before the results are published."))
    require_mail()
    approve_messages([msg], actor)
    out = _deliver([msg], rs, actor, smtp_factory)
    return _("%(sent)s sent, %(failed)s failed.", sent=out["sent"], failed=out["failed"])


RESULT_MAILS = Source("result", N_("Result e-mails"), waiting_result_mails, send_result_mail)

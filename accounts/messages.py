"""Messages to people: what the site told them, and the e-mail copy.

Every package tells a person something through :func:`notify` (a receipt, a
qualification result, an award, a withdrawn award, a notice from the
organisers) without knowing any other package. The message is kept for the
person's message centre; when the person has an address, an e-mail copy waits
in the outbox (``MailState.QUEUED``) and :func:`send_queued_mail` sends it
through SMTP when it is configured.

Organisers' notices to many people (:class:`Notice`) are drafted, reviewed and
only then sent: :func:`send_notice` turns a reviewed notice into one message
per recipient. Who the recipients are is decided by the package that knows the
audience (see ``judging.notices``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core import audit
from core.db import UTCDateTime, str_enum, utcnow
from core.enums import LabelledEnum
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.jobs import every_minutes
from core.mail import Delivery, Mail, mail_configured, mail_report, send_marking
from core.urls import public_base_url

PER_PAGE = 20


class MessageKind(LabelledEnum):
    RECEIPT = "receipt", N_("Receipt")
    QUALIFICATION = "qualification", N_("Qualification result")
    AWARD = "award", N_("Award")
    CERTIFICATE = "certificate", N_("Certificate ready")
    WITHDRAWN = "withdrawn", N_("Award withdrawn")
    OBJECTION = "objection", N_("Objection")
    NOTICE = "notice", N_("Notice")
    REMINDER = "reminder", N_("Reminder")


class MailState(LabelledEnum):
    NONE = "none", N_("No e-mail")
    QUEUED = "queued", N_("Waiting in the outbox")
    SENT = "sent", N_("E-mailed")
    FAILED = "failed", N_("Sending failed")


class NoticeState(LabelledEnum):
    DRAFT = "draft", N_("Draft")
    SENT = "sent", N_("Sent")


class Notice(db.Model):
    """A notice from the organisers to a group of people, reviewed before it is sent."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")
    audience: Mapped[str] = mapped_column(String(255), default="")  # in words, for the review
    recipient_ids: Mapped[list] = mapped_column(JSON, default=list)
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 16), default=MessageKind.NOTICE)
    state: Mapped[NoticeState] = mapped_column(str_enum(NoticeState, 16), default=NoticeState.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def audit_label(self) -> str:
        return self.subject

    def recipients(self) -> list[User]:
        if not self.recipient_ids:
            return []
        return list(db.session.scalars(select(User).where(User.id.in_(self.recipient_ids)).order_by(User.id)))


class Message(db.Model):
    """One thing one person was told; newest first in their message centre."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")  # the e-mail copy goes here
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 16))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    mail_state: Mapped[MailState] = mapped_column(str_enum(MailState, 16), default=MailState.NONE, index=True)
    mail_error: Mapped[str | None] = mapped_column(Text)
    mailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User | None] = relationship()

    @property
    def audit_label(self) -> str:
        return self.subject


def notify(
    user_or_address, kind: str, subject: str, body: str, link: str = "", *, email: bool = True
) -> Message | None:
    """Tell one person something: kept in their message centre, e-mailed if they have an address.

    ``user_or_address`` is a ``User`` (or a user id) or a bare e-mail address
    (someone without an account). ``subject`` and ``body`` are already
    translated; ``link`` is a path or URL in the site. Nothing happens for
    nobody (``None``), so callers need not check. ``email=False`` keeps the
    message in the site only (the caller mails it itself, e.g. judges' reminders).
    """
    user = user_or_address
    if isinstance(user_or_address, int):
        user = db.session.get(User, user_or_address)
    if user is None or user == "":
        return None
    if isinstance(user, str):
        address, user_id = user.strip(), None
    else:
        address, user_id = (user.email or "").strip(), user.id
    msg = Message(
        user_id=user_id,
        address=address[:255],
        kind=MessageKind(kind),
        subject=(subject or "").strip()[:200],
        body=_text(body),
        link=(link or "")[:500],
        mail_state=MailState.QUEUED if address and email else MailState.NONE,
    )
    db.session.add(msg)  # inserted with the caller's next flush (a submission's, its audit entry's)
    return msg


# -- the message centre -----------------------------------------------------------


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        db.session.scalar(select(func.count(Message.id)).where(Message.user_id == user.id, Message.read_at.is_(None)))
        or 0
    )


def messages_for(user, page: int = 1):
    """One page of a person's messages, newest first."""
    stmt = select(Message).where(Message.user_id == user.id).order_by(Message.created_at.desc(), Message.id.desc())
    return db.paginate(stmt, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def mark_read(msg: Message) -> Message:
    if msg.read_at is None:
        msg.read_at = utcnow()
        db.session.flush()
    return msg


def mark_all_read(user) -> int:
    unread = list(db.session.scalars(select(Message).where(Message.user_id == user.id, Message.read_at.is_(None))))
    now = utcnow()
    for msg in unread:
        msg.read_at = now
    db.session.flush()
    return len(unread)


# -- the outbox: e-mail copies ---------------------------------------------------------


AUTO_ATTEMPTS = 3  # the worker retries a failed copy this often; the outbox button always tries


def queued_mail(max_attempts: int | None = None, ids: list[int] | None = None) -> list[Message]:
    stmt = select(Message).where(Message.mail_state.in_([MailState.QUEUED, MailState.FAILED])).order_by(Message.id)
    if max_attempts is not None:
        stmt = stmt.where(Message.attempts < max_attempts)
    if ids is not None:
        stmt = stmt.where(Message.id.in_(ids))
    return list(db.session.scalars(stmt))


def send_queued_mail(
    actor=None, smtp_factory=None, max_attempts: int | None = None, ids: list[int] | None = None
) -> dict:
    """E-mail the copies waiting in the outbox (and retry failed ones), if SMTP is configured;
    ``ids``: only these copies (the outbox page sends one at a time too)."""
    pending = queued_mail(max_attempts, ids)
    if not mail_configured():
        return mail_report(waiting=len(pending), configured=False)
    if not pending:
        db.session.flush()
        return mail_report()
    report = send_marking(pending, _mail_of, _mark_copy, smtp_factory, unreachable_fails_each=True)
    audit.record(
        "messages.mail",
        object_type="messages",
        actor=actor,
        changes={"sent": report["sent"], "failed": report["failed"]},
    )
    db.session.flush()
    return report


def _mail_of(msg: Message) -> Mail:
    return Mail(msg.address, msg.subject, _mail_body(msg))


def _mark_copy(msg: Message, delivery: Delivery) -> None:
    msg.attempts = (msg.attempts or 0) + 1
    if delivery.ok:
        msg.mail_state, msg.mailed_at, msg.mail_error = MailState.SENT, utcnow(), None
    else:
        msg.mail_state, msg.mail_error = MailState.FAILED, delivery.error


@every_minutes(5)
def send_queued_mail_periodically() -> None:
    """The worker e-mails the waiting copies every five minutes when SMTP is configured."""
    if mail_configured():
        send_queued_mail(max_attempts=AUTO_ATTEMPTS)


def _mail_body(msg: Message) -> str:
    if not msg.link:
        return msg.body + "\n"
    link = msg.link if msg.link.startswith(("http://", "https://")) else public_base_url() + msg.link
    return f"{msg.body}\n\n{link}\n"


# -- organisers' notices -----------------------------------------------------------------


def draft_notice(
    recipients: list[User],
    subject: str,
    body: str,
    *,
    audience: str,
    actor,
    link: str = "",
    kind: str = MessageKind.NOTICE,
) -> Notice:
    subject, body = (subject or "").strip()[:200], _text(body)
    if not subject or not body:
        raise UserError(N_("A message needs a subject and a text."))
    ids = sorted({u.id for u in recipients})
    if not ids:
        raise UserError(N_("Nobody matches: the notice would reach no one."))
    notice = Notice(
        subject=subject,
        body=body,
        link=link[:500],
        audience=audience[:255],
        recipient_ids=ids,
        kind=MessageKind(kind),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(notice)
    db.session.flush()
    audit.record("notice.draft", notice, actor=actor, changes={"audience": audience, "recipients": len(ids)})
    return notice


def _text(body: str | None) -> str:
    """A form's text with plain line breaks (browsers send CRLF), paragraphs kept."""
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def update_notice(notice: Notice, subject: str, body: str, actor) -> Notice:
    if notice.state == NoticeState.SENT:
        raise UserError(N_("A sent message cannot be changed."))
    before = {"subject": notice.subject, "body": notice.body}
    subject, body = (subject or "").strip()[:200], _text(body)
    if not subject or not body:
        raise UserError(N_("A message needs a subject and a text."))
    notice.subject, notice.body = subject, body
    audit.record("notice.edit", notice, actor=actor, changes=audit.diff(before, {"subject": subject, "body": body}))
    db.session.flush()
    return notice


def send_notice(notice: Notice, actor) -> int:
    """The reviewed notice goes out: one message per recipient (e-mail copies wait in the outbox)."""
    if notice.state == NoticeState.SENT:
        raise UserError(N_("This notice has already been sent."))
    count = 0
    for user in notice.recipients():
        msg = notify(user, notice.kind, notice.subject, notice.body, notice.link)
        msg.notice_id = notice.id
        count += 1
    notice.state, notice.sent_at, notice.sent_by_id = NoticeState.SENT, utcnow(), getattr(actor, "id", None)
    audit.record("notice.send", notice, actor=actor, changes={"recipients": count})
    db.session.flush()
    return count


def discard_notice(notice: Notice, actor) -> None:
    if notice.state == NoticeState.SENT:
        raise UserError(N_("A sent message cannot be changed."))
    audit.record("notice.discard", notice, actor=actor)
    db.session.delete(notice)
    db.session.flush()


def notices(page: int = 1, created_by=None):
    """Notices newest first; an organiser sees their own, an administrator everyone's."""
    stmt = select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc())
    if created_by is not None and not created_by.has_role("admin"):
        stmt = stmt.where(Notice.created_by_id == created_by.id)
    return db.paginate(stmt, page=max(page, 1), per_page=PER_PAGE, error_out=False)

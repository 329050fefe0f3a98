"""The one outbox: everything waiting to go out, by kind, reviewed and sent from one page.

Each kind is a ``Source``: it lists what waits for the person looking (only what
they may send) and sends one item. Accounts brings two: organisers' notices not
yet sent (``NOTICES``: sending one delivers it to each recipient's message centre,
and its e-mail copies join ``MAIL``) and the e-mail copies of messages (``MAIL``).
Other packages add theirs through ``register`` from the composition root
(``core.register_hooks``: publishing's result e-mails), so this module
knows no feature package and the page knows no source's model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from accounts import messages
from accounts.permissions import can_manage_notice, can_send_mail_copies, can_use_outbox
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.mail import mail_configured


@dataclass(frozen=True)
class Item:
    """One thing waiting to go out, as the outbox page shows it."""

    kind: str
    id: int
    subject: str
    to: str  # the address, or the audience in words
    state: str  # translated
    failed: bool
    created_at: dt.datetime | None
    review_url: str = ""  # where its text is reviewed and edited, if elsewhere
    error: str = ""


@dataclass(frozen=True)
class Source:
    kind: str
    label: str  # marked with N_, translated by the page
    waiting: Callable[[object], list[Item]]  # (user) -> items that user may send
    send: Callable[[int, object], str | None]  # (item id, actor) -> what to tell; None: no such item for them


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add (or replace) the source of one kind; the composition root calls this."""
    _SOURCES[source.kind] = source


def sources() -> list[Source]:
    return list(_SOURCES.values())


def waiting_by_kind(user) -> list[tuple[Source, list[Item]]]:
    """Every kind with what waits in it for ``user`` (nothing for someone without the outbox)."""
    if not can_use_outbox(user):
        return []
    return [(source, source.waiting(user)) for source in sources()]


def send_item(kind: str, item_id: int, actor) -> str | None:
    """Send one waiting item; None when there is no such item ``actor`` may send (a 404)."""
    source = _SOURCES.get(kind)
    if source is None or not can_use_outbox(actor):
        return None
    return source.send(item_id, actor)


def require_mail() -> None:
    if not mail_configured():
        raise UserError(N_("E-mail is not configured (MAIL_SERVER); the messages stay in the outbox."))


# -- accounts' own kinds -------------------------------------------------------------------


def _draft_notices(user) -> list[Item]:
    stmt = select(messages.Notice).where(messages.Notice.state == messages.NoticeState.DRAFT)
    drafts = db.session.scalars(stmt.order_by(messages.Notice.id))
    return [
        Item(
            kind="notice",
            id=n.id,
            subject=n.subject,
            to=_("%(audience)s (%(count)s people)", audience=n.audience, count=len(n.recipient_ids or [])),
            state=n.state.label,
            failed=False,
            created_at=n.created_at,
            review_url=url_for("judging.notice_review", notice_id=n.id),
        )
        for n in drafts
        if can_manage_notice(user, n)
    ]


def _send_notice(notice_id: int, actor) -> str | None:
    notice = db.session.get(messages.Notice, notice_id)
    if notice is None or notice.state != messages.NoticeState.DRAFT or not can_manage_notice(actor, notice):
        return None
    count = messages.send_notice(notice, actor)
    return _("The notice was sent to %(count)s people.", count=count)


def _mail_copies(user) -> list[Item]:
    if not can_send_mail_copies(user):
        return []
    return [
        Item(
            kind="mail",
            id=m.id,
            subject=m.subject,
            to=m.address,
            state=m.mail_state.label,
            failed=m.mail_state == messages.MailState.FAILED,
            created_at=m.created_at,
            error=m.mail_error or "",
        )
        for m in messages.queued_mail()
    ]


def _send_mail_copy(message_id: int, actor) -> str | None:
    if not can_send_mail_copies(actor) or not messages.queued_mail(ids=[message_id]):
        return None
    require_mail()
    result = messages.send_queued_mail(actor, ids=[message_id])
    return _("%(sent)s sent, %(failed)s failed.", sent=result["sent"], failed=result["failed"])


NOTICES = Source("notice", N_("Notices to review"), _draft_notices, _send_notice)
MAIL = Source("mail", N_("E-mail copies of messages"), _mail_copies, _send_mail_copy)
register(NOTICES)
register(MAIL)

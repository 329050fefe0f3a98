"""Sending e-mail through the configured SMTP server.

Without ``MAIL_SERVER`` nothing is sent: callers keep their messages (an
outbox, a reminder log) and tell the person that mail is not configured.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Callable, Iterable

from flask import current_app


@dataclass
class Mail:
    recipient: str
    subject: str
    body: str


@dataclass
class Delivery:
    mail: Mail
    ok: bool
    error: str | None = None


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_all(mails: Iterable[Mail], smtp_factory: Callable[[], smtplib.SMTP] | None = None) -> list[Delivery]:
    """Send each mail over one SMTP connection; a failure affects only its mail."""
    cfg = current_app.config
    factory = smtp_factory or (lambda: smtplib.SMTP(cfg["MAIL_SERVER"], cfg.get("MAIL_PORT") or 25, timeout=20))
    results: list[Delivery] = []
    with factory() as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        for mail in mails:
            message = EmailMessage()
            message["From"] = cfg.get("MAIL_SENDER") or "zhengping@localhost"
            message["To"] = mail.recipient
            message["Subject"] = mail.subject
            message.set_content(mail.body)
            try:
                smtp.send_message(message)
                results.append(Delivery(mail, True))
            except (smtplib.SMTPException, OSError) as exc:
                results.append(Delivery(mail, False, str(exc)[:1000]))
    return results


def send_marking(
    items: list,
    to_mail: Callable[[object], Mail],
    mark: Callable[[object, Delivery], None],
    smtp_factory: Callable[[], smtplib.SMTP] | None = None,
    *,
    unreachable_fails_each: bool = False,
) -> dict:
    """E-mail ``to_mail(item)`` for each item, call ``mark(item, delivery)`` with its outcome and
    return the outbox report. ``unreachable_fails_each``: a server that cannot be reached fails
    every mail instead of raising."""
    mails = [to_mail(item) for item in items]
    try:
        deliveries = send_all(mails, smtp_factory)
    except (smtplib.SMTPException, OSError) as exc:
        if not unreachable_fails_each:
            raise
        deliveries = [Delivery(mail, False, str(exc)[:1000]) for mail in mails]
    for item, delivery in zip(items, deliveries):
        mark(item, delivery)
    sent = sum(1 for delivery in deliveries if delivery.ok)
    return mail_report(sent=sent, failed=len(deliveries) - sent)


def mail_report(sent: int = 0, failed: int = 0, waiting: int = 0, configured: bool = True) -> dict:
    """What an outbox's "send" answers: how many went, failed, still wait, and whether SMTP is set."""
    return {"sent": sent, "failed": failed, "waiting": waiting, "configured": configured}

"""The entry receipt as a PDF, and the public receipt check its QR code opens.

The check finds an entry by a random token (never by the sequential receipt
number, which anyone could count through) and shows only what proves the
receipt: its number, the activity and the moment the server received the
entry. No name, unit or title.

The PDF's metadata carries the activity and the receipt number in its title;
the author's name is printed on the page but kept out of the metadata, so a
forwarded file does not carry it in places nobody looks at.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.pdf import render_pdf
from core.urls import external_url
from essays.models import Submission, SubmissionStatus

TOKEN_MAX_LENGTH = 64


def new_receipt_token() -> str:
    return secrets.token_urlsafe(16)


def check_url(entry: Submission) -> str:
    """The public receipt check of ``entry`` (what its QR code holds)."""
    return external_url("essays.receipt_check", token=entry.receipt_token)


def entry_for_check(token: str | None) -> Submission | None:
    """The received entry with this receipt token, or None (drafts have no receipt)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    entry = db.session.scalar(select(Submission).where(Submission.receipt_token == token))
    if entry is None or entry.receipt_number is None or entry.status == SubmissionStatus.DRAFT:
        return None
    return entry


def check_facts(entry: Submission) -> dict:
    """All the public receipt check shows."""
    return {
        "receipt_number": entry.receipt_number,
        "activity": entry.competition.title,
        "received_at": entry.submitted_at,
    }


def _qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=1, dark="#000")


def file_name(entry: Submission) -> str:
    return re.sub(r"[^\w.\-]+", "_", f"{entry.receipt_number}") + ".pdf"


def receipt_pdf(entry: Submission) -> bytes:
    """The receipt of a received entry (the caller checked who may see it)."""
    if entry.receipt_token is None:  # received before tokens existed and missed by the migration
        entry.receipt_token = new_receipt_token()
        db.session.flush()
    url = check_url(entry)
    return render_pdf(
        "pdf/receipt.html",
        entry=entry,
        doc_title=_(
            "%(activity)s · Entry receipt %(number)s", activity=entry.competition.title, number=entry.receipt_number
        ),
        check_url=url,
        qr=_qr_data_uri(url),
    )

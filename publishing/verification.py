"""Public verification of a certificate, by its QR token or by number and holder's name."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select

from core.extensions import db
from publishing.clock import local_date
from publishing.models import Certificate, ResultState


def certificate_for_token(token: str) -> Certificate | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.token == token))


def publicly_verifiable(cert: Certificate | None) -> bool:
    """Only certificates of a list that is published now can be looked up by the public.

    A list taken down (or never published) answers like an unknown certificate: no
    name, unit or title of a list that is not public.
    """
    return cert is not None and cert.honour.result_set.state == ResultState.PUBLISHED


def normalise_name(name: str | None) -> str:
    """A holder's name as compared on the verify page: NFKC, all white space removed."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def certificate_for_number_and_name(number: str | None, name: str | None) -> Certificate | None:
    """The public certificate with this number held by this name, or None (never saying which did not match)."""
    number = "".join(unicodedata.normalize("NFKC", number or "").split())
    name = normalise_name(name)
    if not number or not name or len(number) > 40:
        return None
    cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
    if cert is None:
        cert = db.session.scalar(select(Certificate).where(func.upper(Certificate.number) == number.upper()))
    if cert is None or not publicly_verifiable(cert) or normalise_name(cert.honour.recipient_name) != name:
        return None
    return cert


def verification(cert: Certificate) -> dict:
    """What the public verification page and API show: no phone, no e-mail."""
    h = cert.honour
    return {
        "number": cert.number,
        "recipient_name": h.recipient_name,
        "recipient_unit": h.recipient_unit,
        "level_text": h.level_text,
        "work_title": h.work_title,
        "activity": h.result_set.title,
        "issue_date": cert.issue_date.isoformat(),
        "revoked": cert.revoked,
        "revoked_date": local_date(cert.revoked_at).isoformat() if cert.revoked else None,
        "revoked_reason": cert.revoked_reason if cert.revoked else None,
        "valid": not cert.revoked and not h.withdrawn and h.result_set.state == ResultState.PUBLISHED,
    }

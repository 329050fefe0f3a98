"""Objections to a public notice: filed by the public, investigated and resolved by organisers."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from publishing.models import Honour, Objection, ObjectionStatus, ResultSet
from publishing.notice import notice_accepts_objections
from publishing.notifications import tell_withdrawn
from publishing.results import withdraw_honour

_PHONE_RE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8})$")
_NAME_RE = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134F·・A-Za-z .]{2,30}$")


def _phone_key(phone: str) -> str:
    """A phone number as compared: digits only, without the +86 country code."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[2:] if digits.startswith("86") and len(digits) > 11 else digits


def file_objection(
    rs: ResultSet,
    *,
    real_name: str,
    phone: str,
    content: str,
    honour_id: int | None = None,
    ip: str | None = None,
    today: dt.date | None = None,
) -> Objection:
    """A member of the public objects during the notice; real name and phone are required."""
    if not notice_accepts_objections(rs, today):
        raise UserError(N_("The public notice is closed; objections are no longer accepted here."))
    real_name = (real_name or "").strip()
    phone = re.sub(r"\s+", "", phone or "")
    content = (content or "").strip()
    if not _NAME_RE.match(real_name):
        raise UserError(N_("Give your real name."))
    if not _PHONE_RE.match(phone):
        raise UserError(N_("Give a phone number where we can reach you (mobile or landline with area code)."))
    if len(content) < 10:
        raise UserError(N_("Describe the objection in at least 10 characters."))
    if len(content) > 5000:
        raise UserError(N_("The objection is too long (at most 5000 characters)."))
    honour = None
    if honour_id:
        honour = db.session.get(Honour, honour_id)
        if honour is None or honour.result_set_id != rs.id:
            raise UserError(N_("Choose an entry from this list."))
    # The same person sending the same objection again (a double click, a resend after a
    # slow page) gets the one already received, with its reference; nothing is stored twice.
    same = (_phone_key(phone), " ".join(content.split()), getattr(honour, "id", None))
    for earlier in db.session.scalars(
        select(Objection)
        .where(Objection.result_set_id == rs.id, Objection.real_name == real_name)
        .order_by(Objection.id)
    ):
        if (_phone_key(earlier.phone), " ".join(earlier.content.split()), earlier.honour_id) == same:
            earlier.already_received = True
            return earlier
    objection = Objection(
        result_set=rs, honour=honour, real_name=real_name, phone=phone, content=content, ip=(ip or "")[:64] or None
    )
    db.session.add(objection)
    db.session.flush()
    # The audit keeps who objected against what, without the phone number.
    audit.record(
        "objection.file",
        objection,
        actor=None,
        actor_label=audit.VISITOR,
        changes={"result_set": rs.id, "honour": getattr(honour, "id", None)},
    )
    return objection


def resolve_objection(objection: Objection, status: str, outcome: str, actor) -> Objection:
    """Mark under investigation, or close with a written outcome; upheld withdraws the entry."""
    status = ObjectionStatus(status)
    if objection.resolved:
        raise UserError(N_("This objection has already been resolved."))
    outcome = (outcome or "").strip()
    before = objection.status
    if status == ObjectionStatus.OPEN:
        raise UserError(N_("Choose what to do with the objection."))
    if status in (ObjectionStatus.DISMISSED, ObjectionStatus.UPHELD):
        if not outcome:
            raise UserError(N_("Write the outcome of the investigation."))
        objection.resolved_by_id = getattr(actor, "id", None)
        objection.resolved_at = utcnow()
    if status == ObjectionStatus.UPHELD:
        if objection.honour is None:
            raise UserError(N_("An upheld objection must name the entry to withdraw."))
        withdraw_honour(objection.honour, outcome, actor)
        tell_withdrawn(objection.honour, outcome)
    objection.status = status
    objection.outcome = outcome
    audit.record(
        "objection.resolve" if objection.resolved else "objection.investigate",
        objection,
        actor=actor,
        changes={"status": [before, status], "outcome": outcome},
    )
    db.session.flush()
    return objection


def find_objection(reference: str, phone: str) -> Objection | None:
    """The objection a person filed, by its reference and the phone number they gave.

    Both must match: the reference alone is short and guessable, and the outcome
    is the objector's. Nothing tells which of the two was wrong.
    """
    match = re.fullmatch(r"YY(\d{1,6})-(\d{1,9})", (reference or "").strip().upper())
    if not match or not phone:
        return None
    objection = db.session.get(Objection, int(match.group(2)))
    if objection is None or objection.result_set_id != int(match.group(1)):
        return None
    return objection if _phone_key(objection.phone) == _phone_key(phone) else None


def link_objection(objection: Objection, honour: Honour | None, actor) -> Objection:
    """Organisers may attach an objection to the entry it is about."""
    if honour is not None and honour.result_set_id != objection.result_set_id:
        raise UserError(N_("Choose an entry from this list."))
    objection.honour = honour
    audit.record("objection.link", objection, actor=actor, changes={"honour": getattr(honour, "id", None)})
    db.session.flush()
    return objection

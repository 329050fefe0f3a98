"""Publishing actions: import results, 公示, objections, publication, certificates, outbox.

Every function here flushes and writes its audit entry; the caller commits.
Business rules (no publication while the notice runs or an objection is open,
nothing sent before publication) are enforced here so routes, CLI and jobs
share them.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from core import audit, exports
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from publishing import formats, workdays
from publishing.models import (
    Certificate,
    CertificateTemplate,
    DayUnit,
    Honour,
    MessageStatus,
    Objection,
    ObjectionStatus,
    Ordering,
    OutboxMessage,
    RecipientKind,
    ResultSet,
    ResultState,
    SourceType,
    WorkdayOverride,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZES = ("A4", "A5", "B5")
ORIENTATIONS = ("landscape", "portrait")
STYLES = ("classic", "gold", "plain")
# Pages per WeasyPrint document in a batch: fonts are subset once per document, so
# bigger is faster; a cap keeps a worker's memory bounded and lets the bar move.
BATCH_CHUNK = 250


def today_local() -> dt.date:
    """Today on the organisers' clock (notice windows are Shanghai dates)."""
    return dt.datetime.now(SHANGHAI).date()


def local_date(moment: dt.datetime | None) -> dt.date:
    return (moment or utcnow()).astimezone(SHANGHAI).date()


# --- importing results -------------------------------------------------------


@dataclass
class HonourInput:
    level_code: str
    level_text: str
    recipient_name: str
    recipient_unit: str = ""
    work_title: str | None = None
    group_label: str = ""
    score: float | None = None
    rank: int | None = None
    user_id: int | None = None
    source_item_id: int | None = None
    recipient_kind: str = "person"


def import_honours(
    source_type: str,
    source_id: int,
    title: str,
    items: list[HonourInput],
    actor,
    *,
    organiser: str = "",
    ordering: str | None = None,
) -> ResultSet:
    """Create (or refill while still a draft) the result set of a finished round or programme."""
    source = SourceType(source_type)
    title = (title or "").strip()
    if not title:
        raise UserError(N_("The result set needs a title."))
    rs = db.session.scalar(select(ResultSet).where(ResultSet.source_type == source, ResultSet.source_id == source_id))
    if rs is not None and rs.state != ResultState.DRAFT:
        raise UserError(
            N_(
                "These results are already on public notice or published; "
                "unpublish them or ask the organiser before importing again."
            )
        )
    if rs is None:
        rs = ResultSet(
            source_type=source,
            source_id=source_id,
            title=title[:200],
            organiser=organiser[:200],
            created_by_id=getattr(actor, "id", None),
            ordering=Ordering(ordering) if ordering else Ordering.SCORE,
            state=ResultState.DRAFT,
        )
        db.session.add(rs)
        action = "results.import"
    else:
        rs.title = title[:200]
        if organiser:
            rs.organiser = organiser[:200]
        if ordering:
            rs.ordering = Ordering(ordering)
        rs.honours.clear()
        action = "results.reimport"
    for position, item in enumerate(items):
        name = (item.recipient_name or "").strip()
        level_text = (item.level_text or "").strip()
        if not name or not level_text:
            raise UserError(N_("Every honour needs a recipient and a level."))
        rs.honours.append(
            Honour(
                position=position,
                level_code=(item.level_code or "")[:20],
                level_text=level_text[:60],
                recipient_kind=RecipientKind(item.recipient_kind or "person"),
                recipient_name=name[:200],
                recipient_unit=(item.recipient_unit or "").strip()[:200],
                work_title=(item.work_title or "").strip()[:200] or None,
                group_label=(item.group_label or "").strip()[:60],
                score=item.score,
                rank=item.rank,
                user_id=item.user_id,
                source_item_id=item.source_item_id,
            )
        )
    db.session.flush()
    audit.record(action, rs, actor=actor, changes={"honours": len(items), "source": f"{source}:{source_id}"})
    return rs


def update_result_set(rs: ResultSet, actor, **fields) -> ResultSet:
    """Change title, organiser text, description or ordering."""
    allowed = {"title", "organiser", "description", "ordering"}
    before = {k: getattr(rs, k) for k in allowed}
    for key, value in fields.items():
        if key not in allowed:
            raise TypeError(key)
        setattr(rs, key, Ordering(value) if key == "ordering" else (value or "").strip())
    if not rs.title:
        raise UserError(N_("The result set needs a title."))
    changes = audit.diff(before, {k: getattr(rs, k) for k in allowed})
    if changes:
        audit.record("results.update", rs, actor=actor, changes=changes)
    db.session.flush()
    return rs


def correct_honour(honour: Honour, actor, **fields) -> Honour:
    """Fix a name, unit, title or level text (e.g. a typo found after publication)."""
    allowed = ("recipient_name", "recipient_unit", "work_title", "level_text", "group_label")
    before = {k: getattr(honour, k) for k in allowed}
    for key, value in fields.items():
        if key not in allowed:
            raise TypeError(key)
        value = (value or "").strip()
        setattr(honour, key, value or (None if key == "work_title" else ""))
    if not honour.recipient_name or not honour.level_text:
        raise UserError(N_("Every honour needs a recipient and a level."))
    changes = audit.diff(before, {k: getattr(honour, k) for k in allowed})
    if changes:
        audit.record("honour.correct", honour, actor=actor, changes=changes)
    db.session.flush()
    cert = honour.certificate
    if changes and cert is not None and not cert.revoked:
        # The stored copy is what the author downloads: left alone it would keep the typo.
        # Rendering now also refuses a correction the fonts cannot print, before it is saved.
        regenerate_certificate(cert, actor)
    return honour


def withdraw_honour(honour: Honour, reason: str, actor) -> Honour:
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for withdrawing the entry."))
    if honour.withdrawn:
        return honour
    honour.withdrawn = True
    honour.withdrawn_reason = reason
    honour.withdrawn_at = utcnow()
    if honour.certificate is not None and not honour.certificate.revoked:
        revoke_certificate(honour.certificate, reason, actor)
    audit.record("honour.withdraw", honour, actor=actor, changes={"reason": reason})
    db.session.flush()
    return honour


# --- working days and the notice window -------------------------------------


def workday_overrides() -> dict[dt.date, bool]:
    return {o.day: o.is_working for o in db.session.scalars(select(WorkdayOverride))}


def set_workday_override(day: dt.date, is_working: bool, note: str, actor) -> WorkdayOverride:
    row = db.session.scalar(select(WorkdayOverride).where(WorkdayOverride.day == day))
    before = None if row is None else row.is_working
    if row is None:
        row = WorkdayOverride(day=day, is_working=is_working, note=(note or "")[:200])
        db.session.add(row)
    else:
        row.is_working, row.note = is_working, (note or "")[:200]
    db.session.flush()
    audit.record("workday.override", row, actor=actor, changes={"is_working": [before, is_working], "note": note})
    return row


def delete_workday_override(row: WorkdayOverride, actor) -> None:
    audit.record("workday.override_delete", row, actor=actor, changes={"is_working": row.is_working})
    db.session.delete(row)
    db.session.flush()


@dataclass(frozen=True)
class NoticeWindow:
    first_day: dt.date
    last_day: dt.date
    uses_fallback: bool
    fallback_years: list[int] = field(default_factory=list)


def compute_notice_window(start: dt.date, length: int, unit: str) -> NoticeWindow:
    if DayUnit(unit) == DayUnit.WORKING:
        window = workdays.publicity_window(start, length, workday_overrides())
        return NoticeWindow(window.first_day, window.last_day, window.uses_fallback, window.fallback_years)
    return NoticeWindow(start, workdays.calendar_days_end(start, length), False, [])


def check_notice(rs: ResultSet, *, start: dt.date, length: int, unit: str, how_to_object: str) -> NoticeWindow:
    """Everything ``start_notice`` checks, without changing anything; returns the window it would use.

    The confirmation page shows this window before the organiser starts the notice.
    """
    if rs.state != ResultState.DRAFT:
        raise UserError(N_("Only a draft can be put on public notice."))
    if not rs.active_honours:
        raise UserError(N_("There is nobody to put on public notice."))
    if not (how_to_object or "").strip():
        raise UserError(N_("Say how to object: where to write or call, and by when."))
    if isinstance(start, dt.datetime):
        start = start.date()
    if not isinstance(start, dt.date):
        raise UserError(N_("Give the date the notice starts on."))
    today = today_local()
    # A notice that started in the past would be (partly) over before anyone saw it,
    # so the results could be published at once: the window opens today at the earliest.
    if start < today:
        raise UserError(
            N_("A public notice cannot start in the past: choose today (%(today)s) or a later date."),
            today=formats.format_date_arabic(today),
        )
    return compute_notice_window(start, length, unit)


def start_notice(rs: ResultSet, *, start: dt.date, length: int, unit: str, how_to_object: str, actor) -> ResultSet:
    """Put the proposed winners on public notice (公示), from today (Shanghai, server clock) or later."""
    window = check_notice(rs, start=start, length=length, unit=unit, how_to_object=how_to_object)
    return _open_notice(
        rs,
        start=start,
        length=length,
        unit=unit,
        how_to_object=how_to_object,
        window=window,
        started_at=utcnow(),
        actor=actor,
    )


def _open_notice(
    rs: ResultSet,
    *,
    start: dt.date,
    length: int,
    unit: str,
    how_to_object: str,
    window: NoticeWindow,
    started_at: dt.datetime,
    actor,
    changes: dict | None = None,
) -> ResultSet:
    rs.notice_start, rs.notice_length, rs.notice_unit = start, length, DayUnit(unit)
    rs.notice_first_day, rs.notice_last_day = window.first_day, window.last_day
    rs.notice_uses_fallback = window.uses_fallback
    rs.how_to_object = how_to_object.strip()
    rs.notice_started_at = started_at
    rs.state = ResultState.NOTICE
    db.session.flush()
    audit.record(
        "results.notice",
        rs,
        actor=actor,
        changes={
            "state": ["draft", "notice"],
            "first_day": window.first_day,
            "last_day": window.last_day,
            "length": length,
            "unit": str(unit),
            "fallback": window.uses_fallback,
            **(changes or {}),
        },
    )
    return rs


def cancel_notice(rs: ResultSet, reason: str, actor) -> ResultSet:
    """Take a notice down (e.g. a wrong list was put up) and go back to the draft."""
    if rs.state != ResultState.NOTICE:
        raise UserError(N_("These results are not on public notice."))
    if not (reason or "").strip():
        raise UserError(N_("Give a reason."))
    rs.state = ResultState.DRAFT
    audit.record(
        "results.notice_cancel", rs, actor=actor, changes={"state": ["notice", "draft"], "reason": reason.strip()}
    )
    db.session.flush()
    return rs


def notice_accepts_objections(rs: ResultSet, today: dt.date | None = None) -> bool:
    today = today or today_local()
    return rs.state == ResultState.NOTICE and rs.notice_last_day is not None and today <= rs.notice_last_day


def unresolved_objections(rs: ResultSet) -> list[Objection]:
    return [o for o in rs.objections if not o.resolved]


# --- objections ---------------------------------------------------------------

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


def link_objection(objection: Objection, honour: Honour | None, actor) -> Objection:
    """Organisers may attach an objection to the entry it is about."""
    if honour is not None and honour.result_set_id != objection.result_set_id:
        raise UserError(N_("Choose an entry from this list."))
    objection.honour = honour
    audit.record("objection.link", objection, actor=actor, changes={"honour": getattr(honour, "id", None)})
    db.session.flush()
    return objection


# --- publication ---------------------------------------------------------------


def publish_results(rs: ResultSet, actor, today: dt.date | None = None) -> ResultSet:
    """Publish the final list: only after a notice that has closed with every objection resolved."""
    today = today or today_local()
    if rs.state == ResultState.PUBLISHED:
        raise UserError(N_("These results are already published."))
    if rs.state == ResultState.DRAFT:
        raise UserError(N_("Put the proposed winners on public notice before publishing the final results."))
    if rs.state == ResultState.NOTICE and rs.notice_last_day and today <= rs.notice_last_day:
        raise UserError(
            N_("The public notice runs until %(day)s; the final results can be published after it has closed."),
            day=formats.format_date_arabic(rs.notice_last_day),
        )
    if unresolved_objections(rs):
        raise UserError(N_("%(count)s objection(s) are not resolved yet."), count=len(unresolved_objections(rs)))
    if not rs.active_honours:
        raise UserError(N_("There is nobody left on the list to publish."))
    before = rs.state
    rs.state = ResultState.PUBLISHED
    rs.published_at = utcnow()
    db.session.flush()
    audit.record(
        "results.publish", rs, actor=actor, changes={"state": [before, "published"], "honours": len(rs.active_honours)}
    )
    return rs


def unpublish_results(rs: ResultSet, reason: str, actor) -> ResultSet:
    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("These results are not published."))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give a reason."))
    rs.state = ResultState.UNPUBLISHED
    rs.unpublished_at = utcnow()
    db.session.flush()
    audit.record(
        "results.unpublish", rs, actor=actor, changes={"state": ["published", "unpublished"], "reason": reason}
    )
    return rs


# --- the 获奖名单 --------------------------------------------------------------


def _level_key(code: str) -> int:
    return formats.LEVEL_CODES.index(code) if code in formats.LEVEL_CODES else len(formats.LEVEL_CODES)


def grouped_honours(rs: ResultSet, honours: list[Honour] | None = None) -> list[dict]:
    """Levels from the highest, then groups in first-seen order; within, by score or as imported."""
    honours = rs.active_honours if honours is None else honours
    first_pos: dict[str, int] = {}
    for h in honours:
        first_pos.setdefault(h.level_text, h.position)
    levels: dict[str, dict] = {}
    for h in sorted(honours, key=lambda h: (_level_key(h.level_code), first_pos[h.level_text], h.position)):
        level = levels.setdefault(h.level_text, {"level_text": h.level_text, "level_code": h.level_code, "groups": {}})
        level["groups"].setdefault(h.group_label, []).append(h)
    out = []
    for level in levels.values():
        groups = []
        for label, rows in level["groups"].items():
            if rs.ordering == Ordering.SCORE:
                rows = sorted(
                    rows,
                    key=lambda h: (
                        h.rank if h.rank is not None else 10**9,
                        -(h.score if h.score is not None else -1e9),
                        h.position,
                    ),
                )
            groups.append({"label": label, "rows": rows})
        out.append(
            {
                "level_text": level["level_text"],
                "level_code": level["level_code"],
                "groups": groups,
                "count": sum(len(g["rows"]) for g in groups),
            }
        )
    return out


def list_title(rs: ResultSet) -> str:
    return rs.title if rs.title.endswith("获奖名单") else f"{rs.title}获奖名单"


def winner_list_pdf(rs: ResultSet) -> bytes:
    from core.pdf import render_pdf

    return render_pdf(
        "pdf/winner_list.html",
        rs=rs,
        title=list_title(rs),
        levels=grouped_honours(rs),
        unordered=rs.ordering == Ordering.UNORDERED,
        date_text=formats.format_date_arabic(local_date(rs.published_at)),
    )


def winner_list_table(rs: ResultSet) -> exports.Table:
    """The public winner list as a sheet: the list's title above 序号, 奖次, 组别, 作品, 作者, 单位."""

    def rows():
        n = 0
        for level in grouped_honours(rs):
            for group in level["groups"]:
                for h in group["rows"]:
                    n += 1
                    yield [n, h.level_text, group["label"], h.work_title or "", h.recipient_name, h.recipient_unit]

    columns = [
        exports.Column(_("No."), 6),
        exports.Column(_("Award level"), 12),
        exports.Column(_("Group"), 12),
        exports.Column(_("Work"), 40),
        exports.Column(_("Author"), 16),
        exports.Column(_("Unit"), 30),
    ]
    return exports.Table(columns, rows(), sheet=_("Winner list"), title=list_title(rs), freeze_header=False)


def winner_list_xlsx(rs: ResultSet) -> bytes:
    return exports.table_bytes(winner_list_table(rs), "xlsx")


# --- certificate templates -------------------------------------------------------


def ensure_template(rs: ResultSet) -> CertificateTemplate:
    if rs.template is None:
        rs.template = CertificateTemplate(
            title="荣誉证书",
            activity_name=rs.title.removesuffix("获奖名单"),
            closing=formats.CERTIFICATE_CLOSING,
            issuers=rs.organiser or "",
            date_style="chinese_with_day",
            page_size="A4",
            orientation="landscape",
            style="classic",
            activity_code="ZP",
            number_pattern="{code}-{year}-{level_no}{serial:04d}",
        )
        db.session.flush()
    return rs.template


TEMPLATE_FIELDS = (
    "title",
    "activity_name",
    "closing",
    "issuers",
    "issue_date",
    "date_style",
    "page_size",
    "orientation",
    "style",
    "activity_code",
    "number_pattern",
)


def update_template(
    tpl: CertificateTemplate,
    actor,
    *,
    seal: bytes | None = None,
    seal_type: str = "",
    remove_seal: bool = False,
    **fields,
) -> CertificateTemplate:
    check_template_fields(fields)
    before = {k: getattr(tpl, k) for k in TEMPLATE_FIELDS}
    for key, value in fields.items():
        if key not in TEMPLATE_FIELDS:
            raise TypeError(key)
        setattr(tpl, key, value.strip() if isinstance(value, str) else value)
    if remove_seal:
        tpl.seal_file_id = None
    if seal:
        from core.storage import store_bytes

        if seal_type not in ("image/png", "image/jpeg", "image/svg+xml"):
            raise UserError(N_("The seal must be a PNG, JPEG or SVG image."))
        suffix = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}[seal_type]
        stored = store_bytes(
            seal, content_type=seal_type, original_name="seal" + suffix, suffix=suffix, created_by=actor
        )
        db.session.flush()
        tpl.seal_file_id = stored.id
    changes = audit.diff(before, {k: getattr(tpl, k) for k in TEMPLATE_FIELDS})
    if seal or remove_seal:
        changes["seal"] = ["", "new" if seal else "removed"]
    audit.record(
        "certificate_template.update",
        tpl,
        actor=actor,
        changes=changes,
        label=tpl.result_set.title if tpl.result_set else "",
    )
    db.session.flush()
    return tpl


def check_template_fields(fields: dict) -> None:
    if "number_pattern" in fields:
        formats.validate_number_pattern(fields["number_pattern"])
    if fields.get("date_style", "arabic") not in formats.DATE_STYLES:
        raise UserError(N_("Unknown date style."))
    if (
        fields.get("page_size", "A4") not in PAGE_SIZES
        or fields.get("orientation", "landscape") not in ORIENTATIONS
        or fields.get("style", "classic") not in STYLES
    ):
        raise UserError(N_("Unknown page layout."))
    if "title" in fields and not (fields["title"] or "").strip():
        raise UserError(N_("The certificate needs a title."))
    if "activity_name" in fields and not (fields["activity_name"] or "").strip():
        raise UserError(N_("The activity name is missing."))


# --- certificates -------------------------------------------------------------------


def _number_for(tpl: CertificateTemplate, honour: Honour, serial: int, year: int) -> str:
    level_no = formats.level_order(honour.level_code) if honour.level_code in formats.LEVEL_CODES else 9
    return formats.certificate_number(
        tpl.number_pattern,
        code=tpl.activity_code,
        year=year,
        level=honour.level_code or "x",
        level_no=level_no,
        serial=serial,
        group=honour.group_label or "-",
    )


def issue_certificates(rs: ResultSet, actor) -> list[Certificate]:
    """Number a certificate for every honour of a published list that has none yet."""
    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("Certificates are issued only for published results."))
    tpl = ensure_template(rs)
    issue_date = tpl.issue_date or local_date(rs.published_at)
    serial = (
        db.session.scalar(select(func.max(Certificate.serial)).join(Honour).where(Honour.result_set_id == rs.id)) or 0
    )
    new: list[Certificate] = []
    ordered = [h for level in grouped_honours(rs) for g in level["groups"] for h in g["rows"]]
    numbers = [c.number for c in db.session.scalars(select(Certificate))] if ordered else []
    taken = set(numbers)
    for honour in ordered:
        if honour.certificate is not None:
            continue
        serial += 1
        number = _number_for(tpl, honour, serial, issue_date.year)
        if number in taken:
            raise UserError(
                N_(
                    "The certificate number %(number)s is already used by another activity; "
                    "change the activity code or the number pattern."
                ),
                number=number,
            )
        taken.add(number)
        cert = Certificate(
            honour=honour, serial=serial, number=number, token=secrets.token_urlsafe(24), issue_date=issue_date
        )
        db.session.add(cert)
        new.append(cert)
    db.session.flush()
    if new:
        audit.record(
            "certificates.issue",
            rs,
            actor=actor,
            changes={"issued": len(new), "first": new[0].number, "last": new[-1].number},
        )
    return new


def revoke_certificate(cert: Certificate, reason: str, actor) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for revoking the certificate."))
    if cert.revoked:
        raise UserError(N_("This certificate is already revoked."))
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason
    cert.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("certificate.revoke", cert, actor=actor, changes={"reason": reason})
    return cert


def verify_url(token: str) -> str:
    from core.urls import external_url

    return external_url("publishing.verify", token=token)


def qr_data_uri(url: str) -> str:
    from publishing.certificate_files import qr_data_uri as make

    return make(url)


def seal_data_uri(tpl: CertificateTemplate) -> str | None:
    if tpl.seal_file is None:
        return None
    from core.storage import read_file

    data = read_file(tpl.seal_file)
    return f"data:{tpl.seal_file.content_type};base64," + base64.b64encode(data).decode()


def recipient_line(honour_name: str, kind: str) -> str:
    # 同志 is the form of address for a person; teams and units are named as they are.
    return f"{honour_name} 同志：" if RecipientKind(kind) == RecipientKind.PERSON else f"{honour_name}："


def certificate_page(
    tpl: CertificateTemplate,
    *,
    source_type: str,
    recipient_name: str,
    recipient_kind: str,
    recipient_unit: str,
    work_title: str | None,
    level_text: str,
    number: str,
    token: str,
    issue_date: dt.date,
    revoked: bool = False,
    qr: str | None = None,
) -> dict:
    """The text of one certificate page (plain data for the template); ``qr`` if already drawn."""
    if SourceType(source_type) == SourceType.PROGRAMME:
        sentence = formats.honour_sentence(tpl.activity_name, level_text)
    else:
        sentence = formats.award_sentence(tpl.activity_name, work_title, level_text)
    return {
        "recipient": recipient_line(recipient_name, recipient_kind),
        "recipient_unit": recipient_unit,
        "sentence": sentence,
        "number": number,
        "qr": qr or qr_data_uri(verify_url(token)),
        "date_text": formats.format_date(issue_date, tpl.date_style),
        "revoked": revoked,
    }


def page_for(cert: Certificate, tpl: CertificateTemplate | None = None, qr: str | None = None) -> dict:
    h = cert.honour
    tpl = tpl or ensure_template(h.result_set)
    return certificate_page(
        tpl,
        source_type=h.result_set.source_type,
        recipient_name=h.recipient_name,
        recipient_kind=h.recipient_kind,
        recipient_unit=h.recipient_unit,
        work_title=h.work_title,
        level_text=h.level_text,
        number=cert.number,
        token=cert.token,
        issue_date=cert.issue_date,
        qr=qr,
    )


def sample_page(tpl: CertificateTemplate, rs: ResultSet) -> dict:
    """A preview page: the first entry of the list, or an invented one with a rare surname."""
    h = rs.active_honours[0] if rs.active_honours else None
    return certificate_page(
        tpl,
        source_type=rs.source_type,
        recipient_name=h.recipient_name if h else "䶮晓明",
        recipient_kind=h.recipient_kind if h else "person",
        recipient_unit=h.recipient_unit if h else "",
        work_title=(h.work_title if h else "科技之光照亮乡村"),
        level_text=h.level_text if h else "一等奖",
        number=formats.certificate_number(
            tpl.number_pattern,
            code=tpl.activity_code,
            year=today_local().year,
            level="first",
            level_no=1,
            serial=1,
            group="A",
        )
        if _pattern_ok(tpl.number_pattern)
        else "—",
        token="preview",
        issue_date=tpl.issue_date or today_local(),
    )


def _pattern_ok(pattern: str) -> bool:
    try:
        formats.validate_number_pattern(pattern)
        return True
    except UserError:
        return False


def template_context(tpl: CertificateTemplate) -> dict:
    return {"tpl": tpl, "issuers": tpl.issuer_lines, "seal": seal_data_uri(tpl)}


def render_certificates(tpl: CertificateTemplate, pages: list[dict]) -> bytes:
    """One multi-page document (the fast path: fonts are subset once)."""
    from core.pdf import render_pdf

    return render_pdf("pdf/certificate.html", pages=pages, **template_context(tpl))


def certificate_glyph_problems(tpl: CertificateTemplate, pages: list[dict]) -> list[str]:
    from core.fonts import missing_glyphs

    text = "".join(
        [tpl.title, tpl.closing, tpl.issuers or ""]
        + [p["recipient"] + p["sentence"] + p["date_text"] + p["number"] for p in pages]
    )
    return missing_glyphs(text)


def render_one_certificate(cert: Certificate, actor=None) -> Certificate:
    """(Re)render one certificate's file, e.g. after a correction."""
    from core.storage import store_bytes

    tpl = ensure_template(cert.honour.result_set)
    pdf = render_certificates(tpl, [page_for(cert)])
    stored = store_bytes(
        pdf, content_type="application/pdf", original_name=f"{cert.number}.pdf", suffix=".pdf", created_by=actor
    )
    db.session.flush()
    cert.file_id = stored.id
    cert.rendered_at = utcnow()
    db.session.flush()
    return cert


def regenerate_certificate(cert: Certificate, actor) -> Certificate:
    if cert.revoked:
        raise UserError(N_("This certificate is revoked."))
    render_one_certificate(cert, actor)
    audit.record("certificate.regenerate", cert, actor=actor)
    return cert


def live_certificates(rs: ResultSet) -> list[Certificate]:
    # The honours come with the same query: a page needs each one's name and title.
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Honour)
            .options(contains_eager(Certificate.honour))
            .where(Honour.result_set_id == rs.id, Honour.withdrawn.is_(False), Certificate.revoked_at.is_(None))
            .order_by(Certificate.serial)
        )
    )


def generate_certificates(rs: ResultSet, actor, progress=None) -> dict:
    """Issue missing numbers, render all live certificates in chunks, store the merged PDF and the ZIP.

    Each chunk is one WeasyPrint document (fonts are subset once per document).
    With more than one chunk, a helper process draws the QR codes of the later
    chunks and splits and zips each rendered chunk while this process renders
    the next one. The ZIP grows in a temporary file, not in memory: each single
    file carries its fonts (about half a megabyte), so 1,000 of them would not
    fit a worker's memory budget twice.
    """
    import os
    import tempfile

    from core.pdf import merge_documents, render_pdf
    from core.storage import store_bytes, store_path
    from publishing.certificate_files import BatchHelper, qr_data_uris, single_file_name, zip_singles

    def report(done, total, message):
        if progress is not None:
            progress(done, total, message)

    issue_certificates(rs, actor)
    tpl = ensure_template(rs)
    certs = live_certificates(rs)
    total = len(certs)
    if not total:
        raise UserError(N_("There are no certificates to generate."))
    report(0, total, _("Rendering certificates"))
    context = template_context(tpl)
    batches = [certs[start : start + BATCH_CHUNK] for start in range(0, total, BATCH_CHUNK)]
    fd, zip_path = tempfile.mkstemp(prefix="zp-certificates-", suffix=".zip")
    os.close(fd)  # an empty file: the first append writes the archive from its start
    chunks: list[bytes] = []
    try:
        with BatchHelper(parallel=len(batches) > 1) as helper:
            # QR codes of the later chunks are drawn by the helper while the first chunk renders.
            qr_jobs = [None] + [
                helper.submit(qr_data_uris, [verify_url(c.token) for c in batch]) for batch in batches[1:]
            ]
            zip_jobs = []
            done = 0
            for batch, qr_job in zip(batches, qr_jobs):
                qrs = qr_job.result() if qr_job is not None else qr_data_uris([verify_url(c.token) for c in batch])
                pages = [page_for(c, tpl, qr) for c, qr in zip(batch, qrs)]
                pdf = render_pdf("pdf/certificate.html", pages=pages, **context)
                chunks.append(pdf)
                zip_jobs.append(helper.submit(zip_singles, zip_path, [single_file_name(c.number) for c in batch], pdf))
                for cert in batch:
                    # Single files live in the ZIP only: each carries the fonts, so keeping
                    # another copy per certificate would double the storage. An author's
                    # download renders (and keeps) their own page on first request.
                    cert.file_id = None
                done += len(batch)
                report(done, total, _("%(done)s of %(total)s certificates", done=done, total=total))
            for job in zip_jobs:
                job.result()
        merged_bytes = merge_documents(chunks)
        del chunks
        pdf_file = store_bytes(
            merged_bytes,
            content_type="application/pdf",
            original_name="certificates.pdf",
            suffix=".pdf",
            created_by=actor,
        )
        del merged_bytes
        zip_file = store_path(
            zip_path, content_type="application/zip", original_name="certificates.zip", suffix=".zip", created_by=actor
        )
    finally:
        if os.path.exists(zip_path):
            os.unlink(zip_path)
    db.session.flush()
    rs.certificates_pdf_id, rs.certificates_zip_id = pdf_file.id, zip_file.id
    rs.certificates_generated_at = utcnow()
    audit.record("certificates.generate", rs, actor=actor, changes={"certificates": total})
    db.session.flush()
    return {
        "count": total,
        "pdf_file_id": pdf_file.id,
        "zip_file_id": zip_file.id,
        "helper_peak_mib": helper.peak_rss_mib,
    }


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


# --- outbox ---------------------------------------------------------------------------


def prepare_result_messages(rs: ResultSet, actor) -> list[OutboxMessage]:
    """Draft one e-mail per honoured author with an address; the organiser reviews them."""
    from accounts.models import User

    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("Result e-mails can be prepared only after the results are published."))
    have = set(db.session.scalars(select(OutboxMessage.honour_id).where(OutboxMessage.result_set_id == rs.id)))
    from core.urls import external_url

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
    from core.mail import Mail, mail_configured, send_all

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
        return {"sent": 0, "failed": 0, "waiting": len(pending), "configured": False}
    sent = failed = 0
    deliveries = send_all([Mail(m.recipient, m.subject, m.body) for m in pending], smtp_factory)
    for msg, delivery in zip(pending, deliveries):
        if delivery.ok:
            msg.status, msg.sent_at, msg.error = MessageStatus.SENT, utcnow(), None
            sent += 1
        else:
            msg.status, msg.error = MessageStatus.FAILED, delivery.error
            failed += 1
    audit.record("outbox.send", rs, actor=actor, changes={"sent": sent, "failed": failed})
    db.session.flush()
    return {"sent": sent, "failed": failed, "waiting": 0, "configured": True}

"""The essays blueprint and what its pages share: loading with access checks, the submit step, text display.

The routes hang on ``bp`` from one module per audience: ``routes_author``,
``routes_unit`` (unit coordinators) and ``routes_organiser``; all keep the
``essays.*`` endpoints and the ``/essays`` URLs.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from accounts import activity_access as access
from accounts import privacy
from accounts.models import Role
from core.db import utcnow
from core.extensions import db
from core.i18n import format_dt
from core.jobs import run_job_task
from core.limits import RECEIVED_AT
from core.request_cycle import on_user_error
from core.views import register_panel
from essays import dashboard, drafts, duplicates, entry_fields, judge_copies, submission
from essays.forms import EntryForm
from essays.freeze import frozen_reason
from essays.models import Competition, CompetitionStatus, SimilarityFlag, Submission, SubmissionStatus
from essays.permissions import can_edit_entry, can_view_entry, organises
from essays.preparation import Upload

bp = Blueprint("essays", __name__, url_prefix="/essays")

register_panel(("author",), "essays/_panel_author.html")
register_panel(("coordinator",), "essays/_panel_coordinator.html")
register_panel(("organiser", "admin"), "essays/_panel_organiser.html")

ORGANISERS = (Role.ORGANISER, Role.ADMIN)


@bp.app_context_processor
def _labels():
    return {
        "essay_panel_data": lambda: dashboard.author_numbers(current_user),
        "essay_review_queue": lambda: dashboard.review_queue(current_user),
        "essay_unit_activities": lambda: dashboard.unit_activities(current_user.unit_id),
        "now_utc": utcnow,
        "entry_frozen_reason": frozen_reason,
        "entry_field_inputs": entry_field_inputs,
        "entry_field_rows": entry_field_rows,
    }


def entry_field_rows(entry: Submission) -> list[tuple[str, str]]:
    """(label, value) of every entry field the entry filled in (pages of its author and organisers)."""
    values = entry.field_values or {}
    rows = [
        (d["label"], entry_fields.display_value(d, values.get(d["key"]))) for d in entry.competition.entry_fields or []
    ]
    return [(label, value) for label, value in rows if value]


def entry_field_inputs(comp: Competition, entry: Submission | None) -> list[tuple[dict, str, str]]:
    """(definition, input name, text to show) of each entry field: as posted, else as the entry holds it."""
    posted = request.method == "POST"
    values = (entry.field_values or {}) if entry is not None else {}
    return [
        (
            d,
            entry_fields.input_name(d),
            request.form.get(entry_fields.input_name(d), "")
            if posted
            else entry_fields.raw_value(d, values.get(d["key"])),
        )
        for d in comp.entry_fields or []
    ]


def field_input(comp: Competition, payload=None) -> dict:
    """What was typed into the competition's entry fields, by field key (from the form or a JSON object)."""
    payload = request.form if payload is None else payload
    return {d["key"]: str(payload.get(entry_fields.input_name(d)) or "") for d in comp.entry_fields or []}


@bp.before_request
def _note_arrival():
    # The moment the request reached the app, before its body was received
    # (core.limits) and before it waits for the database: a submission that
    # arrived before the deadline is accepted even if a slow line or a queue
    # of other authors' submissions delays its saving transaction.
    g.received_at = request.environ.get(RECEIVED_AT) or utcnow()


def entry_or_404(entry_id: int, edit: bool = False) -> Submission:
    entry = db.get_or_404(Submission, entry_id)
    allowed = can_edit_entry(current_user, entry) if edit else can_view_entry(current_user, entry)
    if not allowed:
        abort(404)  # do not reveal that someone else's entry exists
    return entry


def open_competition_or_404(competition_id: int) -> Competition:
    comp = db.get_or_404(Competition, competition_id)
    if comp.status == CompetitionStatus.DRAFT and not organises(current_user, comp):
        abort(404)
    return comp


# The organiser pages load what they touch here: the competition must be one the signed-in
# organiser may manage (every one, or for a 承办/协办 account those listing it), else 404.


def describe_competition(competition_id: int) -> tuple[str, str] | None:
    """(title, organiser page) of a competition, for accounts' activity pages (registered in core)."""
    comp = db.session.get(Competition, competition_id)
    if comp is None:
        return None
    return comp.title, url_for("essays.manage_entries", competition_id=comp.id)


def managed_competition_or_404(competition_id: int) -> Competition:
    comp = db.get_or_404(Competition, competition_id)
    access.require_organiser_of(access.COMPETITION, comp.id)
    return comp


def managed_entry_or_404(entry_id: int) -> Submission:
    entry = db.get_or_404(Submission, entry_id)
    access.require_organiser_of(access.COMPETITION, entry.competition_id)
    return entry


def managed_flag_or_404(flag_id: int) -> SimilarityFlag:
    flag = db.get_or_404(SimilarityFlag, flag_id)
    access.require_organiser_of(access.COMPETITION, flag.competition_id)
    return flag


def actor():
    """The signed-in user as a plain object (for services and audit entries)."""
    return current_user._get_current_object()


def upload_from_request() -> Upload | None:
    file = request.files.get("upload")
    if file is None or not file.filename:
        return None
    data = file.read()
    return Upload(filename=file.filename, data=data, content_type=file.mimetype or "")


def resent_submission(author) -> submission.SubmitOutcome | None:
    """A new-entry form this author already submitted, sent again (a double click): the first
    request's outcome, found before the form is built (CSRF was checked before the view)."""
    if request.method != "POST":
        return None
    return submission.resent_outcome(request.form.get("token") or None, author.id)


def submit_form(
    comp: Competition, form: EntryForm, page, *, author, entry=None, recommending_unit=None, token_checked=False
) -> submission.SubmitOutcome:
    """Submit the form (``submission.submit``); a refusal shows ``page`` again with its status.

    The entry's jobs are queued in its transaction and run once it is committed.
    """
    on_user_error(page, status=submission.refusal_status)
    user = actor()
    guardian = _guardian_of(comp, form)
    outcome = submission.submit(
        submission.SubmissionDraft(
            competition=comp,
            author=author,
            token=form.token.data or None,
            title=form.title.data,
            genre_id=form.genre_id.data or None,
            group_id=form.group_id.data or None,
            body_text=form.body.data,
            upload=upload_from_request(),
            pledge=form.pledge.data,
            entry=entry,
            recommending_unit=recommending_unit,
            received_at=g.get("received_at"),
            field_values=field_input(comp),
            token_checked=token_checked,
        ),
        actor=user,
    )
    if not outcome.duplicate:
        if guardian is not None:
            privacy.record_guardian_consent(outcome.entry, **guardian)
        jobs = [
            duplicates.queue_similarity(comp, user),
            judge_copies.queue_judge_copy(outcome.entry, outcome.prepared, user),
        ]
        db.session.flush()
        job_ids = [job.id for job in jobs if job is not None]
        db.session.commit()  # the jobs read the committed entry
        for job_id in job_ids:
            _run_queued(job_id)
    return outcome


def _guardian_of(comp: Competition, form: EntryForm) -> dict | None:
    """A group of minors: the guardian's consent, checked before anything is saved."""
    group = next((g for g in comp.groups if g.id == form.group_id.data), None)
    if group is None or not group.minors:
        return None
    guardian = {
        "guardian_name": form.guardian_name.data,
        "relation": form.guardian_relation.data,
        "agreed": form.guardian_consent.data,
    }
    privacy.check_guardian_consent(*guardian.values())
    return guardian


def _run_queued(job_id: int) -> None:
    try:
        run_job_task(job_id)
    except Exception:  # the entry is saved; the judges keep the text copy or the check can be rerun
        current_app.logger.exception("could not queue job %s", job_id)
        db.session.rollback()


def _payload_int(payload, key: str) -> int | None:
    try:
        return int(payload.get(key) or 0) or None
    except (TypeError, ValueError):
        return None


def autosave_payload(comp: Competition) -> tuple[int | None, dict]:
    """The autosave request's entry id and ``drafts.save_draft``'s fields (sent as JSON or a form)."""
    payload = request.get_json(silent=True) or request.form
    fields = payload.get("fields")
    return _payload_int(payload, "entry_id"), {
        "field_values": field_input(comp, fields) if isinstance(fields, dict) else None,
        "token": payload.get("token") or None,
        "title": str(payload.get("title") or ""),
        "genre_id": _payload_int(payload, "genre_id"),
        "group_id": _payload_int(payload, "group_id"),
        "body_text": str(payload.get("body") or ""),
    }


def save_draft_committed(comp: Competition, fields: dict, entry: Submission | None) -> Submission:
    """``drafts.save_draft``, committed here so that a clash with a simultaneous autosave is retried."""
    for attempt in range(2):
        try:
            draft = drafts.save_draft(competition=comp, author=actor(), entry=entry, **fields)
            db.session.commit()
            return draft
        except IntegrityError:  # two autosaves of a new form at once: the second finds the first
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def autosave_reply(draft: Submission) -> dict:
    if draft.status != SubmissionStatus.DRAFT:
        return {
            "ok": True,
            "submitted": True,
            "entry_id": draft.id,
            "message": _("This entry has already been submitted."),
        }
    return {
        "ok": True,
        "entry_id": draft.id,
        "words": draft.word_count,
        "message": _("Draft saved at %(time)s", time=format_dt(draft.updated_at, with_seconds=True)),
    }


def page_text(text: str | None) -> tuple[str, int]:
    """At most MAX_TEXT_CHARS characters of a text for a page, and how many were left out.

    Intake refuses longer manuscripts; this keeps a page bounded whatever a
    row holds (a row stored before the cap, an import).
    """
    text = text or ""
    limit = int(current_app.config.get("MAX_TEXT_CHARS") or 200_000)
    return text[:limit], max(len(text) - limit, 0)


def highlight(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Cut text into (piece, highlighted) for templates (autoescaped)."""
    out, position = [], 0
    for start, end in sorted(spans):
        start = max(start, position)
        if start >= end:
            continue
        out += [(text[position:start], False), (text[start:end], True)]
        position = end
    out.append((text[position:], False))
    return [p for p in out if p[0]]

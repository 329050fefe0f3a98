"""Essay competitions: organiser pages, author submission, unit recommendation."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import Role, Unit, User
from accounts.permissions import require_roles
from core import exports
from core.errors import UserError
from core.extensions import db
from core.jobs import start_job
from core.limits import RECEIVED_AT, body_limit
from core.request_cycle import on_user_error, redirect_either_way
from core.storage import send_stored
from core.views import register_panel
from essays import services
from essays.forms import CompetitionForm, EntryForm, RecommendForm, RedactForm, ReviewForm
from essays.models import (
    ACTIVE_STATUSES,
    ORGANISER_ROLES,
    Competition,
    CompetitionStatus,
    CountRule,
    Format,
    SimilarityFlag,
    Submission,
    SubmissionStatus,
)
from essays.permissions import can_edit_entry, can_recommend, can_view_entry, is_organiser

bp = Blueprint("essays", __name__, url_prefix="/essays")

register_panel(("author",), "essays/_panel_author.html")
register_panel(("coordinator",), "essays/_panel_coordinator.html")
register_panel(("organiser", "admin"), "essays/_panel_organiser.html")

ORGANISERS = (Role.ORGANISER, Role.ADMIN)


@bp.app_context_processor
def _labels():
    return {"essay_panel_data": _panel_data, "now_utc": services.utcnow, "entry_frozen_reason": services.frozen_reason}


def _panel_data():
    """Numbers for the dashboard cards, computed only when a card is drawn."""
    user = current_user
    data = {"open": services.visible_competitions_for_authors()}
    data["mine"] = (
        db.session.scalar(
            select(func.count(Submission.id)).where(
                Submission.author_id == user.id, Submission.status != SubmissionStatus.WITHDRAWN
            )
        )
        or 0
    )
    if user.unit_id:
        data["unit"] = (
            db.session.scalar(
                select(func.count(Submission.id)).where(
                    Submission.recommending_unit_id == user.unit_id, Submission.status.in_(ACTIVE_STATUSES)
                )
            )
            or 0
        )
    if is_organiser(user):
        data["pending"] = (
            db.session.scalar(select(func.count(Submission.id)).where(Submission.status == SubmissionStatus.SUBMITTED))
            or 0
        )
        data["managed"] = (
            db.session.scalar(
                select(func.count(Competition.id)).where(Competition.status != CompetitionStatus.ARCHIVED)
            )
            or 0
        )
    return data


def _entry_or_404(entry_id: int, edit: bool = False) -> Submission:
    entry = db.get_or_404(Submission, entry_id)
    allowed = can_edit_entry(current_user, entry) if edit else can_view_entry(current_user, entry)
    if not allowed:
        abort(404)  # do not reveal that someone else's entry exists
    return entry


def _open_competition_or_404(competition_id: int) -> Competition:
    comp = db.get_or_404(Competition, competition_id)
    if comp.status == CompetitionStatus.DRAFT and not is_organiser(current_user):
        abort(404)
    return comp


# Author ----------------------------------------------------------------------


@bp.route("/mine")
@require_roles(Role.AUTHOR)
def my_entries():
    entries = db.session.scalars(
        select(Submission).where(Submission.author_id == current_user.id).order_by(Submission.id.desc())
    ).all()
    return render_template(
        "essays/my_entries.html", entries=entries, competitions=services.visible_competitions_for_authors()
    )


@bp.route("/c/<int:competition_id>")
@require_roles(Role.AUTHOR, Role.COORDINATOR, Role.ORGANISER, Role.ADMIN)
def competition(competition_id: int):
    comp = _open_competition_or_404(competition_id)
    return render_template(
        "essays/competition.html",
        comp=comp,
        accepting=comp.accepts_entries_at(services.utcnow()),
        can_recommend=can_recommend(current_user, comp),
    )


def _entry_form(form: EntryForm, comp: Competition) -> EntryForm:
    form.genre_id.choices = [(0, _("— choose —"))] + [(g.id, g.name) for g in comp.genres]
    form.group_id.choices = [(0, _("— choose —"))] + [(g.id, g.name) for g in comp.groups]
    return form


def _upload_from_request():
    file = request.files.get("upload")
    if file is None or not file.filename:
        return None
    data = file.read()
    return services.Upload(filename=file.filename, data=data, content_type=file.mimetype or "")


@bp.before_request
def _note_arrival():
    # The moment the request reached the app, before its body was received
    # (core.limits) and before it waits for the database: a submission that
    # arrived before the deadline is accepted even if a slow line or a queue
    # of other authors' submissions delays its saving transaction.
    g.received_at = request.environ.get(RECEIVED_AT) or services.utcnow()


def _do_submit(
    comp: Competition, form: EntryForm, page, *, author, entry=None, recommending_unit=None
) -> services.SubmitOutcome:
    """Submit the form (``services.submit``); a refusal shows ``page`` again with its status.

    The entry's jobs are queued in its transaction and run once it is committed.
    """
    on_user_error(page, status=services.refusal_status)
    actor = current_user._get_current_object()
    outcome = services.submit(
        services.SubmissionDraft(
            competition=comp,
            author=author,
            token=form.token.data or None,
            title=form.title.data,
            genre_id=form.genre_id.data or None,
            group_id=form.group_id.data or None,
            body_text=form.body.data,
            upload=_upload_from_request(),
            pledge=form.pledge.data,
            entry=entry,
            recommending_unit=recommending_unit,
            received_at=g.get("received_at"),
        ),
        actor=actor,
    )
    if not outcome.duplicate:
        jobs = [_queue_similarity(comp, actor), _queue_judge_copy(outcome.entry, outcome.prepared, actor)]
        db.session.flush()
        job_ids = [job.id for job in jobs if job is not None]
        db.session.commit()  # the jobs read the committed entry
        for job_id in job_ids:
            _run_queued(job_id)
    return outcome


def _queue_similarity(comp: Competition, user):
    """Add the duplicate-check job to the submission's transaction (no extra commit).

    Skipped when a check for this competition is still waiting: it will see
    this entry when it runs, so a deadline rush queues a handful of checks
    instead of one per entry. Returns the job to hand to the queue after commit.
    """
    from core.jobs import Job, JobStatus

    waiting = db.session.scalars(
        select(Job)
        .where(Job.kind == "essays.similarity", Job.status == JobStatus.QUEUED)
        .order_by(Job.id.desc())
        .limit(20)
    ).all()
    if any((j.params or {}).get("competition_id") == comp.id for j in waiting):
        return None
    job = Job(
        kind="essays.similarity",
        title=_("Duplicate check for %(code)s", code=comp.code)[:200],
        params={"competition_id": comp.id},
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(job)
    return job


def _queue_judge_copy(entry, prepared, user):
    """The scrubbed .docx/.pdf judge copy, made after the receipt (see manuscripts.prepare)."""
    from core.jobs import Job

    if prepared.manuscript.format not in ("docx", "pdf"):
        return None
    if any(s.get("redacted") for s in entry.identity_spans or []):
        return None  # identity in the text: judges read the redacted text
    job = Job(
        kind="essays.judge_copy",
        title=_("Judge copy of %(number)s", number=entry.receipt_number)[:200],
        params={"entry_id": entry.id, "judge_file_id": entry.judge_file_id},
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(job)
    return job


def _run_queued(job_id: int | None) -> None:
    if job_id is None:
        return
    from core.jobs import run_job_task

    try:
        run_job_task(job_id)
    except Exception:  # the entry is saved; the judges keep the text copy or the check can be rerun
        current_app.logger.exception("could not queue job %s", job_id)
        db.session.rollback()


@bp.route("/c/<int:competition_id>/submit", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(Role.AUTHOR)
def submit(competition_id: int):
    comp = _open_competition_or_404(competition_id)
    form = _entry_form(EntryForm(), comp)
    if request.method == "GET":
        # Say why before the form (closed call, entry limit), not after the entry is written.
        refusal = services.submission_refusal(comp, services.utcnow(), author=current_user)
        if refusal is not None:
            return render_template("essays/submit.html", comp=comp, form=None, entry=None, refusal=refusal.render())
        form.token.data = services.new_form_token()
    if form.validate_on_submit():
        result = _do_submit(
            comp,
            form,
            lambda: render_template("essays/submit.html", comp=comp, form=form, entry=None),
            author=current_user._get_current_object(),
        )
        if not result.duplicate:
            flash(
                _("Your entry has been submitted. Receipt number: %(number)s", number=result.receipt_number), "success"
            )
        return redirect(url_for("essays.receipt", entry_id=result.entry_id))
    if request.method == "POST":
        return render_template("essays/submit.html", comp=comp, form=form, entry=None), 422
    return render_template("essays/submit.html", comp=comp, form=form, entry=None)


@bp.route("/entry/<int:entry_id>/edit", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(Role.AUTHOR, Role.COORDINATOR)
def edit_entry(entry_id: int):
    entry = _entry_or_404(entry_id, edit=True)
    comp = entry.competition
    if entry.status == SubmissionStatus.WITHDRAWN:
        abort(404)
    frozen = services.frozen_reason(entry)
    if frozen is not None and request.method == "GET":
        flash(_(frozen), "warning")
        return redirect(url_for("essays.entry_detail", entry_id=entry.id))
    form = _entry_form(EntryForm(obj=None), comp)
    if request.method == "GET":
        refusal = services.submission_refusal(comp, services.utcnow())  # a closed call: say so before the form
        if refusal is not None:
            return render_template("essays/submit.html", comp=comp, form=None, entry=entry, refusal=refusal.render())
        form.token.data = entry.submission_token or services.new_form_token()
        form.title.data, form.genre_id.data, form.group_id.data = entry.title, entry.genre_id or 0, entry.group_id or 0
        form.body.data = entry.body_text if entry.source_format == "text" else ""
    if form.validate_on_submit():
        author = db.session.get(User, entry.author_id)
        result = _do_submit(
            comp,
            form,
            lambda: render_template("essays/submit.html", comp=comp, form=form, entry=entry),
            author=author,
            entry=entry,
            recommending_unit=entry.recommending_unit if entry.status == SubmissionStatus.DRAFT else None,
        )
        flash(_("Your entry has been saved and submitted."), "success")
        return redirect(url_for("essays.receipt", entry_id=result.entry_id))
    return render_template("essays/submit.html", comp=comp, form=form, entry=entry)


def _payload_int(payload, key: str) -> int | None:
    try:
        return int(payload.get(key) or 0) or None
    except (TypeError, ValueError):
        return None


@bp.route("/c/<int:competition_id>/autosave", methods=["POST"])
@body_limit("text")
@require_roles(Role.AUTHOR)
def autosave(competition_id: int):
    comp = _open_competition_or_404(competition_id)
    payload = request.get_json(silent=True) or request.form
    as_int = partial(_payload_int, payload)
    entry = _entry_or_404(as_int("entry_id"), edit=True) if as_int("entry_id") else None
    on_user_error(json_status=409)
    for attempt in range(2):
        try:
            draft = services.save_draft(
                competition=comp,
                author=current_user._get_current_object(),
                token=payload.get("token") or None,
                title=str(payload.get("title") or ""),
                genre_id=as_int("genre_id"),
                group_id=as_int("group_id"),
                body_text=str(payload.get("body") or ""),
                entry=entry,
            )
            db.session.commit()  # here, so that a clash with a simultaneous autosave is retried
            break
        except IntegrityError:  # two autosaves of a new form at once: the second finds the first
            db.session.rollback()
            if attempt:
                raise
    from core.i18n import format_dt

    if draft.status != SubmissionStatus.DRAFT:
        return jsonify(
            {
                "ok": True,
                "submitted": True,
                "entry_id": draft.id,
                "message": _("This entry has already been submitted."),
            }
        )
    return jsonify(
        {
            "ok": True,
            "entry_id": draft.id,
            "words": draft.word_count,
            "message": _("Draft saved at %(time)s", time=format_dt(draft.updated_at, with_seconds=True)),
        }
    )


@bp.route("/entry/<int:entry_id>")
@require_roles(Role.AUTHOR, Role.COORDINATOR, Role.ORGANISER, Role.ADMIN)
def entry_detail(entry_id: int):
    entry = _entry_or_404(entry_id)
    text, cut = _page_text(entry.body_text)
    return render_template(
        "essays/entry.html",
        entry=entry,
        can_edit=can_edit_entry(current_user, entry),
        accepting=entry.competition.accepts_entries_at(services.utcnow()),
        text=text,
        text_cut=cut,
    )


@bp.route("/entry/<int:entry_id>/text.txt")
@require_roles(Role.AUTHOR, Role.COORDINATOR, Role.ORGANISER, Role.ADMIN)
def entry_text(entry_id: int):
    """The entry's whole text as a download (a page shows at most MAX_TEXT_CHARS)."""
    entry = _entry_or_404(entry_id)
    name = f"{entry.receipt_number or entry.id}.txt"
    return Response(
        entry.body_text or "",
        mimetype="text/plain",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@bp.route("/entry/<int:entry_id>/receipt")
@require_roles(Role.AUTHOR, Role.COORDINATOR, Role.ORGANISER, Role.ADMIN)
def receipt(entry_id: int):
    entry = _entry_or_404(entry_id)
    if entry.receipt_number is None:
        return redirect(url_for("essays.edit_entry", entry_id=entry.id))
    return render_template("essays/receipt.html", entry=entry)


@bp.route("/entry/<int:entry_id>/withdraw", methods=["POST"])
@require_roles(Role.AUTHOR, Role.COORDINATOR)
def withdraw(entry_id: int):
    entry = _entry_or_404(entry_id, edit=True)
    own = current_user.has_role(Role.AUTHOR) and entry.author_id == current_user.id
    done = redirect_either_way(url_for("essays.my_entries") if own else url_for("essays.unit_entries"))
    was_draft = entry.status == SubmissionStatus.DRAFT
    services.withdraw_entry(entry, actor=current_user._get_current_object())
    flash(_("The draft has been deleted.") if was_draft else _("The entry has been withdrawn."), "success")
    return done


@bp.route("/entry/<int:entry_id>/original")
@require_roles(Role.AUTHOR, Role.COORDINATOR, Role.ORGANISER, Role.ADMIN)
def original_file(entry_id: int):
    entry = _entry_or_404(entry_id)
    if entry.original_file is None:
        abort(404)
    return send_stored(entry.original_file, entry.original_name or f"{entry.receipt_number}.{entry.source_format}")


# Unit coordinator ------------------------------------------------------------


def _members(unit_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.unit_id == unit_id, User.active.is_(True)).order_by(User.display_name)
        )
    )


@bp.route("/unit")
@require_roles(Role.COORDINATOR)
def unit_entries():
    unit = db.session.get(Unit, current_user.unit_id) if current_user.unit_id else None
    entries = []
    if unit is not None:
        entries = db.session.scalars(
            select(Submission)
            .where(Submission.recommending_unit_id == unit.id, Submission.status != SubmissionStatus.DRAFT)
            .order_by(Submission.id.desc())
        ).all()
    comps = [c for c in services.visible_competitions_for_authors() if c.unit_recommendation_enabled]
    used = {c.id: sum(1 for e in entries if e.competition_id == c.id and e.is_active) for c in comps}
    return render_template("essays/unit_entries.html", unit=unit, entries=entries, competitions=comps, used=used)


@bp.route("/unit/c/<int:competition_id>/submit", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(Role.COORDINATOR)
def recommend(competition_id: int):
    comp = _open_competition_or_404(competition_id)
    if not can_recommend(current_user, comp):
        abort(403)
    form = _entry_form(RecommendForm(), comp)
    members = _members(current_user.unit_id)
    form.member_id.choices = [(0, _("— choose —"))] + [(m.id, m.display_name) for m in members]
    if request.method == "GET":
        refusal = services.submission_refusal(comp, services.utcnow(), recommending_unit=current_user.unit)
        if refusal is not None:
            return render_template("essays/recommend.html", comp=comp, form=None, refusal=refusal.render())
        form.token.data = services.new_form_token()
    if form.validate_on_submit():
        member = next((m for m in members if m.id == form.member_id.data), None)
        if member is None:
            form.member_id.errors.append(_("Please choose a member of your unit."))
        else:
            result = _do_submit(
                comp,
                form,
                lambda: render_template("essays/recommend.html", comp=comp, form=form),
                author=member,
                recommending_unit=current_user.unit,
            )
            if not result.duplicate:
                flash(
                    _(
                        "The recommended entry has been submitted. Receipt number: %(number)s",
                        number=result.receipt_number,
                    ),
                    "success",
                )
            return redirect(url_for("essays.receipt", entry_id=result.entry_id))
    return render_template(
        "essays/recommend.html",
        comp=comp,
        form=form,
    ), 422 if request.method == "POST" else 200


# Organiser -------------------------------------------------------------------


@bp.route("/manage")
@require_roles(*ORGANISERS)
def competitions():
    comps = db.session.scalars(select(Competition).order_by(Competition.id.desc())).all()
    counts = dict(
        db.session.execute(
            select(Submission.competition_id, func.count(Submission.id))
            .where(Submission.status.in_(ACTIVE_STATUSES))
            .group_by(Submission.competition_id)
        ).all()
    )
    return render_template("essays/manage_list.html", comps=comps, counts=counts)


def _form_values(form: CompetitionForm) -> dict:
    from core.i18n import parse_local

    genres = [
        {
            "id": int(r.form.id.data) if (r.form.id.data or "").isdigit() else None,
            "name": r.form.name.data,
            "min_length": r.form.min_length.data,
            "max_length": r.form.max_length.data,
            "count_rule": r.form.count_rule.data if r.form.count_rule.data in list(CountRule) else CountRule.WORD,
        }
        for r in form.genres
        if (r.form.name.data or "").strip()
    ]
    groups = [
        {"name": n.strip()}
        for n in (form.groups.data or "").replace("，", ",").replace("、", ",").split(",")
        if n.strip()
    ]
    organisers = [
        {
            "role": r.form.role.data if r.form.role.data in ORGANISER_ROLES else ORGANISER_ROLES[0],
            "name": r.form.name.data.strip(),
        }
        for r in form.organisers
        if (r.form.name.data or "").strip()
    ]
    return dict(
        code=form.code.data,
        title=form.title.data.strip(),
        theme=(form.theme.data or "").strip(),
        notice_html=form.notice_html.data or "",
        organisers=organisers,
        opens_at=parse_local(form.opens_at.data),
        closes_at=parse_local(form.closes_at.data),
        grace_minutes=form.grace_minutes.data or 0,
        max_entries_per_author=form.max_entries_per_author.data,
        unit_recommendation_enabled=form.unit_recommendation_enabled.data,
        unit_quota=form.unit_quota.data or 0,
        freeze_when_qualified=form.freeze_when_qualified.data,
        accepted_formats=list(form.accepted_formats.data or []),
        max_file_mb=form.max_file_mb.data,
        pledge_text=form.pledge_text.data or "",
        review_threshold=form.review_threshold.data,
        copy_threshold=form.copy_threshold.data,
        genres=genres,
        groups=groups,
    )


def _fill_form(form: CompetitionForm, comp: Competition) -> None:
    from core.i18n import local

    for key in (
        "code",
        "title",
        "theme",
        "notice_html",
        "grace_minutes",
        "max_entries_per_author",
        "unit_recommendation_enabled",
        "unit_quota",
        "max_file_mb",
        "pledge_text",
        "review_threshold",
        "copy_threshold",
        "freeze_when_qualified",
    ):
        getattr(form, key).data = getattr(comp, key)
    form.accepted_formats.data = list(comp.accepted_formats or [])
    form.opens_at.data = local(comp.opens_at).replace(tzinfo=None)
    form.closes_at.data = local(comp.closes_at).replace(tzinfo=None)
    form.groups.data = "，".join(g.name for g in comp.groups)
    for row, genre in zip(form.genres, comp.genres):
        row.form.id.data = str(genre.id)
        row.form.name.data, row.form.min_length.data = genre.name, genre.min_length
        row.form.max_length.data, row.form.count_rule.data = genre.max_length, genre.count_rule
    for row, org in zip(form.organisers, comp.organisers or []):
        row.form.role.data, row.form.name.data = org.get("role"), org.get("name")


@bp.route("/manage/new", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def create_competition():
    form = CompetitionForm()
    if request.method == "GET":
        form.accepted_formats.data = ["text", "docx", "pdf", "txt"]
    if form.validate_on_submit():
        on_user_error(lambda: render_template("essays/competition_form.html", form=form, comp=None))
        values = _form_values(form)
        comp = services.create_competition(actor=current_user._get_current_object(), **values)
        flash(_("The competition has been created as a draft."), "success")
        return redirect(url_for("essays.manage_entries", competition_id=comp.id))
    elif form.errors:
        flash(_("Please correct the marked fields."), "error")
    return render_template("essays/competition_form.html", form=form, comp=None)


@bp.route("/manage/<int:competition_id>/edit", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def edit_competition(competition_id: int):
    comp = db.get_or_404(Competition, competition_id)
    form = CompetitionForm()
    if request.method == "GET":
        _fill_form(form, comp)
    if form.validate_on_submit():
        on_user_error(lambda: render_template("essays/competition_form.html", form=form, comp=comp))
        services.update_competition(comp, actor=current_user._get_current_object(), **_form_values(form))
        flash(_("The competition has been saved."), "success")
        return redirect(url_for("essays.manage_entries", competition_id=comp.id))
    elif form.errors:
        flash(_("Please correct the marked fields."), "error")
    return render_template("essays/competition_form.html", form=form, comp=comp)


@bp.route("/manage/<int:competition_id>/status", methods=["POST"])
@require_roles(*ORGANISERS)
def change_status(competition_id: int):
    comp = db.get_or_404(Competition, competition_id)
    done = redirect_either_way(url_for("essays.manage_entries", competition_id=comp.id))
    try:
        services.change_status(comp, request.form.get("status", ""), actor=current_user._get_current_object())
    except ValueError:
        raise UserError(_("Unknown status.")) from None
    flash(_("Status changed to %(status)s.", status=comp.status.label), "success")
    return done


def _filtered_entries(comp: Competition, args):
    stmt = select(Submission).where(Submission.competition_id == comp.id, Submission.status != SubmissionStatus.DRAFT)
    if args.get("genre", type=int):
        stmt = stmt.where(Submission.genre_id == args.get("genre", type=int))
    if args.get("group", type=int):
        stmt = stmt.where(Submission.group_id == args.get("group", type=int))
    if args.get("unit", type=int):
        unit_id = args.get("unit", type=int)
        stmt = stmt.where((Submission.unit_id == unit_id) | (Submission.recommending_unit_id == unit_id))
    if args.get("status") in {s.value for s in SubmissionStatus}:
        stmt = stmt.where(Submission.status == args["status"])
    flag = args.get("flag")
    if flag == "identity":
        stmt = stmt.where(Submission.identity_flagged.is_(True))
    elif flag == "similar":
        flagged = (
            select(SimilarityFlag.submission_id)
            .where(SimilarityFlag.competition_id == comp.id)
            .union(select(SimilarityFlag.other_id).where(SimilarityFlag.competition_id == comp.id))
        )
        stmt = stmt.where(Submission.id.in_(flagged))
    return stmt.order_by(Submission.serial)


@bp.route("/manage/<int:competition_id>")
@require_roles(*ORGANISERS)
def manage_entries(competition_id: int):
    comp = db.get_or_404(Competition, competition_id)
    entries = db.session.scalars(_filtered_entries(comp, request.args)).all()
    counts = dict(
        db.session.execute(
            select(Submission.status, func.count(Submission.id))
            .where(Submission.competition_id == comp.id)
            .group_by(Submission.status)
        ).all()
    )
    similar_ids = set()
    for a, b in db.session.execute(
        select(SimilarityFlag.submission_id, SimilarityFlag.other_id).where(
            SimilarityFlag.competition_id == comp.id, SimilarityFlag.resolved.is_(False)
        )
    ):
        similar_ids |= {a, b}
    unit_ids = {e.unit_id for e in entries} | {e.recommending_unit_id for e in entries}
    units = db.session.scalars(
        select(Unit)
        .where(
            Unit.id.in_(
                select(Submission.unit_id)
                .where(Submission.competition_id == comp.id)
                .union(select(Submission.recommending_unit_id).where(Submission.competition_id == comp.id))
            )
        )
        .order_by(Unit.name)
    ).all()
    del unit_ids
    flag_count = (
        db.session.scalar(
            select(func.count(SimilarityFlag.id)).where(
                SimilarityFlag.competition_id == comp.id, SimilarityFlag.resolved.is_(False)
            )
        )
        or 0
    )
    return render_template(
        "essays/manage_entries.html",
        comp=comp,
        entries=entries,
        counts=counts,
        similar_ids=similar_ids,
        units=units,
        args=request.args,
        flag_count=flag_count,
        transitions=services.TRANSITIONS[comp.status],
        review_form=ReviewForm(),
        submission_statuses=SubmissionStatus,
    )


@bp.route("/manage/<int:competition_id>/review", methods=["POST"])
@require_roles(*ORGANISERS)
def bulk_review(competition_id: int):
    comp = db.get_or_404(Competition, competition_id)
    form = ReviewForm()
    ids = [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]
    if not form.validate_on_submit() or not ids:
        flash(_("Select at least one entry and a decision."), "error")
        return redirect(url_for("essays.manage_entries", competition_id=comp.id))
    entries = db.session.scalars(
        select(Submission).where(Submission.competition_id == comp.id, Submission.id.in_(ids))
    ).all()
    done = redirect_either_way(
        request.referrer
        if request.referrer and "/essays/manage/" in request.referrer
        else url_for("essays.manage_entries", competition_id=comp.id)
    )
    n = services.review_entries(
        entries, form.decision.data == "qualify", form.reason.data, actor=current_user._get_current_object()
    )
    flash(_("%(n)s entries reviewed.", n=n), "success")
    return done


def _page_text(text: str | None) -> tuple[str, int]:
    """At most MAX_TEXT_CHARS characters of a text for a page, and how many were left out.

    Intake refuses longer manuscripts; this keeps a page bounded whatever a
    row holds (a row stored before the cap, an import).
    """
    text = text or ""
    limit = int(current_app.config.get("MAX_TEXT_CHARS") or 200_000)
    return text[:limit], max(len(text) - limit, 0)


def _highlight(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
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


@bp.route("/manage/entry/<int:entry_id>")
@require_roles(*ORGANISERS)
def manage_entry(entry_id: int):
    entry = db.get_or_404(Submission, entry_id)
    spans = [(s["start"], s["end"]) for s in entry.identity_spans or []]
    flags = db.session.scalars(
        select(SimilarityFlag).where((SimilarityFlag.submission_id == entry.id) | (SimilarityFlag.other_id == entry.id))
    ).all()
    review_form = ReviewForm()
    review_form.reason.data = entry.disqualify_reason
    text, text_cut = _page_text(entry.body_text)
    judge_text, judge_cut = _page_text(entry.judge_text)
    return render_template(
        "essays/manage_entry.html",
        entry=entry,
        pieces=_highlight(text, spans),
        review_form=review_form,
        redact_form=RedactForm(),
        flags=flags,
        text_cut=text_cut,
        judge_text=judge_text,
        judge_cut=judge_cut,
    )


@bp.route("/manage/entry/<int:entry_id>/review", methods=["POST"])
@require_roles(*ORGANISERS)
def review(entry_id: int):
    entry = db.get_or_404(Submission, entry_id)
    form = ReviewForm()
    done = redirect_either_way(url_for("essays.manage_entry", entry_id=entry.id))
    if form.validate_on_submit():
        services.review_entry(
            entry, form.decision.data == "qualify", form.reason.data, actor=current_user._get_current_object()
        )
        flash(_("The decision has been recorded."), "success")
    return done


@bp.route("/manage/entry/<int:entry_id>/redact", methods=["POST"])
@require_roles(*ORGANISERS)
def redact(entry_id: int):
    entry = db.get_or_404(Submission, entry_id)
    form = RedactForm()
    if form.validate_on_submit():
        keep = {i for i in range(len(entry.identity_spans or [])) if f"redact_{i}" not in request.form}
        phrases = [p.strip() for p in (form.phrases.data or "").splitlines() if p.strip()]
        services.redact_identity(entry, actor=current_user._get_current_object(), keep=keep, extra_phrases=phrases)
        flash(_("The judge copy has been updated."), "success")
    return redirect(url_for("essays.manage_entry", entry_id=entry.id))


@bp.route("/manage/entry/<int:entry_id>/judge-copy")
@require_roles(*ORGANISERS)
def judge_copy(entry_id: int):
    from essays.blind import judge_file_name

    entry = db.get_or_404(Submission, entry_id)
    if entry.judge_file is None:
        abort(404)
    return send_stored(entry.judge_file, judge_file_name(entry))


@bp.route("/manage/<int:competition_id>/similarity")
@require_roles(*ORGANISERS)
def similarity_flags(competition_id: int):
    comp = db.get_or_404(Competition, competition_id)
    flags = db.session.scalars(
        select(SimilarityFlag)
        .where(SimilarityFlag.competition_id == comp.id)
        .order_by(SimilarityFlag.resolved, SimilarityFlag.containment.desc())
    ).all()
    return render_template("essays/similarity.html", comp=comp, flags=flags)


@bp.route("/manage/<int:competition_id>/similarity/run", methods=["POST"])
@require_roles(*ORGANISERS)
def run_similarity(competition_id: int):
    comp = db.get_or_404(Competition, competition_id)
    job = start_job(
        "essays.similarity",
        _("Duplicate check for %(code)s", code=comp.code),
        {"competition_id": comp.id},
        user=current_user._get_current_object(),
    )
    return redirect(url_for("core.job_page", job_id=job.id))


@bp.route("/manage/flag/<int:flag_id>", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def similarity_pair(flag_id: int):
    from essays import similarity

    flag = db.get_or_404(SimilarityFlag, flag_id)
    if request.method == "POST":
        from flask_wtf.csrf import validate_csrf

        validate_csrf(request.form.get("csrf_token"))
        services.resolve_flag(flag, actor=current_user._get_current_object())
        flash(_("The pair has been marked as reviewed."), "success")
        return redirect(url_for("essays.similarity_flags", competition_id=flag.competition_id))
    a, b = flag.submission, flag.other
    spans_a, spans_b = similarity.shared_spans(a.body_text, b.body_text)
    return render_template(
        "essays/similarity_pair.html",
        flag=flag,
        a=a,
        b=b,
        pieces_a=_highlight(a.body_text, spans_a),
        pieces_b=_highlight(b.body_text, spans_b),
    )


# Export ------------------------------------------------------------------------


def _export_table(comp: Competition, args, counter: dict) -> exports.Table:
    """The entry list; rows come straight from the database cursor (counted in ``counter``)."""
    from core.i18n import format_dt

    columns = [
        exports.Column(_("Receipt number"), 14),
        exports.Column(_("Anonymous code"), 10),
        exports.Column(_("Title"), 30),
        exports.Column(_("Genre"), 10),
        exports.Column(_("Group"), 10),
        exports.Column(_("Author"), 10),
        exports.Column(_("Unit"), 20),
        exports.Column(_("Recommending unit"), 20),
        exports.Column(_("Contact phone"), 14),
        exports.Column(_("E-mail"), 22),
        exports.Column(_("Words"), 8),
        exports.Column(_("Chinese character count"), 8),
        exports.Column(_("Manuscript format"), 12),
        exports.Column(_("Status"), 12),
        exports.Column(_("Reason for disqualification"), 24),
        exports.Column(_("Identity flag"), 8),
        exports.Column(_("Submitted at"), 20),
    ]
    formats = {f.value: f.label for f in Format}
    statuses = {s: s.label for s in SubmissionStatus}
    yes = _("Yes")

    def rows():
        stmt = _filtered_entries(comp, args).execution_options(yield_per=500)
        for e in db.session.scalars(stmt):
            counter["rows"] += 1
            yield [
                e.receipt_number or "",
                e.anonymous_code or "",
                e.title,
                e.genre.name if e.genre else "",
                e.group.name if e.group else "",
                e.author.display_name,
                e.unit.name if e.unit else (e.author.workplace or ""),
                e.recommending_unit.name if e.recommending_unit else "",
                e.author.phone or "",
                e.author.email or "",
                e.word_count,
                e.han_count,
                formats[e.source_format],
                statuses[e.status],
                e.disqualify_reason or "",
                yes if e.identity_flagged else "",
                format_dt(e.submitted_at, with_seconds=True),
            ]

    return exports.Table(columns, rows(), sheet=_("Entry list"))


def _export(competition_id: int, fmt: str):
    from core import audit

    comp = db.get_or_404(Competition, competition_id)
    counter = {"rows": 0}
    response = exports.send_table(_export_table(comp, request.args, counter), fmt, f"{comp.code}-稿件清单.{fmt}")
    audit.record(
        "essay.export",
        comp,
        actor=current_user._get_current_object(),
        changes={"format": [None, fmt], "rows": [None, counter["rows"]]},
    )
    db.session.commit()
    return response


@bp.route("/manage/<int:competition_id>/export.csv")
@require_roles(*ORGANISERS)
def export_csv(competition_id: int):
    return _export(competition_id, "csv")


@bp.route("/manage/<int:competition_id>/export.xlsx")
@require_roles(*ORGANISERS)
def export_xlsx(competition_id: int):
    return _export(competition_id, "xlsx")

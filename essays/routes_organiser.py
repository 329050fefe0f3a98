"""Essays pages for organisers: competitions, the entry list, qualification review, redaction, duplicates, export."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf

from accounts.permissions import require_roles
from core.request_cycle import on_user_error, redirect_either_way
from core.storage import send_stored
from essays import competitions as competition_actions
from essays import duplicates, entry_lists, similarity
from essays import review as review_actions
from essays.blind import judge_file_name
from essays.forms import (
    CompetitionForm,
    NoticeFileForm,
    RedactForm,
    ReviewForm,
    competition_values,
    fill_competition_form,
    redaction_choices,
)
from essays.models import SubmissionStatus
from essays.view_helpers import (
    ORGANISERS,
    actor,
    bp,
    highlight,
    managed_competition_or_404,
    managed_entry_or_404,
    managed_flag_or_404,
    page_text,
)

DEFAULT_FORMATS = ["text", "docx", "pdf", "txt"]


@bp.route("/manage")
@require_roles(*ORGANISERS)
def competitions():
    page, counts = entry_lists.competitions_page(request.args, actor())
    return render_template("essays/manage_list.html", comps=page.items, page=page, counts=counts)


@bp.route("/manage/new", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def create_competition():
    form = CompetitionForm()
    if request.method == "GET":
        form.accepted_formats.data = DEFAULT_FORMATS
    if form.validate_on_submit():
        on_user_error(partial(render_template, "essays/competition_form.html", form=form, comp=None))
        comp = competition_actions.create_competition(actor=actor(), **competition_values(form))
        flash(_("The competition has been created as a draft."), "success")
        return redirect(url_for("essays.manage_entries", competition_id=comp.id))
    elif form.errors:
        flash(_("Please correct the marked fields."), "error")
    return render_template("essays/competition_form.html", form=form, comp=None)


@bp.route("/manage/<int:competition_id>/edit", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def edit_competition(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    form = CompetitionForm()
    page = partial(render_template, "essays/competition_form.html", form=form, comp=comp, file_form=NoticeFileForm())
    if request.method == "GET":
        fill_competition_form(form, comp)
    if form.validate_on_submit():
        on_user_error(page)
        competition_actions.update_competition(comp, actor=actor(), **competition_values(form))
        flash(_("The competition has been saved."), "success")
        return redirect(url_for("essays.manage_entries", competition_id=comp.id))
    elif form.errors:
        flash(_("Please correct the marked fields."), "error")
    return page()


@bp.route("/manage/<int:competition_id>/status", methods=["POST"])
@require_roles(*ORGANISERS)
def change_status(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    done = redirect_either_way(url_for("essays.manage_entries", competition_id=comp.id))
    competition_actions.change_status(comp, request.form.get("status", ""), actor=actor())
    flash(_("Status changed to %(status)s.", status=comp.status.label), "success")
    return done


@bp.route("/manage/<int:competition_id>")
@require_roles(*ORGANISERS)
def manage_entries(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    page = entry_lists.entries_page(comp, request.args)
    return render_template(
        "essays/manage_entries.html",
        comp=comp,
        entries=page.items,
        page=page,
        args=request.args,
        transitions=competition_actions.TRANSITIONS[comp.status],
        review_form=ReviewForm(),
        submission_statuses=SubmissionStatus,
        **entry_lists.competition_overview(comp),
    )


@bp.route("/manage/<int:competition_id>/review", methods=["POST"])
@require_roles(*ORGANISERS)
def bulk_review(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    form = ReviewForm()
    ids = [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]
    if not form.validate_on_submit() or not ids:
        flash(_("Select at least one entry and a decision."), "error")
        return redirect(url_for("essays.manage_entries", competition_id=comp.id))
    back = request.referrer if request.referrer and "/essays/manage/" in request.referrer else None
    done = redirect_either_way(back or url_for("essays.manage_entries", competition_id=comp.id))
    entries = entry_lists.entries_by_ids(comp, ids)
    n = review_actions.review_entries(entries, form.decision.data == "qualify", form.reason.data, actor=actor())
    flash(_("%(n)s entries reviewed.", n=n), "success")
    return done


@bp.route("/manage/entry/<int:entry_id>")
@require_roles(*ORGANISERS)
def manage_entry(entry_id: int):
    entry = managed_entry_or_404(entry_id)
    review_form = ReviewForm()
    review_form.reason.data = entry.disqualify_reason
    text, text_cut = page_text(entry.body_text)
    judge_text, judge_cut = page_text(entry.judge_text)
    return render_template(
        "essays/manage_entry.html",
        entry=entry,
        pieces=highlight(text, [(s["start"], s["end"]) for s in entry.identity_spans or []]),
        review_form=review_form,
        redact_form=RedactForm(),
        flags=entry_lists.flags_of_entry(entry),
        text_cut=text_cut,
        judge_text=judge_text,
        judge_cut=judge_cut,
    )


@bp.route("/manage/entry/<int:entry_id>/review", methods=["POST"])
@require_roles(*ORGANISERS)
def review(entry_id: int):
    entry = managed_entry_or_404(entry_id)
    form = ReviewForm()
    done = redirect_either_way(url_for("essays.manage_entry", entry_id=entry.id))
    if form.validate_on_submit():
        review_actions.review_entry(entry, form.decision.data == "qualify", form.reason.data, actor=actor())
        flash(_("The decision has been recorded."), "success")
    return done


@bp.route("/manage/entry/<int:entry_id>/redact", methods=["POST"])
@require_roles(*ORGANISERS)
def redact(entry_id: int):
    entry = managed_entry_or_404(entry_id)
    form = RedactForm()
    if form.validate_on_submit():
        keep, phrases = redaction_choices(form, entry, request.form)
        review_actions.redact_identity(entry, actor=actor(), keep=keep, extra_phrases=phrases)
        flash(_("The judge copy has been updated."), "success")
    return redirect(url_for("essays.manage_entry", entry_id=entry.id))


@bp.route("/manage/entry/<int:entry_id>/judge-copy")
@require_roles(*ORGANISERS)
def judge_copy(entry_id: int):
    entry = managed_entry_or_404(entry_id)
    if entry.judge_file is None:
        abort(404)
    return send_stored(entry.judge_file, judge_file_name(entry))


@bp.route("/manage/<int:competition_id>/similarity")
@require_roles(*ORGANISERS)
def similarity_flags(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    page = entry_lists.similarity_flags_page(comp, request.args)
    return render_template("essays/similarity.html", comp=comp, flags=page.items, page=page)


@bp.route("/manage/<int:competition_id>/similarity/run", methods=["POST"])
@require_roles(*ORGANISERS)
def run_similarity(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    job = duplicates.start_similarity(comp, actor())
    return redirect(url_for("core.job_page", job_id=job.id))


@bp.route("/manage/flag/<int:flag_id>", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def similarity_pair(flag_id: int):
    flag = managed_flag_or_404(flag_id)
    if request.method == "POST":
        validate_csrf(request.form.get("csrf_token"))
        duplicates.resolve_flag(flag, actor=actor())
        flash(_("The pair has been marked as reviewed."), "success")
        return redirect(url_for("essays.similarity_flags", competition_id=flag.competition_id))
    a, b = flag.submission, flag.other
    spans_a, spans_b = similarity.shared_spans(a.body_text, b.body_text)
    return render_template(
        "essays/similarity_pair.html",
        flag=flag,
        a=a,
        b=b,
        pieces_a=highlight(a.body_text, spans_a),
        pieces_b=highlight(b.body_text, spans_b),
    )


@bp.route("/manage/<int:competition_id>/export.csv")
@require_roles(*ORGANISERS)
def export_csv(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    return entry_lists.export_entries(comp, request.args, "csv", actor=actor())


@bp.route("/manage/<int:competition_id>/export.xlsx")
@require_roles(*ORGANISERS)
def export_xlsx(competition_id: int):
    comp = managed_competition_or_404(competition_id)
    return entry_lists.export_entries(comp, request.args, "xlsx", actor=actor())

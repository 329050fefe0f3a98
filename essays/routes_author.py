"""Essays pages for authors: open calls, submitting, drafts, their own entries.

Viewing an entry, its receipt and its original file are shared with the
unit coordinator who recommended it and with organisers (``permissions``).
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role, User
from accounts.permissions import require_roles
from core.db import utcnow
from core.extensions import db
from core.limits import body_limit
from core.request_cycle import on_user_error, redirect_either_way
from core.storage import send_stored
from essays import drafts, entry_lists, receipts
from essays.competitions import submission_refusal, visible_competitions_for_authors
from essays.forms import EntryForm, with_choices
from essays.freeze import frozen_reason
from essays.models import SubmissionStatus
from essays.permissions import can_edit_entry, can_recommend
from essays.submission import new_form_token
from essays.view_helpers import (
    actor,
    autosave_payload,
    autosave_reply,
    bp,
    entry_or_404,
    open_competition_or_404,
    page_text,
    resent_submission,
    save_draft_committed,
    submit_form,
)

ANY_ROLE = (Role.AUTHOR, Role.COORDINATOR, Role.ORGANISER, Role.ADMIN)


@bp.route("/mine")
@require_roles(Role.AUTHOR)
def my_entries():
    page = entry_lists.own_entries_page(current_user)
    return render_template(
        "essays/my_entries.html", entries=page.items, page=page, competitions=visible_competitions_for_authors()
    )


@bp.route("/c/<int:competition_id>")
@require_roles(*ANY_ROLE)
def competition(competition_id: int):
    comp = open_competition_or_404(competition_id)
    return render_template(
        "essays/competition.html",
        comp=comp,
        accepting=comp.accepts_entries_at(utcnow()),
        can_recommend=can_recommend(current_user, comp),
    )


@bp.route("/c/<int:competition_id>/submit", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(Role.AUTHOR)
def submit(competition_id: int):
    comp = open_competition_or_404(competition_id)
    resent = resent_submission(current_user)  # a double click: the first request's receipt
    if resent is not None:
        return redirect(url_for("essays.receipt", entry_id=resent.entry_id))
    form = with_choices(EntryForm(), comp)
    page = partial(render_template, "essays/submit.html", comp=comp, form=form, entry=None)
    if request.method == "GET":
        # Say why before the form (closed call, entry limit), not after the entry is written.
        refusal = submission_refusal(comp, utcnow(), author=current_user)
        if refusal is not None:
            return render_template("essays/submit.html", comp=comp, form=None, entry=None, refusal=refusal.render())
        form.token.data = new_form_token()
    if form.validate_on_submit():
        result = submit_form(comp, form, page, author=actor(), token_checked=True)
        if not result.duplicate:
            flash(
                _("Your entry has been submitted. Receipt number: %(number)s", number=result.receipt_number), "success"
            )
        return redirect(url_for("essays.receipt", entry_id=result.entry_id))
    return page(), 422 if request.method == "POST" else 200


@bp.route("/entry/<int:entry_id>/edit", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(Role.AUTHOR, Role.COORDINATOR)
def edit_entry(entry_id: int):
    entry = entry_or_404(entry_id, edit=True)
    comp = entry.competition
    if entry.status == SubmissionStatus.WITHDRAWN:
        abort(404)
    frozen = frozen_reason(entry)
    if frozen is not None and request.method == "GET":
        flash(_(frozen), "warning")
        return redirect(url_for("essays.entry_detail", entry_id=entry.id))
    form = with_choices(EntryForm(obj=None), comp)
    if request.method == "GET":
        refusal = submission_refusal(comp, utcnow())  # a closed call: say so before the form
        if refusal is not None:
            return render_template("essays/submit.html", comp=comp, form=None, entry=entry, refusal=refusal.render())
        _fill_entry_form(form, entry)
    if form.validate_on_submit():
        page = partial(render_template, "essays/submit.html", comp=comp, form=form, entry=entry)
        unit = entry.recommending_unit if entry.status == SubmissionStatus.DRAFT else None
        author = db.session.get(User, entry.author_id)
        result = submit_form(comp, form, page, author=author, entry=entry, recommending_unit=unit)
        flash(_("Your entry has been saved and submitted."), "success")
        return redirect(url_for("essays.receipt", entry_id=result.entry_id))
    return render_template("essays/submit.html", comp=comp, form=form, entry=entry)


def _fill_entry_form(form: EntryForm, entry) -> None:
    form.token.data = entry.submission_token or new_form_token()
    form.title.data, form.genre_id.data, form.group_id.data = entry.title, entry.genre_id or 0, entry.group_id or 0
    form.body.data = entry.body_text if entry.source_format == "text" else ""


@bp.route("/c/<int:competition_id>/autosave", methods=["POST"])
@body_limit("text")
@require_roles(Role.AUTHOR)
def autosave(competition_id: int):
    comp = open_competition_or_404(competition_id)
    entry_id, fields = autosave_payload(comp)
    entry = entry_or_404(entry_id, edit=True) if entry_id else None
    on_user_error(json_status=409)
    return jsonify(autosave_reply(save_draft_committed(comp, fields, entry)))


@bp.route("/entry/<int:entry_id>")
@require_roles(*ANY_ROLE)
def entry_detail(entry_id: int):
    entry = entry_or_404(entry_id)
    text, cut = page_text(entry.body_text)
    return render_template(
        "essays/entry.html",
        entry=entry,
        can_edit=can_edit_entry(current_user, entry),
        accepting=entry.competition.accepts_entries_at(utcnow()),
        text=text,
        text_cut=cut,
    )


@bp.route("/entry/<int:entry_id>/text.txt")
@require_roles(*ANY_ROLE)
def entry_text(entry_id: int):
    """The entry's whole text as a download (a page shows at most MAX_TEXT_CHARS)."""
    entry = entry_or_404(entry_id)
    name = f"{entry.receipt_number or entry.id}.txt"
    return Response(
        entry.body_text or "",
        mimetype="text/plain",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@bp.route("/entry/<int:entry_id>/receipt")
@require_roles(*ANY_ROLE)
def receipt(entry_id: int):
    entry = entry_or_404(entry_id)
    if entry.receipt_number is None:
        return redirect(url_for("essays.edit_entry", entry_id=entry.id))
    return render_template("essays/receipt.html", entry=entry)


@bp.route("/entry/<int:entry_id>/receipt.pdf")
@require_roles(*ANY_ROLE)
def receipt_pdf(entry_id: int):
    entry = entry_or_404(entry_id)
    if entry.receipt_number is None:
        abort(404)
    return Response(
        receipts.receipt_pdf(entry),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(receipts.file_name(entry))}"},
    )


@bp.route("/receipt-check/<token>")
def receipt_check(token: str):
    """Public: what the QR code on a receipt opens (number, activity, time; no name, no title)."""
    entry = receipts.entry_for_check(token)
    if entry is None:
        return render_template("essays/receipt_check.html", facts=None), 404
    return render_template("essays/receipt_check.html", facts=receipts.check_facts(entry))


@bp.route("/entry/<int:entry_id>/withdraw", methods=["POST"])
@require_roles(Role.AUTHOR, Role.COORDINATOR)
def withdraw(entry_id: int):
    entry = entry_or_404(entry_id, edit=True)
    own = current_user.has_role(Role.AUTHOR) and entry.author_id == current_user.id
    done = redirect_either_way(url_for("essays.my_entries") if own else url_for("essays.unit_entries"))
    was_draft = entry.status == SubmissionStatus.DRAFT
    drafts.withdraw_entry(entry, actor=actor())
    flash(_("The draft has been deleted.") if was_draft else _("The entry has been withdrawn."), "success")
    return done


@bp.route("/entry/<int:entry_id>/original")
@require_roles(*ANY_ROLE)
def original_file(entry_id: int):
    entry = entry_or_404(entry_id)
    if entry.original_file is None:
        abort(404)
    return send_stored(entry.original_file, entry.original_name or f"{entry.receipt_number}.{entry.source_format}")

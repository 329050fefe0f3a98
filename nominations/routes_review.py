"""Experts: their assigned dossiers and the rubric scores (the expert-facing side only).

Templates get ``nominations.expert_view.ExpertDossier`` projections, never a
``Nomination``: no phone or resident ID, and nothing that names the nominee
when the programme reviews blind. The office's pages for the later stages live
in ``routes_stages``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role
from accounts.permissions import require_roles
from core.loaders import allowed_or_404
from core.request_cycle import on_user_error
from core.storage import send_stored
from core.views import register_panel
from nominations import expert_view, panels, review
from nominations.blueprint import bp
from nominations.forms_review import score_form, score_values
from nominations.models import FileKind, MemberRole, Programme
from nominations.permissions import can_score_dossier, is_expert_of

signed_in = require_roles()

register_panel(("judge", "committee"), "nominations/review/_panel_duties.html")


@bp.app_context_processor
def _nomination_duties():
    def nomination_duties():
        if not current_user.is_authenticated:
            return []
        return review.duties(current_user)

    return {"nomination_duties": nomination_duties}


def _my_programme(programme_id: int) -> Programme:
    return allowed_or_404(Programme, programme_id, is_expert_of)


def _my_review(programme: Programme, nomination_id: int):
    item = review.my_review(programme, current_user, nomination_id)
    if not can_score_dossier(current_user, item):
        abort(404)
    return item


@bp.route("/nominations/review")
@require_roles(Role.JUDGE)
def review_home():
    programmes = panels.served_programmes(current_user, MemberRole.EXPERT)
    if len(programmes) == 1:
        return redirect(url_for("nominations.review_queue", programme_id=programmes[0].id))
    return render_template("nominations/review/home.html", programmes=programmes)


@bp.route("/nominations/review/<int:programme_id>")
@signed_in
def review_queue(programme_id: int):
    programme = _my_programme(programme_id)
    items = [
        (expert_view.project(r.nomination, blind=programme.blind_review), r)
        for r in review.my_reviews(programme, current_user)
    ]
    done = sum(1 for _d, r in items if r.submitted_at is not None)
    return render_template("nominations/review/queue.html", programme=programme, items=items, done=done)


@bp.route("/nominations/review/<int:programme_id>/d/<int:nomination_id>", methods=["GET", "POST"])
@signed_in
def review_dossier(programme_id: int, nomination_id: int):
    programme = _my_programme(programme_id)
    item = _my_review(programme, nomination_id)
    form = score_form(programme.criteria, item, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        submit = request.form.get("action") == "submit"
        on_user_error(url_for("nominations.review_dossier", programme_id=programme_id, nomination_id=nomination_id))
        review.save_review(
            item, values=score_values(form), comment=form.comment.data or "", submit=submit, actor=current_user
        )
        flash(_("Score submitted.") if submit else _("Draft saved."), "success")
        return redirect(
            url_for("nominations.review_queue" if submit else "nominations.review_dossier", **request.view_args)
        )
    if request.method == "POST":
        flash(_("Check the scores: each lies between 0 and the criterion's maximum."), "error")
    dossier = expert_view.project(item.nomination, blind=programme.blind_review)
    return render_template(
        "nominations/review/dossier.html",
        programme=programme,
        dossier=dossier,
        work=item,
        form=form,
        can_score=review.can_score_now(item),
    ), (422 if request.method == "POST" else 200)


@bp.route("/nominations/review/<int:programme_id>/d/<int:nomination_id>/photo")
@signed_in
def review_photo(programme_id: int, nomination_id: int):
    programme = _my_programme(programme_id)
    item = _my_review(programme, nomination_id)
    photo = next((f for f in item.nomination.files if f.kind == FileKind.PHOTO), None)
    if programme.blind_review or photo is None:
        abort(404)
    suffix = photo.stored_file.key.rsplit(".", 1)[-1]
    return send_stored(photo.stored_file, f"{expert_view.dossier_code(nomination_id)}.{suffix}", as_attachment=False)


# The office's pages of the review, ballot, 联审, hand-over and approval stages.

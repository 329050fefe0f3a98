"""Essays pages for unit coordinators: the unit's recommended entries and recommending a member's entry."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Role, Unit, User
from accounts.permissions import require_roles
from core.db import utcnow
from core.extensions import db
from core.limits import body_limit
from essays import entry_lists
from essays.competitions import submission_refusal, visible_competitions_for_authors
from essays.forms import RecommendForm, with_choices
from essays.permissions import can_recommend
from essays.submission import new_form_token
from essays.view_helpers import bp, open_competition_or_404, submit_form


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
    page = entry_lists.unit_entries_page(unit) if unit is not None else None
    comps = [c for c in visible_competitions_for_authors() if c.unit_recommendation_enabled]
    used = entry_lists.unit_quota_used(unit, comps)
    return render_template(
        "essays/unit_entries.html",
        unit=unit,
        entries=page.items if page else [],
        page=page,
        competitions=comps,
        used=used,
    )


@bp.route("/unit/c/<int:competition_id>/submit", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(Role.COORDINATOR)
def recommend(competition_id: int):
    comp = open_competition_or_404(competition_id)
    if not can_recommend(current_user, comp):
        abort(403)
    form = with_choices(RecommendForm(), comp)
    members = _members(current_user.unit_id)
    form.member_id.choices = [(0, _("— choose —"))] + [(m.id, m.display_name) for m in members]
    page = partial(render_template, "essays/recommend.html", comp=comp, form=form)
    if request.method == "GET":
        refusal = submission_refusal(comp, utcnow(), recommending_unit=current_user.unit)
        if refusal is not None:
            return render_template("essays/recommend.html", comp=comp, form=None, refusal=refusal.render())
        form.token.data = new_form_token()
    valid, member = form.validate_on_submit(), next((m for m in members if m.id == form.member_id.data), None)
    if valid and member is None:
        form.member_id.errors.append(_("Please choose a member of your unit."))
    elif valid:
        result = submit_form(comp, form, page, author=member, recommending_unit=current_user.unit)
        if not result.duplicate:
            message = _(
                "The recommended entry has been submitted. Receipt number: %(number)s", number=result.receipt_number
            )
            flash(message, "success")
        return redirect(url_for("essays.receipt", entry_id=result.entry_id))
    return page(), 422 if request.method == "POST" else 200

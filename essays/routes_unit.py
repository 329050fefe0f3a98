"""Essays pages for unit coordinators: the unit's recommended entries and recommending a member's entry."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from accounts import recovery
from accounts.forms import InviteForm
from accounts.models import INVITATION_PENDING, Role, Unit, User
from accounts.permissions import require_roles
from core.db import utcnow
from core.extensions import db
from core.i18n_markers import N_
from core.limits import body_limit
from core.request_cycle import on_user_error, redirect_either_way
from essays import entry_lists, recommendations
from essays.competitions import submission_refusal, visible_competitions_for_authors
from essays.forms import RecommendForm, with_choices
from essays.models import Submission
from essays.permissions import can_endorse_entry, can_recommend, can_withdraw_recommendation
from essays.submission import new_form_token
from essays.view_helpers import actor, bp, open_competition_or_404, submit_form


def _members(unit_id: int) -> list[User]:
    """Members the unit may submit for: active accounts, and those invited but not yet confirmed."""
    usable = or_(User.active.is_(True), User.password_hash == INVITATION_PENDING)
    return list(db.session.scalars(select(User).where(User.unit_id == unit_id, usable).order_by(User.display_name)))


@bp.route("/unit")
@require_roles(Role.COORDINATOR)
def unit_entries():
    unit = db.session.get(Unit, current_user.unit_id) if current_user.unit_id else None
    page = entry_lists.unit_entries_page(unit) if unit is not None else None
    comps = [c for c in visible_competitions_for_authors() if c.unit_recommendation_enabled]
    used = entry_lists.unit_quota_used(unit, comps)
    quotas = {c.id: recommendations.quota_of(c, unit.id) for c in comps} if unit is not None else {}
    return render_template(
        "essays/unit_entries.html",
        unit=unit,
        entries=page.items if page else [],
        page=page,
        competitions=comps,
        used=used,
        quotas=quotas,
    )


def _recommending_competition(competition_id: int):
    comp = open_competition_or_404(competition_id)
    if not can_recommend(current_user, comp):
        abort(403)
    return comp


@bp.route("/unit/c/<int:competition_id>")
@require_roles(Role.COORDINATOR)
def unit_competition(competition_id: int):
    """One call seen by the unit: its quota, what it recommends, members' entries it may endorse."""
    comp = _recommending_competition(competition_id)
    unit = current_user.unit
    recommended = entry_lists.unit_quota_used(unit, [comp])[comp.id]
    return render_template(
        "essays/unit_competition.html",
        comp=comp,
        unit=unit,
        quota=recommendations.quota_of(comp, unit.id),
        used=recommended,
        endorsable=recommendations.member_entries(comp, unit),
        recommended=recommendations.recommended_entries(comp, unit),
        refusal=submission_refusal(comp, utcnow(), recommending_unit=unit),
        open_now=comp.accepts_entries_at(utcnow()),
    )


@bp.route("/unit/entry/<int:entry_id>/endorse", methods=["POST"])
@require_roles(Role.COORDINATOR)
def endorse(entry_id: int):
    return _on_unit_entry(
        entry_id,
        can_endorse_entry,
        lambda entry: recommendations.endorse_entry(entry, current_user.unit, actor=actor()),
        N_("This unit now recommends “%(title)s”."),
    )


@bp.route("/unit/entry/<int:entry_id>/unrecommend", methods=["POST"])
@require_roles(Role.COORDINATOR)
def withdraw_recommendation(entry_id: int):
    return _on_unit_entry(
        entry_id,
        can_withdraw_recommendation,
        lambda entry: recommendations.withdraw_recommendation(entry, actor=actor()),
        N_("This unit no longer recommends “%(title)s”; its place is free again."),
    )


def _on_unit_entry(entry_id: int, allowed, act, done_msgid: str):
    """``act`` on an entry ``allowed`` to the coordinator, then back to the unit's competition page."""
    entry = db.get_or_404(Submission, entry_id)
    if not allowed(current_user, entry):
        abort(404)  # another unit's entry: do not say it exists
    done = redirect_either_way(url_for("essays.unit_competition", competition_id=entry.competition_id))
    act(entry)
    flash(_(done_msgid, title=entry.title), "success")
    return done


@bp.route("/unit/c/<int:competition_id>/invite", methods=["GET", "POST"])
@require_roles(Role.COORDINATOR)
def invite(competition_id: int):
    """Recommend someone without an account: open one for them and hand over a one-time link."""
    comp = _recommending_competition(competition_id)
    form = InviteForm()
    page = partial(render_template, "essays/unit_invite.html", comp=comp, form=form)
    if not form.validate_on_submit():
        return page(), 422 if request.method == "POST" else 200
    on_user_error(page)
    invitation = recovery.invite_author(
        display_name=form.display_name.data,
        phone=form.phone.data,
        email=form.email.data,
        unit=current_user.unit,
        actor=actor(),
    )
    body = render_template("essays/unit_invited.html", comp=comp, invitation=invitation)
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return recovery.send_after_response(response, invitation.mail)


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
    if request.method == "GET":
        form.member_id.data = request.args.get("member", 0, type=int)
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

"""Organiser actions on a round's results: entries with too few scores, arbitration nobody
eligible could take, and the round's committee. Registered on the judging blueprint."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role, User
from accounts.permissions import require_roles
from core.errors import UserError
from core.extensions import db
from judging import arbitration, committee_services, results
from judging.models import Round
from judging.routes import _fail, bp


def _round(round_id: int) -> Round:
    return db.get_or_404(Round, round_id)


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@bp.route("/rounds/<int:round_id>/short/accept", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def accept_short(round_id: int):
    round_ = _round(round_id)
    sid = _int(request.form.get("submission_id"))
    try:
        accepted = results.accept_short_entries(round_, [sid] if sid else None, actor=current_user,
                                                reason=request.form.get("reason", ""))
        db.session.commit()
        flash(_("%(count)s entries with too few scores accepted; the reason is in the audit log.",
                count=len(accepted)), "success")
    except UserError as exc:
        _fail(exc)
    return redirect(url_for("judging.awards", round_id=round_id) + "#short")


@bp.route("/rounds/<int:round_id>/arbitration/<int:submission_id>/assign", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def arbitration_assign(round_id: int, submission_id: int):
    round_ = _round(round_id)
    try:
        item = arbitration.assign_arbiter_by_hand(round_, submission_id, _int(request.form.get("judge_id")),
                                                  actor=current_user)
        db.session.commit()
        flash(_("%(name)s now has the entry to arbitrate.", name=item.judge.display_name), "success")
        if round_.state != "open":
            flash(_("Reopen the round so that the judge can score."), "warning")
    except UserError as exc:
        _fail(exc)
    return redirect(url_for("judging.round_setup", round_id=round_id) + "#stuck-arbitration")


@bp.route("/rounds/<int:round_id>/arbitration/<int:submission_id>/accept", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def arbitration_accept(round_id: int, submission_id: int):
    round_ = _round(round_id)
    try:
        arbitration.accept_without_arbiter(round_, submission_id, actor=current_user,
                                           reason=request.form.get("reason", ""))
        db.session.commit()
        flash(_("The scores stand without arbitration; the reason is in the audit log."), "success")
    except UserError as exc:
        _fail(exc)
    return redirect(url_for("judging.round_setup", round_id=round_id) + "#stuck-arbitration")


@bp.route("/rounds/<int:round_id>/committee", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def committee_add(round_id: int):
    round_ = _round(round_id)
    user = db.session.get(User, _int(request.form.get("user_id")))
    try:
        if user is None:
            raise UserError(_("Choose a committee member from the list."))
        committee_services.add_member(round_, user, actor=current_user)
        db.session.commit()
        flash(_("%(name)s now serves on the round's committee.", name=user.display_name), "success")
    except UserError as exc:
        _fail(exc)
    return redirect(url_for("judging.awards", round_id=round_id) + "#committee")


@bp.route("/rounds/<int:round_id>/committee/<int:user_id>/remove", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def committee_remove(round_id: int, user_id: int):
    round_ = _round(round_id)
    user = db.get_or_404(User, user_id)
    try:
        committee_services.remove_member(round_, user, actor=current_user)
        db.session.commit()
        flash(_("%(name)s no longer serves on the round's committee.", name=user.display_name), "success")
    except UserError as exc:
        _fail(exc)
    return redirect(url_for("judging.awards", round_id=round_id) + "#committee")

"""Organiser actions on a round's results: entries with too few scores, arbitration nobody
eligible could take, and the round's committee. Registered on the judging blueprint."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role, User
from accounts.permissions import require_roles
from core.errors import UserError
from core.extensions import db
from core.request_cycle import redirect_either_way
from judging import arbitration, committee_services, results
from judging.models import Round
from judging.routes import bp


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
    done = redirect_either_way(url_for("judging.awards", round_id=round_id) + "#short")
    accepted = results.accept_short_entries(
        round_, [sid] if sid else None, actor=current_user, reason=request.form.get("reason", "")
    )
    flash(
        _("%(count)s entries with too few scores accepted; the reason is in the audit log.", count=len(accepted)),
        "success",
    )
    return done


@bp.route("/rounds/<int:round_id>/arbitration/<int:submission_id>/assign", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def arbitration_assign(round_id: int, submission_id: int):
    round_ = _round(round_id)
    done = redirect_either_way(url_for("judging.round_setup", round_id=round_id) + "#stuck-arbitration")
    item = arbitration.assign_arbiter_by_hand(
        round_, submission_id, _int(request.form.get("judge_id")), actor=current_user
    )
    flash(_("%(name)s now has the entry to arbitrate.", name=item.judge.display_name), "success")
    if round_.state != "open":
        flash(_("Reopen the round so that the judge can score."), "warning")
    return done


@bp.route("/rounds/<int:round_id>/arbitration/<int:submission_id>/accept", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def arbitration_accept(round_id: int, submission_id: int):
    round_ = _round(round_id)
    done = redirect_either_way(url_for("judging.round_setup", round_id=round_id) + "#stuck-arbitration")
    arbitration.accept_without_arbiter(round_, submission_id, actor=current_user, reason=request.form.get("reason", ""))
    flash(_("The scores stand without arbitration; the reason is in the audit log."), "success")
    return done


@bp.route("/rounds/<int:round_id>/committee", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def committee_add(round_id: int):
    round_ = _round(round_id)
    user = db.session.get(User, _int(request.form.get("user_id")))
    done = redirect_either_way(url_for("judging.awards", round_id=round_id) + "#committee")
    if user is None:
        raise UserError(_("Choose a committee member from the list."))
    committee_services.add_member(round_, user, actor=current_user)
    flash(_("%(name)s now serves on the round's committee.", name=user.display_name), "success")
    return done


@bp.route("/rounds/<int:round_id>/committee/<int:user_id>/remove", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def committee_remove(round_id: int, user_id: int):
    round_ = _round(round_id)
    user = db.get_or_404(User, user_id)
    done = redirect_either_way(url_for("judging.awards", round_id=round_id) + "#committee")
    committee_services.remove_member(round_, user, actor=current_user)
    flash(_("%(name)s no longer serves on the round's committee.", name=user.display_name), "success")
    return done

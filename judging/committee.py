"""Committee pages: the ties at award boundaries of the rounds a member serves, and their decisions.

Registered on the judging blueprint (imported at the end of ``judging.routes``).
Committee members see entries as judges do (anonymous code, redacted title
and text, scores), never the author or unit.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role
from accounts.permissions import require_roles
from core.extensions import db
from core.request_cycle import redirect_either_way
from core.views import register_panel
from judging import award_services, committee_services
from judging.models import Round
from judging.routes import bp

register_panel(("committee",), "judging/_panel_committee.html")


@bp.app_context_processor
def _committee_helpers():
    def committee_rounds():
        if not (current_user.is_authenticated and current_user.has_role(Role.COMMITTEE)):
            return []
        return committee_services.rounds_served(current_user)

    return {"committee_rounds": committee_rounds}


def _served_round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None or not committee_services.serves(round_, current_user):
        abort(404)
    return round_


@bp.route("/committee")
@require_roles(Role.COMMITTEE)
def committee_home():
    return render_template("judging/committee_rounds.html", served=committee_services.rounds_served(current_user))


@bp.route("/committee/<int:round_id>")
@require_roles(Role.COMMITTEE)
def committee_round(round_id: int):
    round_ = _served_round(round_id)
    return render_template(
        "judging/committee_round.html",
        round=round_,
        ties=committee_services.tie_views(round_),
        decisions=committee_services.decisions(round_),
    )


def _ids(values) -> list[int]:
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


@bp.route("/committee/<int:round_id>/decide", methods=["POST"])
@require_roles(Role.COMMITTEE)
def committee_decide(round_id: int):
    round_ = _served_round(round_id)
    f = request.form
    done = redirect_either_way(url_for("judging.committee_round", round_id=round_id))
    award_services.decide_tie(
        round_,
        group_label=f.get("group", ""),
        level=f.get("level", ""),
        entries=_ids(f.getlist("entries")),
        chosen=_ids(f.getlist("chosen")),
        actor=current_user,
        reason=f.get("reason", ""),
    )
    flash(_("The committee's decision is recorded; the awards follow it."), "success")
    return done

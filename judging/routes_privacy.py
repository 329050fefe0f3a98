"""An archived activity's personal data: its retention period and the erasure of its
non-winners (``judging.erasure``). Their own small blueprint keeps the URLs outside
``/judging`` (``/activities/<id>/privacy``); a person's own data download is accounts'.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import RetentionForm
from accounts.models import Role
from accounts.permissions import can_manage_retention, require_roles
from core.jobs import start_job
from core.loaders import allowed_or_404
from core.request_cycle import on_user_error
from essays.models import Competition
from judging import erasure
from publishing.clock import today_local

bp = Blueprint("privacy", __name__)


def _competition_or_404(competition_id: int) -> Competition:
    return allowed_or_404(Competition, competition_id, can_manage_retention)


@bp.route("/activities/<int:competition_id>/privacy", methods=["GET", "POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def retention(competition_id: int):
    competition = _competition_or_404(competition_id)
    form = RetentionForm()
    page_url = url_for("privacy.retention", competition_id=competition.id)
    if form.validate_on_submit():
        on_user_error(page_url)
        erasure.set_retention(competition, form.keep_until.data, actor=current_user, today=today_local())
        flash(_("The retention period has been saved."), "success")
        return redirect(page_url)
    return render_template(
        "judging/retention.html",
        competition=competition,
        form=form,
        retention=erasure.retention_of(competition),
        non_winners=len(erasure.non_winner_ids(competition)),
    )


@bp.route("/activities/<int:competition_id>/privacy/erase", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def erase(competition_id: int):
    competition = _competition_or_404(competition_id)
    on_user_error(url_for("privacy.retention", competition_id=competition.id))
    erasure.check_erasable(competition, today=today_local())
    title = _("Erase personal data: %(title)s", title=competition.title)
    job = start_job("privacy.erase", title, {"competition_id": competition.id}, user=current_user)
    return redirect(url_for("core.job_page", job_id=job.id))

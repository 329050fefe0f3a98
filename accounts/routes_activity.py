"""An activity's organiser accounts (主办/承办/协办): the list, and adding or removing one.

One page for every kind of activity: ``accounts.activity_access.describe`` names the
activity (each feature package's describer is registered by the composition root).
District organisers and administrators change the list; a listed 承办/协办 account reads it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import activity_access as access
from accounts import services
from accounts.forms import ActivityOrganiserForm
from accounts.models import Role, User
from accounts.permissions import require_roles
from accounts.routes import bp
from core.extensions import db
from core.request_cycle import on_user_error, redirect_either_way

ORGANISERS = (Role.ORGANISER, Role.ADMIN)


@bp.app_context_processor
def _activity_access_helpers():
    return {"manages_all_activities": lambda: access.manages_all(current_user)}


def _activity_or_404(activity_type: str, activity_id: int) -> tuple[str, str]:
    """(title, url) of an activity the signed-in organiser may manage, else 404."""
    described = access.describe(activity_type, activity_id)
    if described is None:
        abort(404)
    access.require_organiser_of(activity_type, activity_id)
    return described


def _add_form() -> ActivityOrganiserForm:
    form = ActivityOrganiserForm()
    form.user_id.choices = [
        (u.id, f"{u.display_name}（{u.unit.name}）" if u.unit else u.display_name)
        for u in services.active_users_with_role(Role.ORGANISER)
    ]
    return form


@bp.route("/activities/<activity_type>/<int:activity_id>/organisers", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def activity_organisers(activity_type: str, activity_id: int):
    title, back = _activity_or_404(activity_type, activity_id)
    form = _add_form()
    here = url_for("accounts.activity_organisers", activity_type=activity_type, activity_id=activity_id)

    def page():
        rows = access.organisers_of(activity_type, activity_id)
        editable = access.manages_all(current_user)
        return render_template(
            "accounts/activity_organisers.html", title=title, back=back, rows=rows, form=form, editable=editable
        )

    if form.validate_on_submit():
        access.require_manages_all()
        on_user_error(page)
        user = db.get_or_404(User, form.user_id.data)
        access.add_organiser(activity_type, activity_id, user, form.part.data, actor=current_user, label=title)
        flash(_("%(name)s is listed on this activity.", name=user.display_name), "success")
        return redirect(here)
    return page()


@bp.route("/activities/<activity_type>/<int:activity_id>/organisers/<int:user_id>/remove", methods=["POST"])
@require_roles(*ORGANISERS)
def remove_activity_organiser(activity_type: str, activity_id: int, user_id: int):
    title, _back = _activity_or_404(activity_type, activity_id)
    access.require_manages_all()
    done = redirect_either_way(
        url_for("accounts.activity_organisers", activity_type=activity_type, activity_id=activity_id)
    )
    access.remove_organiser(activity_type, activity_id, user_id, actor=current_user, label=title)
    flash(_("The account is no longer listed on this activity."), "success")
    return done

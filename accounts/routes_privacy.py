"""Privacy pages: the notice and a person's own data download. An activity's retention
period and erasure are judging's (``judging.routes_privacy``), which knows the winners."""

from __future__ import annotations

import datetime as dt

from flask import Response, render_template
from flask_login import current_user, login_required

from accounts import personal_data, privacy
from accounts.routes import bp
from core import audit
from core.exports import content_disposition
from core.i18n import SHANGHAI


@bp.route("/privacy")
def privacy_notice():
    return render_template("accounts/privacy.html", notice=privacy)


@bp.route("/profile/my-data", methods=["POST"])
@login_required
def my_data():
    user = current_user._get_current_object()
    data = personal_data.build_zip(user)
    audit.record("privacy.export", user, actor=user)
    response = Response(data, mimetype="application/zip")
    today = dt.datetime.now(SHANGHAI).date()
    response.headers["Content-Disposition"] = content_disposition(f"my-data-{today:%Y%m%d}.zip")
    response.headers["Cache-Control"] = "private, no-store"
    return response

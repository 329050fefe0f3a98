"""The public check of an objection: the objector gives the reference and their phone
number and reads the status and, once resolved, the outcome (no account needed).
Registered on the publishing blueprint (imported in ``core.register_blueprints``).
"""

from __future__ import annotations

from flask import current_app, render_template

from core.extensions import limiter
from publishing.blueprint import bp
from publishing.forms import ObjectionCheckForm
from publishing.objections import find_objection


def _check_limit() -> str:
    return current_app.config.get("VERIFY_LIMIT_PER_ADDRESS") or "20 per hour"


@bp.route("/public/objections/check", methods=["GET", "POST"])
@limiter.limit(_check_limit, methods=["POST"])
def objection_check():
    form = ObjectionCheckForm()
    objection, failed = None, False
    if form.validate_on_submit():
        objection = find_objection(form.reference.data, form.phone.data)
        failed = objection is None
    return render_template("publishing/objection_check.html", form=form, objection=objection, failed=failed)

"""Publishing's one blueprint and what its pages share.

The pages live in modules by audience: ``public_routes`` (no login, and the
author's own certificates), ``manage_routes`` (the organiser's desk: result sets,
notice, objections, working days) and ``certificate_routes`` (the organiser's
certificate template, certificates and result e-mails). Each adds its routes
to ``bp``; ``core.register_blueprints`` imports them and registers ``bp``.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, send_file
from flask_login import current_user
from sqlalchemy import select

from accounts.activity_access import manages_all
from accounts.models import Role
from core.extensions import db
from core.storage import send_stored
from core.views import register_panel
from publishing import api, dashboard, forms
from publishing.certificates import render_one_certificate
from publishing.models import Certificate, Honour, ResultSet, ResultState
from publishing.permissions import can_manage_result_set

bp = Blueprint("publishing", __name__)
api.register(bp)
register_panel(("author",), "publishing/_panel_author.html")
register_panel(("organiser", "admin"), "publishing/_panel_office.html")
register_panel(("coordinator",), "publishing/_panel_unit.html")

MANAGERS = (Role.ORGANISER, Role.ADMIN)
PER_PAGE = 50


@bp.app_context_processor
def _publishing_helpers():
    def my_honours():
        if not current_user.is_authenticated:
            return []
        return db.session.scalars(
            select(Honour)
            .join(ResultSet)
            .where(
                Honour.user_id == current_user.id, Honour.withdrawn.is_(False), ResultSet.state == ResultState.PUBLISHED
            )
            .order_by(Honour.id.desc())
        ).all()

    return {
        "publishing_my_honours": my_honours,
        "publishing_office_desk": lambda: dashboard.office_desk(current_user),
        "publishing_unit_results": lambda: dashboard.unit_results(current_user.unit_id),
    }


def send_bytes(data: bytes, mimetype: str, name: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def send_certificate(cert: Certificate):
    if cert.file is None:
        render_one_certificate(cert, actor=current_user)
        db.session.commit()  # before the stream: the file row must be stored (and loaded) first
    return send_stored(cert.file, f"{cert.number}.pdf")


def rs_or_404(rs_id: int) -> ResultSet:
    """A result set the signed-in organiser may manage (承办/协办 accounts: their activities'), else 404."""
    return managed_or_404(db.get_or_404(ResultSet, rs_id))


def managed_or_404(rs: ResultSet | None) -> ResultSet | None:
    """``rs`` when the signed-in organiser may manage it (a row of no result set: district organisers only)."""
    allowed = manages_all(current_user) if rs is None else can_manage_result_set(current_user, rs)
    if not allowed:
        abort(404)  # another department's activity is not disclosed
    return rs


def honour_or_404(honour_id: int) -> Honour:
    honour = db.get_or_404(Honour, honour_id)
    managed_or_404(honour.result_set)
    return honour


def managed_object_or_404(model, object_id: int):
    """A certificate, objection or outbox message of a result set the organiser may manage."""
    row = db.get_or_404(model, object_id)
    rs = row.honour.result_set if isinstance(row, Certificate) else row.result_set
    managed_or_404(rs)
    return row


def require_empty_form() -> None:
    """A POST without fields still carries its CSRF token."""
    if not forms.EmptyForm().validate_on_submit():
        abort(400)

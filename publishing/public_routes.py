"""Public pages (no login): notices, objections, results, calls, certificate checks; the author's certificates."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from core import exports
from core.db import utcnow
from core.extensions import db, limiter
from core.i18n import format_dt
from core.loaders import allowed_or_404
from core.request_cycle import on_user_error
from core.urls import external_url
from publishing import calls, forms
from publishing.blueprint import PER_PAGE, bp, send_bytes, send_certificate
from publishing.models import Certificate, Objection, ResultSet, ResultState
from publishing.notice import notice_accepts_objections
from publishing.objections import file_objection
from publishing.permissions import can_download_certificate
from publishing.verification import (
    certificate_for_number_and_name,
    certificate_for_token,
    publicly_verifiable,
    verification,
)
from publishing.winners import grouped_honours, list_title, winner_list_pdf, winner_list_table


def _objection_limit() -> str:
    return current_app.config.get("OBJECTION_LIMIT_PER_ADDRESS") or "5 per hour"


def _verify_limit() -> str:
    return current_app.config.get("VERIFY_LIMIT_PER_ADDRESS") or "20 per hour"


def _public_rs(rs_id: int) -> ResultSet:
    return allowed_or_404(ResultSet, rs_id, lambda _user, rs: rs.is_public)


def _published_rs(rs_id: int) -> ResultSet:
    rs = _public_rs(rs_id)
    if rs.state != ResultState.PUBLISHED:
        abort(404)
    return rs


def _call_row(call: calls.PublicCall) -> dict:
    return {
        "url": url_for(".public_call", call_id=call.id),
        "title": call.title,
        "deadline": format_dt(call.closes_at),
        "status": call.status,
    }


@bp.route("/public")
def public_home():
    page = db.paginate(
        select(ResultSet)
        .where(ResultSet.state.in_([ResultState.NOTICE, ResultState.PUBLISHED]))
        .order_by(ResultSet.id.desc()),
        per_page=PER_PAGE,
        error_out=False,
    )
    # Calls that accept entries now, with their deadline; the others (closed, judged,
    # results out) are listed apart with their status, never under an expired deadline.
    public_calls = calls.public_calls(utcnow())
    return render_template(
        "publishing/public_home.html",
        page=page,
        calls=[_call_row(c) for c in public_calls if c.accepting],
        past_calls=[_call_row(c) for c in public_calls if not c.accepting],
        share_url=external_url("publishing.public_home"),
    )


@bp.route("/public/calls/<int:call_id>")
def public_call(call_id: int):
    html = calls.call_page(call_id)
    if html is None:
        abort(404)
    return html


@bp.route("/public/activities/<int:rs_id>")
def public_activity(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state == ResultState.PUBLISHED:
        return redirect(url_for(".public_results", rs_id=rs.id))
    return redirect(url_for(".public_notice", rs_id=rs.id))


def _honour_choices(rs: ResultSet) -> list[tuple[int, str]]:
    return [(0, _("— the list as a whole —"))] + [
        (h.id, f"{h.level_text} · {h.recipient_name}" + (f"《{h.work_title}》" if h.work_title else ""))
        for h in rs.active_honours
    ]


def _flash_received(obj: Objection) -> None:
    if obj.already_received:
        message = _(
            "This objection was already received on %(day)s (reference %(ref)s); it is not stored "
            "twice. The organiser will investigate it and contact you.",
            day=format_dt(obj.created_at),
            ref=obj.reference,
        )
    else:
        message = _(
            "Your objection has been received (reference %(ref)s). The organiser will investigate it and contact you.",
            ref=obj.reference,
        )
    flash(message, "success")


@bp.route("/public/activities/<int:rs_id>/notice", methods=["GET", "POST"])
@limiter.limit(_objection_limit, methods=["POST"])
def public_notice(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state != ResultState.NOTICE:
        return redirect(url_for(".public_results", rs_id=rs.id))
    form = forms.ObjectionForm()
    form.honour_id.choices = _honour_choices(rs)
    accepts = notice_accepts_objections(rs)

    def page():
        return render_template(
            "publishing/public_notice.html", rs=rs, form=form, accepts=accepts, levels=grouped_honours(rs)
        )

    if request.method == "POST" and form.validate_on_submit() and accepts:
        on_user_error(page)
        obj = file_objection(
            rs,
            real_name=form.real_name.data,
            phone=form.phone.data,
            content=form.content.data,
            honour_id=form.honour_id.data or None,
            ip=request.remote_addr,
        )
        _flash_received(obj)
        return redirect(url_for(".public_notice", rs_id=rs.id))
    return page()


@bp.route("/public/activities/<int:rs_id>/results")
def public_results(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state != ResultState.PUBLISHED:
        return redirect(url_for(".public_notice", rs_id=rs.id))
    return render_template(
        "publishing/public_results.html",
        rs=rs,
        title=list_title(rs),
        levels=grouped_honours(rs),
        share_url=external_url("publishing.public_results", rs_id=rs.id),
    )


@bp.route("/public/activities/<int:rs_id>/results.pdf")
def public_results_pdf(rs_id: int):
    rs = _published_rs(rs_id)
    return send_bytes(winner_list_pdf(rs), "application/pdf", f"{list_title(rs)}.pdf")


@bp.route("/public/activities/<int:rs_id>/results.xlsx")
def public_results_xlsx(rs_id: int):
    rs = _published_rs(rs_id)
    return exports.send_table(winner_list_table(rs), "xlsx", f"{list_title(rs)}.xlsx")


def _verify_failed(form, status: int):
    # The same page whatever did not match (unknown token or number, wrong name, a list
    # that is not published): nothing that helps guessing.
    return render_template("publishing/verify.html", info=None, failed=True, form=form), status


def _verified(cert: Certificate):
    return render_template("publishing/verify.html", info=verification(cert), failed=False, form=None)


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"])
def verify_lookup():
    """Verify by certificate number and the holder's name (for a certificate without its QR code)."""
    form = forms.VerifyForm()
    if form.validate_on_submit():
        cert = certificate_for_number_and_name(form.number.data, form.name.data)
        if cert is None:
            return _verify_failed(form, 200)
        return _verified(cert)
    return render_template("publishing/verify.html", info=None, failed=False, form=form)


@bp.route("/verify/<token>")
def verify(token: str):
    cert = certificate_for_token(token)
    if not publicly_verifiable(cert):
        return _verify_failed(forms.VerifyForm(), 404)
    return _verified(cert)


# --- the author's own certificates -------------------------------------------------


@bp.route("/publishing/my/certificates/<int:cert_id>.pdf")
@login_required
def my_certificate(cert_id: int):
    cert = allowed_or_404(Certificate, cert_id, can_download_certificate)  # never confirm that someone else's exists
    return send_certificate(cert)

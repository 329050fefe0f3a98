"""Public pages (no login), the author's certificates, and the organiser's publishing desk."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.models import Role
from accounts.permissions import require_roles
from core import exports
from core.db import utcnow
from core.errors import UserError
from core.extensions import db, limiter
from core.i18n import format_dt
from core.jobs import start_job
from core.limits import body_limit
from core.mail import mail_configured
from core.request_cycle import on_user_error, redirect_either_way
from core.storage import send_stored
from core.views import register_panel
from essays.models import Competition, CompetitionStatus
from essays.permissions import can_recommend
from publishing import api, forms, services
from publishing.models import (
    Certificate,
    DayUnit,
    Honour,
    Objection,
    OutboxMessage,
    ResultSet,
    ResultState,
    WorkdayOverride,
)
from publishing.permissions import can_download_certificate, can_manage_results

bp = Blueprint("publishing", __name__)
api.register(bp)
register_panel(("author",), "publishing/_panel_author.html")

MANAGERS = (Role.ORGANISER, Role.ADMIN)


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

    return {"publishing_my_honours": my_honours}


def _objection_limit() -> str:
    return current_app.config.get("OBJECTION_LIMIT_PER_ADDRESS") or "5 per hour"


# --- public pages ---------------------------------------------------------------


def _public_rs(rs_id: int) -> ResultSet:
    rs = db.session.get(ResultSet, rs_id)
    if rs is None or not rs.is_public:
        abort(404)
    return rs


@bp.route("/public")
def public_home():
    rows = db.session.scalars(
        select(ResultSet)
        .where(ResultSet.state.in_([ResultState.NOTICE, ResultState.PUBLISHED]))
        .order_by(ResultSet.id.desc())
    ).all()
    # Calls that accept entries now, with their deadline; the others (closed, judged,
    # results out) are listed apart with their status, never under an expired deadline.
    now = utcnow()
    calls, past_calls = [], []
    for c in _public_calls():
        row = {
            "url": url_for(".public_call", competition_id=c.id),
            "title": c.title,
            "deadline": format_dt(c.closes_at),
            "status": c.status.label,
        }
        (calls if c.status == CompetitionStatus.OPEN and now <= c.deadline else past_calls).append(row)
    return render_template("publishing/public_home.html", result_sets=rows, calls=calls, past_calls=past_calls)


def _public_calls():
    """Calls for essays the public may read: every competition past its draft."""
    return db.session.scalars(
        select(Competition)
        .where(
            Competition.status.in_(
                [
                    CompetitionStatus.OPEN,
                    CompetitionStatus.CLOSED,
                    CompetitionStatus.JUDGING,
                    CompetitionStatus.PUBLISHED,
                ]
            )
        )
        .order_by(Competition.closes_at.desc())
    ).all()


@bp.route("/public/calls/<int:competition_id>")
def public_call(competition_id: int):
    comp = db.session.get(Competition, competition_id)
    if comp is None or comp not in _public_calls():
        abort(404)
    return render_template(
        "publishing/public_call.html",
        comp=comp,
        accepting=comp.accepts_entries_at(utcnow()),
        can_recommend=can_recommend(current_user, comp),
    )


@bp.route("/public/activities/<int:rs_id>")
def public_activity(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state == ResultState.PUBLISHED:
        return redirect(url_for(".public_results", rs_id=rs.id))
    return redirect(url_for(".public_notice", rs_id=rs.id))


@bp.route("/public/activities/<int:rs_id>/notice", methods=["GET", "POST"])
@limiter.limit(_objection_limit, methods=["POST"])
def public_notice(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state != ResultState.NOTICE:
        return redirect(url_for(".public_results", rs_id=rs.id))
    form = forms.ObjectionForm()
    form.honour_id.choices = [(0, _("— the list as a whole —"))] + [
        (h.id, f"{h.level_text} · {h.recipient_name}" + (f"《{h.work_title}》" if h.work_title else ""))
        for h in rs.active_honours
    ]
    accepts = services.notice_accepts_objections(rs)

    def page():
        return render_template(
            "publishing/public_notice.html", rs=rs, form=form, accepts=accepts, levels=services.grouped_honours(rs)
        )

    if request.method == "POST" and form.validate_on_submit() and accepts:
        on_user_error(page)
        obj = services.file_objection(
            rs,
            real_name=form.real_name.data,
            phone=form.phone.data,
            content=form.content.data,
            honour_id=form.honour_id.data or None,
            ip=request.remote_addr,
        )
        if obj.already_received:
            flash(
                _(
                    "This objection was already received on %(day)s (reference %(ref)s); it is not stored "
                    "twice. The organiser will investigate it and contact you.",
                    day=format_dt(obj.created_at),
                    ref=obj.reference,
                ),
                "success",
            )
        else:
            flash(
                _(
                    "Your objection has been received (reference %(ref)s). The organiser will investigate it "
                    "and contact you.",
                    ref=obj.reference,
                ),
                "success",
            )
        return redirect(url_for(".public_notice", rs_id=rs.id))
    return page()


@bp.route("/public/activities/<int:rs_id>/results")
def public_results(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state != ResultState.PUBLISHED:
        return redirect(url_for(".public_notice", rs_id=rs.id))
    return render_template(
        "publishing/public_results.html", rs=rs, title=services.list_title(rs), levels=services.grouped_honours(rs)
    )


@bp.route("/public/activities/<int:rs_id>/results.pdf")
def public_results_pdf(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state != ResultState.PUBLISHED:
        abort(404)
    return _send_bytes(services.winner_list_pdf(rs), "application/pdf", f"{services.list_title(rs)}.pdf")


@bp.route("/public/activities/<int:rs_id>/results.xlsx")
def public_results_xlsx(rs_id: int):
    rs = _public_rs(rs_id)
    if rs.state != ResultState.PUBLISHED:
        abort(404)
    return exports.send_table(services.winner_list_table(rs), "xlsx", f"{services.list_title(rs)}.xlsx")


def _send_bytes(data: bytes, mimetype: str, name: str):
    import io

    from flask import send_file

    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def _verify_limit() -> str:
    return current_app.config.get("VERIFY_LIMIT_PER_ADDRESS") or "20 per hour"


def _verify_failed(form, status: int):
    # The same page whatever did not match (unknown token or number, wrong name, a list
    # that is not published): nothing that helps guessing.
    return render_template("publishing/verify.html", info=None, failed=True, form=form), status


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"])
def verify_lookup():
    """Verify by certificate number and the holder's name (for a certificate without its QR code)."""
    form = forms.VerifyForm()
    if form.validate_on_submit():
        cert = services.certificate_for_number_and_name(form.number.data, form.name.data)
        if cert is None:
            return _verify_failed(form, 200)
        return render_template("publishing/verify.html", info=services.verification(cert), failed=False, form=None)
    return render_template("publishing/verify.html", info=None, failed=False, form=form)


@bp.route("/verify/<token>")
def verify(token: str):
    cert = services.certificate_for_token(token)
    if not services.publicly_verifiable(cert):
        return _verify_failed(forms.VerifyForm(), 404)
    return render_template("publishing/verify.html", info=services.verification(cert), failed=False, form=None)


# --- the author's own certificates -------------------------------------------------


@bp.route("/publishing/my/certificates/<int:cert_id>.pdf")
@login_required
def my_certificate(cert_id: int):
    cert = db.session.get(Certificate, cert_id)
    if cert is None or not can_download_certificate(current_user, cert):
        abort(404)  # never confirm that someone else's certificate exists
    return _send_certificate(cert)


def _send_certificate(cert: Certificate):
    if cert.file is None:
        services.render_one_certificate(cert, actor=current_user)
        db.session.commit()  # before the stream: the file row must be stored (and loaded) first
    return send_stored(cert.file, f"{cert.number}.pdf")


# --- organiser: result sets ---------------------------------------------------------


def _rs_or_404(rs_id: int) -> ResultSet:
    return db.get_or_404(ResultSet, rs_id)


@bp.route("/publishing/manage")
@require_roles(*MANAGERS)
def manage():
    rows = db.session.scalars(select(ResultSet).order_by(ResultSet.id.desc())).all()
    return render_template("publishing/manage.html", result_sets=rows)


@bp.route("/publishing/manage/<int:rs_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def manage_result(rs_id: int):
    rs = _rs_or_404(rs_id)
    form = forms.ResultSetForm(obj=rs, ordering=rs.ordering.value)
    if form.validate_on_submit():
        on_user_error(lambda: _manage_page(rs, form))
        services.update_result_set(
            rs,
            actor=current_user,
            title=form.title.data,
            organiser=form.organiser.data,
            description=form.description.data,
            ordering=form.ordering.data,
        )
        flash(_("Saved."), "success")
        return redirect(url_for(".manage_result", rs_id=rs.id))
    return _manage_page(rs, form)


def _manage_page(rs: ResultSet, form):
    notice_form = forms.NoticeForm(prefix="n")
    if not notice_form.start.data:
        notice_form.start.data = services.today_local()
    if not notice_form.how_to_object.data:
        notice_form.how_to_object.data = _(
            "Anyone who disagrees with the proposed list may write to the organiser during the notice period, "
            "giving their real name and a phone number. Objections without a real name are not accepted."
        )
    certs = db.session.scalars(
        select(Certificate).join(Honour).where(Honour.result_set_id == rs.id).order_by(Certificate.serial)
    ).all()
    return render_template(
        "publishing/manage_result.html",
        rs=rs,
        form=form,
        notice_form=notice_form,
        reason_form=forms.ReasonForm(),
        levels=services.grouped_honours(rs, rs.honours),
        certs=certs,
        unresolved=services.unresolved_objections(rs),
        today=services.today_local(),
    )


@bp.route("/publishing/manage/<int:rs_id>/notice", methods=["POST"])
@require_roles(*MANAGERS)
def start_notice(rs_id: int):
    """Two steps: the first post shows the computed window for confirmation, the second starts it."""
    rs = _rs_or_404(rs_id)
    form = forms.NoticeForm(prefix="n")
    if not form.validate_on_submit():
        flash(_("Check the notice dates and text."), "error")
        return redirect(url_for(".manage_result", rs_id=rs.id))
    values = dict(
        start=form.start.data, length=form.length.data, unit=form.unit.data, how_to_object=form.how_to_object.data
    )
    done = redirect_either_way(url_for(".manage_result", rs_id=rs.id))
    if not form.confirmed.data:
        window = services.check_notice(rs, **values)
        return render_template(
            "publishing/notice_confirm.html", rs=rs, form=form, window=window, unit=DayUnit(form.unit.data)
        )
    services.start_notice(rs, actor=current_user, **values)
    flash(
        _(
            "The proposed winners are on public notice until %(day)s.",
            day=services.formats.format_date_arabic(rs.notice_last_day),
        ),
        "success",
    )
    if rs.notice_uses_fallback:
        flash(
            _(
                "The official holiday calendar does not cover part of this window; Monday to Friday was "
                "assumed. Check the dates and add exceptions under working days."
            ),
            "warning",
        )
    return done


def _reason_action(rs_id: int, action, done_message: str):
    rs = _rs_or_404(rs_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for(".manage_result", rs_id=rs.id))
    done = redirect_either_way(url_for(".manage_result", rs_id=rs.id))
    action(rs, form.reason.data, actor=current_user)
    flash(done_message, "success")
    return done


@bp.route("/publishing/manage/<int:rs_id>/notice/cancel", methods=["POST"])
@require_roles(*MANAGERS)
def cancel_notice(rs_id: int):
    return _reason_action(rs_id, services.cancel_notice, _("The notice has been taken down."))


@bp.route("/publishing/manage/<int:rs_id>/unpublish", methods=["POST"])
@require_roles(*MANAGERS)
def unpublish(rs_id: int):
    return _reason_action(rs_id, services.unpublish_results, _("The results are no longer public."))


@bp.route("/publishing/manage/<int:rs_id>/publish", methods=["POST"])
@require_roles(*MANAGERS)
def publish(rs_id: int):
    rs = _rs_or_404(rs_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    done = redirect_either_way(url_for(".manage_result", rs_id=rs.id))
    services.publish_results(rs, actor=current_user)
    flash(_("The final results are published."), "success")
    return done


@bp.route("/publishing/manage/honours/<int:honour_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def edit_honour(honour_id: int):
    honour = db.get_or_404(Honour, honour_id)
    form = forms.HonourForm(obj=honour)

    def page():
        return render_template("publishing/honour_form.html", honour=honour, form=form, reason_form=forms.ReasonForm())

    if form.validate_on_submit():
        on_user_error(page)
        cert = honour.certificate
        file_before = cert.file_id if cert is not None else None
        services.correct_honour(
            honour,
            actor=current_user,
            recipient_name=form.recipient_name.data,
            recipient_unit=form.recipient_unit.data,
            work_title=form.work_title.data,
            level_text=form.level_text.data,
            group_label=form.group_label.data,
        )
        flash(_("Corrected."), "success")
        if cert is not None and cert.file_id != file_before:
            flash(_("Certificate %(number)s has been generated again.", number=cert.number), "success")
        return redirect(url_for(".manage_result", rs_id=honour.result_set_id))
    return page()


@bp.route("/publishing/manage/honours/<int:honour_id>/withdraw", methods=["POST"])
@require_roles(*MANAGERS)
def withdraw_honour(honour_id: int):
    honour = db.get_or_404(Honour, honour_id)
    form = forms.ReasonForm()
    done = redirect_either_way(url_for(".manage_result", rs_id=honour.result_set_id))
    if form.validate_on_submit():
        services.withdraw_honour(honour, form.reason.data, actor=current_user)
        flash(_("The entry has been withdrawn from the list."), "success")
    else:
        flash(_("Give a reason."), "error")
    return done


# --- organiser: objections ------------------------------------------------------------


@bp.route("/publishing/manage/objections/<int:objection_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def objection(objection_id: int):
    obj = db.get_or_404(Objection, objection_id)
    form = forms.ResolveForm(honour_id=obj.honour_id or 0)
    form.honour_id.choices = [(0, _("— the list as a whole —"))] + [
        (h.id, f"{h.level_text} · {h.recipient_name}") for h in obj.result_set.honours
    ]

    def page():
        return render_template("publishing/objection.html", obj=obj, form=form)

    if form.validate_on_submit():
        on_user_error(page)
        honour = db.session.get(Honour, form.honour_id.data) if form.honour_id.data else None
        if honour is not obj.honour:
            services.link_objection(obj, honour, actor=current_user)
        services.resolve_objection(obj, form.status.data, form.outcome.data, actor=current_user)
        flash(_("The objection has been updated."), "success")
        return redirect(url_for(".manage_result", rs_id=obj.result_set_id))
    return page()


# --- organiser: certificate template ----------------------------------------------------


def _template_fields(form) -> dict:
    return {k: getattr(form, k).data for k in services.TEMPLATE_FIELDS}


@bp.route("/publishing/manage/<int:rs_id>/template", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(*MANAGERS)
def template(rs_id: int):
    rs = _rs_or_404(rs_id)
    tpl = services.ensure_template(rs)
    db.session.commit()  # the template stays even when the change below is refused
    form = forms.TemplateForm(obj=tpl)
    if form.validate_on_submit():
        seal = form.seal.data
        on_user_error(lambda: _template_page(rs, tpl, form))
        services.update_template(
            tpl,
            actor=current_user,
            seal=seal.read() if seal else None,
            seal_type=(seal.mimetype if seal else ""),
            remove_seal=form.remove_seal.data,
            **_template_fields(form),
        )
        flash(_("The certificate template has been saved."), "success")
        return redirect(url_for(".template", rs_id=rs.id))
    return _template_page(rs, tpl, form)


def _template_page(rs: ResultSet, tpl, form):
    page = services.sample_page(tpl, rs)
    return render_template(
        "publishing/template.html",
        rs=rs,
        form=form,
        p=page,
        missing=services.certificate_glyph_problems(tpl, [page]),
        **_preview_context(tpl),
    )


def _preview_context(tpl) -> dict:
    ctx = services.template_context(tpl)
    ctx["static_base"] = url_for("static", filename="")
    return ctx


class _DraftTemplate:
    """The template as typed in the form, not saved: for the live preview."""

    def __init__(self, tpl, fields: dict) -> None:
        self.__dict__.update({k: getattr(tpl, k) for k in services.TEMPLATE_FIELDS})
        self.seal_file = tpl.seal_file
        self.__dict__.update({k: v for k, v in fields.items() if v not in (None, "")})

    @property
    def issuer_lines(self) -> list[str]:
        return [line.strip() for line in (self.issuers or "").splitlines() if line.strip()]


@bp.route("/publishing/manage/<int:rs_id>/template/preview", methods=["POST"])
@require_roles(*MANAGERS)
def template_preview(rs_id: int):
    rs = _rs_or_404(rs_id)
    tpl = services.ensure_template(rs)
    form = forms.TemplateForm()
    # CSRFProtect has already checked the token; field errors show in the preview instead.
    draft = _DraftTemplate(tpl, _template_fields(form))
    errors = []
    try:
        services.check_template_fields({k: getattr(draft, k) for k in services.TEMPLATE_FIELDS})
        page = services.sample_page(draft, rs)
    except UserError as exc:
        return jsonify({"html": "", "missing": [], "errors": [exc.render()]})
    missing = services.certificate_glyph_problems(draft, [page])
    ctx = services.template_context(draft)
    ctx["static_base"] = url_for("static", filename="")
    html = render_template("pdf/_certificate_page.html", p=page, **ctx)
    return jsonify({"html": html, "missing": [f"{c}（U+{ord(c):04X}）" for c in missing], "errors": errors})


@bp.route("/publishing/manage/<int:rs_id>/template/preview.pdf")
@require_roles(*MANAGERS)
def template_preview_pdf(rs_id: int):
    rs = _rs_or_404(rs_id)
    tpl = services.ensure_template(rs)
    on_user_error(url_for(".template", rs_id=rs.id))
    pdf = services.render_certificates(tpl, [services.sample_page(tpl, rs)])
    return _send_bytes(pdf, "application/pdf", "preview.pdf")


# --- organiser: certificates ---------------------------------------------------------------


@bp.route("/publishing/manage/<int:rs_id>/certificates", methods=["POST"])
@require_roles(*MANAGERS)
def generate_certificates(rs_id: int):
    rs = _rs_or_404(rs_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    if rs.state != ResultState.PUBLISHED:
        flash(_("Certificates are issued only for published results."), "error")
        return redirect(url_for(".manage_result", rs_id=rs.id))
    job = start_job(
        "publishing.certificates",
        _("Certificates for %(title)s", title=rs.title),
        {"result_set_id": rs.id},
        user=current_user,
    )
    return redirect(url_for("core.job_page", job_id=job.id))


@bp.route("/publishing/manage/<int:rs_id>/certificates.<any(pdf, zip):kind>")
@require_roles(*MANAGERS)
def certificates_file(rs_id: int, kind: str):
    rs = _rs_or_404(rs_id)
    file_id = rs.certificates_pdf_id if kind == "pdf" else rs.certificates_zip_id
    from core.storage import StoredFile

    record = db.session.get(StoredFile, file_id) if file_id else None
    if record is None:
        abort(404)
    return send_stored(record, f"certificates-{rs.id}.{kind}")


@bp.route("/publishing/manage/certificates/<int:cert_id>.pdf")
@require_roles(*MANAGERS)
def certificate_file(cert_id: int):
    return _send_certificate(db.get_or_404(Certificate, cert_id))


@bp.route("/publishing/manage/certificates/<int:cert_id>/revoke", methods=["POST"])
@require_roles(*MANAGERS)
def revoke_certificate(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    form = forms.ReasonForm()
    done = redirect_either_way(url_for(".manage_result", rs_id=cert.honour.result_set_id) + "#certificates")
    if form.validate_on_submit():
        services.revoke_certificate(cert, form.reason.data, actor=current_user)
        flash(_("Certificate %(number)s has been revoked.", number=cert.number), "success")
    else:
        flash(_("Give the reason for revoking the certificate."), "error")
    return done


@bp.route("/publishing/manage/certificates/<int:cert_id>/regenerate", methods=["POST"])
@require_roles(*MANAGERS)
def regenerate_certificate(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    done = redirect_either_way(url_for(".manage_result", rs_id=cert.honour.result_set_id) + "#certificates")
    services.regenerate_certificate(cert, actor=current_user)
    flash(_("Certificate %(number)s has been generated again.", number=cert.number), "success")
    return done


# --- organiser: outbox -------------------------------------------------------------------------


@bp.route("/publishing/manage/<int:rs_id>/outbox")
@require_roles(*MANAGERS)
def outbox(rs_id: int):
    rs = _rs_or_404(rs_id)
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.result_set_id == rs.id).order_by(OutboxMessage.id)
    ).all()
    return render_template("publishing/outbox.html", rs=rs, messages=messages, mail_configured=mail_configured())


@bp.route("/publishing/manage/<int:rs_id>/outbox/<any(prepare, approve, send):action>", methods=["POST"])
@require_roles(*MANAGERS)
def outbox_action(rs_id: int, action: str):
    rs = _rs_or_404(rs_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    done = redirect_either_way(url_for(".outbox", rs_id=rs.id))
    if action == "prepare":
        n = len(services.prepare_result_messages(rs, actor=current_user))
        flash(_("%(count)s message(s) prepared for review.", count=n), "success")
    elif action == "approve":
        ids = [int(i) for i in request.form.getlist("message_id") if i.isdigit()]
        stmt = select(OutboxMessage).where(OutboxMessage.result_set_id == rs.id)
        if ids:
            stmt = stmt.where(OutboxMessage.id.in_(ids))
        n = services.approve_messages(db.session.scalars(stmt).all(), actor=current_user)
        flash(_("%(count)s message(s) approved.", count=n), "success")
    else:
        out = services.send_approved_messages(rs, actor=current_user)
        if not out["configured"]:
            flash(_("No mail server is configured; the approved messages stay in the outbox."), "warning")
        else:
            flash(
                _("%(sent)s sent, %(failed)s failed.", sent=out["sent"], failed=out["failed"]),
                "success" if not out["failed"] else "warning",
            )
    return done


@bp.route("/publishing/manage/outbox/<int:message_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def outbox_message(message_id: int):
    msg = db.get_or_404(OutboxMessage, message_id)
    form = forms.MessageForm(obj=msg)

    def page():
        return render_template("publishing/outbox_message.html", msg=msg, form=form)

    if form.validate_on_submit():
        on_user_error(page)
        services.update_message(msg, form.subject.data, form.body.data, actor=current_user)
        flash(_("Saved."), "success")
        return redirect(url_for(".outbox", rs_id=msg.result_set_id))
    return page()


# --- organiser: working days ---------------------------------------------------------------------


@bp.route("/publishing/manage/workdays", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def workdays():
    form = forms.WorkdayForm()
    if form.validate_on_submit():
        services.set_workday_override(form.day.data, form.is_working.data == "1", form.note.data, actor=current_user)
        flash(_("Saved."), "success")
        return redirect(url_for(".workdays"))
    rows = db.session.scalars(select(WorkdayOverride).order_by(WorkdayOverride.day.desc())).all()
    covered = services.workdays.covered_years()
    return render_template(
        "publishing/workdays.html", form=form, rows=rows, covered=covered, empty_form=forms.EmptyForm()
    )


@bp.route("/publishing/manage/workdays/<int:row_id>/delete", methods=["POST"])
@require_roles(*MANAGERS)
def delete_workday(row_id: int):
    row = db.get_or_404(WorkdayOverride, row_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    services.delete_workday_override(row, actor=current_user)
    flash(_("Deleted."), "success")
    return redirect(url_for(".workdays"))


def can_manage(user) -> bool:  # for templates of other packages
    return can_manage_results(user)

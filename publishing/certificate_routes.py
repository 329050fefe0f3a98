"""The organiser's certificates and result e-mails: template, preview, batch, single files, outbox."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.permissions import require_roles
from core.extensions import db
from core.forms import act_on_valid, form_page
from core.jobs import start_job
from core.limits import body_limit
from core.mail import mail_configured
from core.request_cycle import on_user_error, redirect_either_way
from core.storage import StoredFile, send_stored
from publishing import certificates, forms
from publishing.blueprint import (
    MANAGERS,
    PER_PAGE,
    bp,
    managed_object_or_404,
    require_empty_form,
    rs_or_404,
    send_bytes,
    send_certificate,
)
from publishing.certificate_template import (
    TEMPLATE_FIELDS,
    DraftTemplate,
    ensure_template,
    template_context,
    template_field_errors,
    update_template,
)
from publishing.models import Certificate, OutboxMessage, ResultSet, ResultState
from publishing.outbox import approve_messages, prepare_result_messages, send_approved_messages, update_message


def _template_fields(form) -> dict:
    return {k: getattr(form, k).data for k in TEMPLATE_FIELDS}


def _preview_context(tpl) -> dict:
    return template_context(tpl) | {"static_base": url_for("static", filename="")}


@bp.route("/publishing/manage/<int:rs_id>/template", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(*MANAGERS)
def template(rs_id: int):
    rs = rs_or_404(rs_id)
    tpl = ensure_template(rs)
    db.session.commit()  # the template stays even when the change below is refused
    form = forms.TemplateForm(obj=tpl)
    if form.validate_on_submit():
        seal = form.seal.data
        on_user_error(lambda: _template_page(rs, tpl, form))
        update_template(
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
    page = certificates.sample_page(tpl, rs)
    return render_template(
        "publishing/template.html",
        rs=rs,
        form=form,
        p=page,
        missing=certificates.certificate_glyph_problems(tpl, [page]),
        **_preview_context(tpl),
    )


@bp.route("/publishing/manage/<int:rs_id>/template/preview", methods=["POST"])
@require_roles(*MANAGERS)
def template_preview(rs_id: int):
    rs = rs_or_404(rs_id)
    # CSRFProtect has already checked the token; field errors show in the preview instead.
    draft = DraftTemplate(ensure_template(rs), _template_fields(forms.TemplateForm()))
    errors = template_field_errors({k: getattr(draft, k) for k in TEMPLATE_FIELDS})
    if errors:
        return jsonify({"html": "", "missing": [], "errors": errors})
    page = certificates.sample_page(draft, rs)
    missing = certificates.certificate_glyph_problems(draft, [page])
    html = render_template("pdf/_certificate_page.html", p=page, **_preview_context(draft))
    return jsonify({"html": html, "missing": [f"{c}（U+{ord(c):04X}）" for c in missing], "errors": []})


@bp.route("/publishing/manage/<int:rs_id>/template/preview.pdf")
@require_roles(*MANAGERS)
def template_preview_pdf(rs_id: int):
    rs = rs_or_404(rs_id)
    tpl = ensure_template(rs)
    on_user_error(url_for(".template", rs_id=rs.id))
    pdf = certificates.render_certificates(tpl, [certificates.sample_page(tpl, rs)])
    return send_bytes(pdf, "application/pdf", "preview.pdf")


# --- certificates ---------------------------------------------------------------------------


@bp.route("/publishing/manage/<int:rs_id>/certificates", methods=["POST"])
@require_roles(*MANAGERS)
def generate_certificates(rs_id: int):
    rs = rs_or_404(rs_id)
    require_empty_form()
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
    rs = rs_or_404(rs_id)
    file_id = rs.certificates_pdf_id if kind == "pdf" else rs.certificates_zip_id
    record = db.session.get(StoredFile, file_id) if file_id else None
    if record is None:
        abort(404)
    return send_stored(record, f"certificates-{rs.id}.{kind}")


@bp.route("/publishing/manage/certificates/<int:cert_id>.pdf")
@require_roles(*MANAGERS)
def certificate_file(cert_id: int):
    return send_certificate(managed_object_or_404(Certificate, cert_id))


def _certificates_url(cert: Certificate) -> str:
    return url_for(".manage_result", rs_id=cert.honour.result_set_id) + "#certificates"


@bp.route("/publishing/manage/certificates/<int:cert_id>/revoke", methods=["POST"])
@require_roles(*MANAGERS)
def revoke_certificate(cert_id: int):
    cert = managed_object_or_404(Certificate, cert_id)
    return act_on_valid(
        forms.ReasonForm(),
        lambda form: certificates.revoke_certificate(cert, form.reason.data, actor=current_user),
        redirect_either_way(_certificates_url(cert)),
        success=_("Certificate %(number)s has been revoked.", number=cert.number),
        invalid=_("Give the reason for revoking the certificate."),
    )


@bp.route("/publishing/manage/certificates/<int:cert_id>/regenerate", methods=["POST"])
@require_roles(*MANAGERS)
def regenerate_certificate(cert_id: int):
    cert = managed_object_or_404(Certificate, cert_id)
    require_empty_form()
    done = redirect_either_way(_certificates_url(cert))
    certificates.regenerate_certificate(cert, actor=current_user)
    flash(_("Certificate %(number)s has been generated again.", number=cert.number), "success")
    return done


# --- outbox ----------------------------------------------------------------------------------


@bp.route("/publishing/manage/<int:rs_id>/outbox")
@require_roles(*MANAGERS)
def outbox(rs_id: int):
    rs = rs_or_404(rs_id)
    page = db.paginate(
        select(OutboxMessage).where(OutboxMessage.result_set_id == rs.id).order_by(OutboxMessage.id),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("publishing/outbox.html", rs=rs, page=page, mail_configured=mail_configured())


def _prepare(rs: ResultSet) -> None:
    n = len(prepare_result_messages(rs, actor=current_user))
    flash(_("%(count)s message(s) prepared for review.", count=n), "success")


def _approve(rs: ResultSet) -> None:
    ids = [int(i) for i in request.form.getlist("message_id") if i.isdigit()]
    stmt = select(OutboxMessage).where(OutboxMessage.result_set_id == rs.id)
    if ids:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    n = approve_messages(db.session.scalars(stmt).all(), actor=current_user)
    flash(_("%(count)s message(s) approved.", count=n), "success")


def _send(rs: ResultSet) -> None:
    out = send_approved_messages(rs, actor=current_user)
    if not out["configured"]:
        flash(_("No mail server is configured; the approved messages stay in the outbox."), "warning")
    else:
        flash(
            _("%(sent)s sent, %(failed)s failed.", sent=out["sent"], failed=out["failed"]),
            "success" if not out["failed"] else "warning",
        )


OUTBOX_ACTIONS = {"prepare": _prepare, "approve": _approve, "send": _send}


@bp.route("/publishing/manage/<int:rs_id>/outbox/<any(prepare, approve, send):action>", methods=["POST"])
@require_roles(*MANAGERS)
def outbox_action(rs_id: int, action: str):
    rs = rs_or_404(rs_id)
    require_empty_form()
    done = redirect_either_way(url_for(".outbox", rs_id=rs.id))
    OUTBOX_ACTIONS[action](rs)
    return done


@bp.route("/publishing/manage/outbox/<int:message_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def outbox_message(message_id: int):
    msg = managed_object_or_404(OutboxMessage, message_id)
    form = forms.MessageForm(obj=msg)

    return form_page(
        form,
        lambda: render_template("publishing/outbox_message.html", msg=msg, form=form),
        lambda: update_message(msg, form.subject.data, form.body.data, actor=current_user),
        saved=_("Saved."),
        then=url_for(".outbox", rs_id=msg.result_set_id),
    )

"""The organiser's publishing desk: result sets, the public notice, honours, objections, working days."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.activity_access import require_manages_all
from accounts.permissions import require_roles
from core.extensions import db
from core.forms import act_on_valid, form_values
from core.request_cycle import on_user_error, redirect_either_way
from publishing import forms, notice, results
from publishing.blueprint import (
    MANAGERS,
    PER_PAGE,
    bp,
    honour_or_404,
    managed_object_or_404,
    require_empty_form,
    rs_or_404,
)
from publishing.clock import today_local
from publishing.formats import format_date_arabic
from publishing.models import Certificate, DayUnit, Honour, Objection, ResultSet, WorkdayOverride
from publishing.objections import link_objection, resolve_objection
from publishing.permissions import managed_result_sets
from publishing.winners import grouped_honours
from publishing.workdays import covered_years


@bp.route("/publishing/manage")
@require_roles(*MANAGERS)
def manage():
    stmt = managed_result_sets(select(ResultSet), current_user)
    page = db.paginate(stmt.order_by(ResultSet.id.desc()), per_page=PER_PAGE, error_out=False)
    return render_template("publishing/manage.html", page=page)


@bp.route("/publishing/manage/<int:rs_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def manage_result(rs_id: int):
    rs = rs_or_404(rs_id)
    form = forms.ResultSetForm(obj=rs, ordering=rs.ordering.value)
    if form.validate_on_submit():
        on_user_error(lambda: _manage_page(rs, form))
        fields = form_values(form, "title", "organiser", "description", "ordering")
        results.update_result_set(rs, actor=current_user, **fields)
        flash(_("Saved."), "success")
        return redirect(url_for(".manage_result", rs_id=rs.id))
    return _manage_page(rs, form)


def _manage_page(rs: ResultSet, form):
    notice_form = forms.NoticeForm(prefix="n")
    if not notice_form.start.data:
        notice_form.start.data = today_local()
    if not notice_form.how_to_object.data:
        notice_form.how_to_object.data = _(
            "Anyone who disagrees with the proposed list may write to the organiser during the notice period, "
            "giving their real name and a phone number. Objections without a real name are not accepted."
        )
    certs = db.paginate(
        select(Certificate).join(Honour).where(Honour.result_set_id == rs.id).order_by(Certificate.serial),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "publishing/manage_result.html",
        rs=rs,
        form=form,
        notice_form=notice_form,
        reason_form=forms.ReasonForm(),
        levels=grouped_honours(rs, rs.honours),
        certs=certs,
        unresolved=notice.unresolved_objections(rs),
        today=today_local(),
    )


def _flash_notice_started(rs: ResultSet) -> None:
    day = format_date_arabic(rs.notice_last_day)
    flash(_("The proposed winners are on public notice until %(day)s.", day=day), "success")
    if rs.notice_uses_fallback:
        flash(
            _(
                "The official holiday calendar does not cover part of this window; Monday to Friday was "
                "assumed. Check the dates and add exceptions under working days."
            ),
            "warning",
        )


@bp.route("/publishing/manage/<int:rs_id>/notice", methods=["POST"])
@require_roles(*MANAGERS)
def start_notice(rs_id: int):
    """Two steps: the first post shows the computed window for confirmation, the second starts it."""
    rs = rs_or_404(rs_id)
    form = forms.NoticeForm(prefix="n")
    if not form.validate_on_submit():
        flash(_("Check the notice dates and text."), "error")
        return redirect(url_for(".manage_result", rs_id=rs.id))
    values = dict(
        start=form.start.data, length=form.length.data, unit=form.unit.data, how_to_object=form.how_to_object.data
    )
    done = redirect_either_way(url_for(".manage_result", rs_id=rs.id))
    if not form.confirmed.data:
        window = notice.check_notice(rs, **values)
        return render_template(
            "publishing/notice_confirm.html", rs=rs, form=form, window=window, unit=DayUnit(form.unit.data)
        )
    notice.start_notice(rs, actor=current_user, **values)
    _flash_notice_started(rs)
    return done


def _reason_action(rs_id: int, action, done_message: str):
    rs = rs_or_404(rs_id)
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
    return _reason_action(rs_id, notice.cancel_notice, _("The notice has been taken down."))


@bp.route("/publishing/manage/<int:rs_id>/unpublish", methods=["POST"])
@require_roles(*MANAGERS)
def unpublish(rs_id: int):
    return _reason_action(rs_id, results.unpublish_results, _("The results are no longer public."))


@bp.route("/publishing/manage/<int:rs_id>/publish", methods=["POST"])
@require_roles(*MANAGERS)
def publish(rs_id: int):
    rs = rs_or_404(rs_id)
    require_empty_form()
    done = redirect_either_way(url_for(".manage_result", rs_id=rs.id))
    results.publish_results(rs, actor=current_user)
    flash(_("The final results are published."), "success")
    return done


@bp.route("/publishing/manage/honours/<int:honour_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def edit_honour(honour_id: int):
    honour = honour_or_404(honour_id)
    form = forms.HonourForm(obj=honour)

    def page():
        return render_template("publishing/honour_form.html", honour=honour, form=form, reason_form=forms.ReasonForm())

    if form.validate_on_submit():
        on_user_error(page)
        cert = honour.certificate
        file_before = cert.file_id if cert is not None else None
        fields = form_values(form, "recipient_name", "recipient_unit", "work_title", "level_text", "group_label")
        results.correct_honour(honour, actor=current_user, **fields)
        flash(_("Corrected."), "success")
        if cert is not None and cert.file_id != file_before:
            flash(_("Certificate %(number)s has been generated again.", number=cert.number), "success")
        return redirect(url_for(".manage_result", rs_id=honour.result_set_id))
    return page()


@bp.route("/publishing/manage/honours/<int:honour_id>/withdraw", methods=["POST"])
@require_roles(*MANAGERS)
def withdraw_honour(honour_id: int):
    honour = honour_or_404(honour_id)
    return act_on_valid(
        forms.ReasonForm(),
        lambda form: results.withdraw_honour(honour, form.reason.data, actor=current_user),
        redirect_either_way(url_for(".manage_result", rs_id=honour.result_set_id)),
        success=_("The entry has been withdrawn from the list."),
        invalid=_("Give a reason."),
    )


# --- objections ------------------------------------------------------------------------


@bp.route("/publishing/manage/objections/<int:objection_id>", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def objection(objection_id: int):
    obj = managed_object_or_404(Objection, objection_id)
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
            link_objection(obj, honour, actor=current_user)
        resolve_objection(obj, form.status.data, form.outcome.data, actor=current_user)
        flash(_("The objection has been updated."), "success")
        return redirect(url_for(".manage_result", rs_id=obj.result_set_id))
    return page()


# --- working days -----------------------------------------------------------------------


@bp.route("/publishing/manage/workdays", methods=["GET", "POST"])
@require_roles(*MANAGERS)
def workdays():
    require_manages_all()  # the district's calendar, for every activity's notice
    form = forms.WorkdayForm()
    if form.validate_on_submit():
        notice.set_workday_override(form.day.data, form.is_working.data == "1", form.note.data, actor=current_user)
        flash(_("Saved."), "success")
        return redirect(url_for(".workdays"))
    page = db.paginate(select(WorkdayOverride).order_by(WorkdayOverride.day.desc()), per_page=PER_PAGE, error_out=False)
    return render_template(
        "publishing/workdays.html", form=form, page=page, covered=covered_years(), empty_form=forms.EmptyForm()
    )


@bp.route("/publishing/manage/workdays/<int:row_id>/delete", methods=["POST"])
@require_roles(*MANAGERS)
def delete_workday(row_id: int):
    require_manages_all()
    row = db.get_or_404(WorkdayOverride, row_id)
    require_empty_form()
    notice.delete_workday_override(row, actor=current_user)
    flash(_("Deleted."), "success")
    return redirect(url_for(".workdays"))

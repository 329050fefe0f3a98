"""Organisers' notices: draft to a group, review the recipients and the text, send.
Registered on the judging blueprint (imported in ``core.register_blueprints``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts import messages
from accounts.models import Role, Unit
from accounts.permissions import can_manage_notice, require_roles
from core.extensions import db
from core.request_cycle import on_user_error, redirect_either_way
from essays.models import Competition
from judging import notices
from judging.access import competition_or_404, organised_competitions, organised_rounds, round_or_404
from judging.forms_notices import NoticeEditForm, NoticeForm
from judging.models import Round
from judging.routes import bp

ORGANISERS = (Role.ORGANISER, Role.ADMIN)


def _notice_or_404(notice_id: int) -> messages.Notice:
    notice = db.session.get(messages.Notice, notice_id)
    if not can_manage_notice(current_user, notice):
        abort(404)
    return notice


def _fill_choices(form: NoticeForm) -> None:
    """Only the competitions and rounds the organiser manages (a co-organiser's own)."""
    form.competition_id.choices = [(0, "—")] + [(c.id, c.title) for c in organised_competitions()]
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    form.unit_id.choices = [(0, "—")] + [(u.id, u.name) for u in units]
    form.round_id.choices = [(0, "—")] + [(r.id, f"{r.competition.title} · {r.name}") for r in organised_rounds()]


def _chosen(form: NoticeForm) -> tuple[Competition | None, Round | None]:
    """The competition and round the notice is about; another department's answers 404."""
    comp = competition_or_404(form.competition_id.data) if form.competition_id.data else None
    round_ = round_or_404(form.round_id.data) if form.round_id.data else None
    return comp, round_


@bp.route("/notices")
@require_roles(*ORGANISERS)
def notice_list():
    page = messages.notices(request.args.get("page", 1, type=int), created_by=current_user)
    return render_template("judging/notices.html", page=page)


@bp.route("/notices/new", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def notice_new():
    form = NoticeForm(request.form if request.method == "POST" else None, **request.args.to_dict())
    _fill_choices(form)
    on_user_error(lambda: render_template("judging/notice_new.html", form=form))
    if form.validate_on_submit():
        competition, round_ = _chosen(form)
        notice = notices.draft_group_notice(
            form.audience.data,
            competition=competition,
            unit=db.session.get(Unit, form.unit_id.data or 0),
            round_=round_,
            subject=form.subject.data,
            body=form.body.data,
            actor=current_user,
        )
        flash(_("Draft saved: review the recipients and the text, then send."), "success")
        return redirect(url_for("judging.notice_review", notice_id=notice.id))
    return render_template("judging/notice_new.html", form=form)


@bp.route("/notices/<int:notice_id>", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def notice_review(notice_id: int):
    notice = _notice_or_404(notice_id)
    form = NoticeEditForm(obj=notice)
    on_user_error(lambda: render_template("judging/notice_review.html", notice=notice, form=form))
    if form.validate_on_submit():
        messages.update_notice(notice, form.subject.data, form.body.data, current_user)
        flash(_("Saved."), "success")
        return redirect(url_for("judging.notice_review", notice_id=notice.id))
    return render_template("judging/notice_review.html", notice=notice, form=form)


@bp.route("/notices/<int:notice_id>/<any(send, discard):action>", methods=["POST"])
@require_roles(*ORGANISERS)
def notice_action(notice_id: int, action: str):
    notice = _notice_or_404(notice_id)
    done = redirect_either_way(url_for("judging.notice_list"))
    if action == "send":
        count = messages.send_notice(notice, current_user)
        flash(_("The notice was sent to %(count)s people.", count=count), "success")
    else:
        messages.discard_notice(notice, current_user)
        flash(_("The draft was discarded."), "success")
    return done

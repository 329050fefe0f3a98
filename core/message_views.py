"""The message centre: what each person was told, newest first."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.activity_access import require_manages_all
from accounts.models import Role
from accounts.permissions import can_read_message, require_roles
from core import messages
from core.extensions import db
from core.mail import mail_configured
from core.urls import local_path
from core.views import bp


def _message_or_404(message_id: int) -> messages.Message:
    msg = db.session.get(messages.Message, message_id)
    if not can_read_message(current_user, msg):
        abort(404)
    return msg


@bp.route("/messages")
@login_required
def message_centre():
    page = messages.messages_for(current_user, request.args.get("page", 1, type=int))
    return render_template("core/messages.html", page=page)


@bp.route("/messages/<int:message_id>")
@login_required
def message_page(message_id: int):
    msg = messages.mark_read(_message_or_404(message_id))
    return render_template("core/message.html", msg=msg, link=local_path(msg.link) or "")


@bp.route("/messages/<int:message_id>/read", methods=["POST"])
@login_required
def message_read(message_id: int):
    messages.mark_read(_message_or_404(message_id))
    return redirect(url_for("core.message_centre", page=request.form.get("page", 1, type=int)))


@bp.route("/messages/read-all", methods=["POST"])
@login_required
def messages_read_all():
    n = messages.mark_all_read(current_user)
    flash(_("%(count)s message(s) marked as read.", count=n), "success")
    return redirect(url_for("core.message_centre"))


@bp.route("/messages/outbox")
@require_roles(Role.ORGANISER, Role.ADMIN)
def message_outbox():
    require_manages_all()  # every activity's mail
    return render_template("core/outbox.html", waiting=messages.queued_mail(), configured=mail_configured())


@bp.route("/messages/outbox/send", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def message_outbox_send():
    require_manages_all()  # every activity's mail
    result = messages.send_queued_mail(current_user)
    if not result["configured"]:
        flash(_("E-mail is not configured (MAIL_SERVER); the messages stay in the outbox."), "warning")
    else:
        flash(_("%(sent)s sent, %(failed)s failed.", sent=result["sent"], failed=result["failed"]), "success")
    return redirect(url_for("core.message_outbox"))

"""The message centre: what each person was told, newest first (on the accounts blueprint).
The unread count in the header comes from here too (``unread_messages`` in templates)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts import messages, outbox
from accounts.models import Role
from accounts.permissions import can_read_message, can_send_mail_copies, require_roles
from accounts.routes import bp
from core.extensions import db
from core.mail import mail_configured
from core.request_cycle import redirect_either_way
from core.urls import local_path


def _message_or_404(message_id: int) -> messages.Message:
    msg = db.session.get(messages.Message, message_id)
    if not can_read_message(current_user, msg):
        abort(404)
    return msg


@bp.route("/messages")
@login_required
def message_centre():
    page = messages.messages_for(current_user, request.args.get("page", 1, type=int))
    return render_template("accounts/messages.html", page=page)


@bp.route("/messages/<int:message_id>")
@login_required
def message_page(message_id: int):
    msg = messages.mark_read(_message_or_404(message_id))
    return render_template("accounts/message.html", msg=msg, link=local_path(msg.link) or "")


@bp.route("/messages/<int:message_id>/read", methods=["POST"])
@login_required
def message_read(message_id: int):
    messages.mark_read(_message_or_404(message_id))
    return redirect(url_for("accounts.message_centre", page=request.form.get("page", 1, type=int)))


@bp.route("/messages/read-all", methods=["POST"])
@login_required
def messages_read_all():
    n = messages.mark_all_read(current_user)
    flash(_("%(count)s message(s) marked as read.", count=n), "success")
    return redirect(url_for("accounts.message_centre"))


@bp.route("/messages/outbox")
@require_roles(Role.ORGANISER, Role.ADMIN)
def message_outbox():
    """The one outbox: notices to review, result e-mails, e-mail copies of messages."""
    kinds = outbox.waiting_by_kind(current_user)
    return render_template(
        "accounts/outbox.html",
        kinds=kinds,
        configured=mail_configured(),
        can_send_mail=can_send_mail_copies(current_user),
    )


@bp.route("/messages/outbox/<kind>/<int:item_id>/send", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def message_outbox_send_one(kind: str, item_id: int):
    done = redirect_either_way(url_for("accounts.message_outbox"))
    told = outbox.send_item(kind, item_id, current_user)
    if told is None:
        abort(404)
    flash(told, "success")
    return done


@bp.route("/messages/outbox/send", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def message_outbox_send():
    if not can_send_mail_copies(current_user):
        abort(404)
    result = messages.send_queued_mail(current_user)
    if not result["configured"]:
        flash(_("E-mail is not configured (MAIL_SERVER); the messages stay in the outbox."), "warning")
    else:
        flash(_("%(sent)s sent, %(failed)s failed.", sent=result["sent"], failed=result["failed"]), "success")
    return redirect(url_for("accounts.message_outbox"))


@bp.app_context_processor
def _unread() -> dict:
    return {"unread_messages": lambda: messages.unread_count(current_user)}

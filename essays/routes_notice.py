"""A call's notice: the editor's live preview, the files attached to the call, their public download."""

from __future__ import annotations

from flask import abort, flash, url_for
from flask_babel import gettext as _

from accounts.permissions import require_roles
from core.forms import add_uploaded_file
from core.limits import body_limit
from core.loaders import allowed_or_404, part_or_404
from core.request_cycle import redirect_either_way
from core.storage import send_stored
from essays import notice_files, notice_markup
from essays.forms import NoticeFileForm, NoticePreviewForm
from essays.models import Competition, NoticeFile
from essays.permissions import can_manage_notice_files, can_view_call
from essays.view_helpers import ORGANISERS, actor, bp


@bp.route("/manage/notice-preview", methods=["POST"])
@body_limit("text")
@require_roles(*ORGANISERS)
def notice_preview():
    """The notice as the public page will show it (safe HTML), for the editor's preview pane."""
    form = NoticePreviewForm()
    if not form.validate_on_submit():
        abort(400)
    html = notice_markup.render(form.notice_source.data or "")
    return html, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def _managed_or_404(competition_id: int) -> Competition:
    return allowed_or_404(Competition, competition_id, can_manage_notice_files)


def _file_or_404(comp: Competition, file_id: int) -> NoticeFile:
    return part_or_404(NoticeFile, file_id, competition_id=comp.id)


@bp.route("/manage/<int:competition_id>/files", methods=["POST"])
@body_limit("upload")
@require_roles(*ORGANISERS)
def upload_notice_file(competition_id: int):
    comp = _managed_or_404(competition_id)
    done = redirect_either_way(url_for("essays.edit_competition", competition_id=comp.id) + "#notice-files")
    return add_uploaded_file(
        NoticeFileForm(), lambda kind, name, data: notice_files.add_notice_file(comp, kind, name, data, actor()), done
    )


@bp.route("/manage/<int:competition_id>/files/<int:file_id>/delete", methods=["POST"])
@require_roles(*ORGANISERS)
def delete_notice_file(competition_id: int, file_id: int):
    comp = _managed_or_404(competition_id)
    record = _file_or_404(comp, file_id)
    done = redirect_either_way(url_for("essays.edit_competition", competition_id=comp.id) + "#notice-files")
    notice_files.remove_notice_file(record, actor())
    flash(_("The file has been removed."), "success")
    return done


@bp.route("/calls/<int:competition_id>/files/<int:file_id>")
def notice_file(competition_id: int, file_id: int):
    """Public: a file of a public call, under the name the organiser gave it."""
    comp = allowed_or_404(Competition, competition_id, can_view_call)
    record = _file_or_404(comp, file_id)
    return send_stored(record.stored_file, record.filename, as_attachment=True)

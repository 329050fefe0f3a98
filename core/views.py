"""Home, dashboards, background job pages and the audit log."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from accounts.activity_access import organised_by_type, require_manages_all
from accounts.models import Role, User
from accounts.permissions import can_view_job, require_roles
from core import audit as audit_mod
from core import audit_labels, dashboard
from core.audit import AuditEntry
from core.extensions import db
from core.i18n import colon, format_dt, translate
from core.jobs import INTERNAL_KINDS, Job, start_job
from core.loaders import allowed_or_404
from core.storage import send_stored

bp = Blueprint("core", __name__)

# Packages add panels to the signed-in home page: (roles, template).
DASHBOARD_PANELS: list[tuple[tuple[str, ...], str]] = []


def register_panel(roles: tuple[str, ...], template: str) -> None:
    if (roles, template) not in DASHBOARD_PANELS:
        DASHBOARD_PANELS.append((roles, template))


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("publishing.public_home"))
    roles = {str(r) for r in current_user.roles}
    panels = [tpl for panel_roles, tpl in DASHBOARD_PANELS if not panel_roles or roles & set(panel_roles)]
    is_admin = current_user.has_role(Role.ADMIN)
    office = is_admin or current_user.has_role(Role.ORGANISER)
    # Background jobs are the office's tools: authors never see the checks run on their entries.
    jobs = dashboard.job_overview(current_user, sees_all=is_admin) if office else None
    stats = None
    if is_admin:
        stats = {
            "users": db.session.scalar(select(func.count(User.id))),
            "audit": db.session.scalar(select(func.count(AuditEntry.id))),
        }
    timeline = dashboard.timeline_rows(organised_by_type(current_user)) if office else []
    return render_template("core/home.html", panels=panels, jobs=jobs, stats=stats, timeline=timeline)


@bp.route("/healthz")
def healthz():
    # Always JSON, never a login redirect or an HTML error page: probes and
    # load balancers read it.
    try:
        db.session.execute(select(1))
    except Exception as exc:
        current_app.logger.error("healthz: database unavailable: %s", exc)
        try:
            db.session.rollback()
        except Exception:
            pass
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


# Jobs ------------------------------------------------------------------------


def _job_or_404(job_id: int) -> Job:
    return allowed_or_404(Job, job_id, can_view_job)


def job_json(job: Job) -> dict:
    return {
        "id": job.id,
        "status": job.status.value,
        "progress": job.progress,
        "total": job.total,
        "percent": job.percent,
        "message": job.status_text,
        "error": job.error,
        "finished": job.finished,
        "download_url": url_for("core.job_download", job_id=job.id) if job.result_file_id else None,
        "result_url": (job.result or {}).get("url"),
    }


@bp.route("/jobs")
@login_required
def jobs():
    mine = select(Job).where(Job.created_by_id == current_user.id)
    if not current_user.has_role(Role.ADMIN, Role.ORGANISER):
        mine = mine.where(Job.kind.not_in(INTERNAL_KINDS))
    rows = db.session.scalars(mine.order_by(Job.id.desc()).limit(100)).all()
    return render_template("core/jobs.html", jobs=rows)


@bp.route("/jobs/<int:job_id>")
@login_required
def job_page(job_id: int):
    return render_template("core/job.html", job=_job_or_404(job_id))


@bp.route("/jobs/<int:job_id>.json")
@login_required
def job_status(job_id: int):
    return jsonify(job_json(_job_or_404(job_id)))


@bp.route("/jobs/<int:job_id>/download")
@login_required
def job_download(job_id: int):
    job = _job_or_404(job_id)
    if job.result_file is None:
        abort(404)
    name = (job.result or {}).get("filename") or job.result_file.original_name or f"job-{job.id}"
    return send_stored(job.result_file, name)


# Audit log -------------------------------------------------------------------


@bp.route("/audit")
@require_roles(Role.ADMIN, Role.ORGANISER)
def audit_log():
    require_manages_all()  # the whole site's log: the district department's organisers and administrators
    args = {k: request.args.get(k, "") for k in ("action", "object_type", "actor", "q", "since", "until")}
    page = db.paginate(audit_mod.audit_query(args), per_page=50, error_out=False)
    object_types = db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)).all()
    used_actions = db.session.scalars(select(AuditEntry.action).distinct()).all()
    return render_template("core/audit.html", page=page, args=args, **_audit_words(object_types, used_actions))


def _audit_words(object_types, used_actions) -> dict:
    """Chinese words for the codes the audit log stores, for the page and its filters."""

    def value(v, object_type=None, field=None):
        if v is None or v == "":
            return "∅"
        if v is True:
            return _("Yes")
        if v is False:
            return _("No")
        if isinstance(v, (list, tuple)):
            return "、".join(value(x, object_type, field) for x in v) or "∅"
        if isinstance(v, dict):
            pairs = ((_(audit_labels.field_label(k)), value(x, object_type, k)) for k, x in v.items())
            return "；".join(f"{label}{colon()}{shown}" for label, shown in pairs)
        label = audit_labels.value_label(object_type, field, v)
        if label is not None:
            return translate(label)
        if isinstance(v, str) and len(v) > 19 and v[10:11] == "T" and v[:4].isdigit():
            try:  # a moment stored as ISO 8601: shown in local time like the rest of the page
                return format_dt(dt.datetime.fromisoformat(v), with_seconds=True)
            except ValueError:
                pass
        return str(v)

    actions = sorted(set(audit_labels.ACTIONS) | set(used_actions))
    return {
        "actor_label": lambda stored: _(audit_labels.actor_label(stored)),
        "action_label": lambda code: _(audit_labels.action_label(code)),
        "object_type_label": lambda code: _(audit_labels.object_type_label(code)),
        "field_label": lambda code, action=None: _(audit_labels.field_label(code, action)),
        "change_value": value,
        "object_type_choices": [(t, _(audit_labels.object_type_label(t))) for t in sorted(object_types)],
        "action_choices": [(a, _(audit_labels.action_label(a))) for a in actions],
    }


@bp.route("/audit/export", methods=["POST"])
@require_roles(Role.ADMIN, Role.ORGANISER)
def audit_export():
    require_manages_all()
    args = {k: request.form.get(k, "") for k in ("action", "object_type", "actor", "q", "since", "until")}
    job = start_job("audit.export", _("Export of the audit log"), {"filters": args}, user=current_user)
    return redirect(url_for("core.job_page", job_id=job.id))

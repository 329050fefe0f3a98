"""Core's background job handlers (the job machinery itself is core/jobs.py)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile

from flask_babel import gettext as _
from sqlalchemy import func, select

from core import audit, exports
from core.extensions import db
from core.i18n import format_dt
from core.jobs import JobContext, job_handler
from core.storage import store_path


@job_handler("audit.export")
def export_audit_job(ctx: JobContext) -> dict:
    filters = ctx.params.get("filters") or {}
    stmt = audit.audit_query(filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    ctx.progress(0, total, _("Collecting entries"))
    done = 0

    def rows():
        nonlocal done
        for entry in db.session.scalars(stmt.execution_options(yield_per=500)):
            yield [
                format_dt(entry.created_at, with_seconds=True),
                entry.actor_label,
                entry.action,
                entry.object_type,
                entry.object_id or "",
                entry.object_label,
                json.dumps(entry.changes, ensure_ascii=False),
                entry.ip or "",
            ]
            done += 1
            if done % 200 == 0:
                ctx.progress(done, total, _("%(done)s of %(total)s entries", done=done, total=total))

    columns = [
        exports.Column(_("Time"), 20),
        exports.Column(_("Actor"), 16),
        exports.Column(_("Action"), 24),
        exports.Column(_("Object"), 16),
        exports.Column(_("Object ID"), 10),
        exports.Column(_("Label"), 30),
        exports.Column(_("Changes"), 60),
        exports.Column(_("Address"), 16),
    ]
    filename = f"audit-{dt.date.today().isoformat()}.xlsx"
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        exports.write_xlsx(exports.Table(columns, rows(), sheet=_("Audit log")), tmp)
        tmp.flush()
        stored = store_path(tmp.name, original_name=filename, suffix=".xlsx", content_type=exports.XLSX_MIMETYPE)
    db.session.flush()
    ctx.job.result_file_id = stored.id
    audit.record("audit.export", actor=ctx.job.created_by, object_type="audit", label=filename, changes={"rows": done})
    return {"filename": filename, "rows": done}

"""Publishing's background job handlers."""

from __future__ import annotations

from core.extensions import db
from core.jobs import JobContext, job_handler
from core.urls import external_url
from publishing.certificates import generate_certificates
from publishing.models import ResultSet


@job_handler("publishing.certificates")
def certificates_job(ctx: JobContext) -> dict:
    rs = db.session.get(ResultSet, ctx.params["result_set_id"])
    actor = ctx.job.created_by
    out = generate_certificates(rs, actor, progress=ctx.progress)
    ctx.job.result_file_id = out["zip_file_id"]
    db.session.flush()
    return {
        "filename": f"certificates-{rs.id}.zip",
        "count": out["count"],
        "url": external_url("publishing.manage_result", rs_id=rs.id),
    }

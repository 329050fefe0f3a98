"""Background jobs of nominations (the programme's PDF batch); a worker imports no blueprint."""

from __future__ import annotations

from flask_babel import gettext as _

from core.extensions import db
from core.jobs import JobContext, job_handler
from core.storage import store_bytes
from core.urls import external_url
from nominations import printing
from nominations.models import Programme

DOSSIER_BATCH = "nominations.dossier_batch"


@job_handler(DOSSIER_BATCH)
def dossier_batch_job(ctx: JobContext) -> dict:
    """Every submitted 推荐表 of a programme in one PDF, kept in storage for download."""
    programme = db.session.get(Programme, ctx.params["programme_id"])
    title, programme_id = programme.title, programme.id

    def report(done: int, total: int, stage: str) -> None:
        ctx.progress(done, total, _("%(done)s of %(total)s dossiers laid out", done=done, total=total))

    ctx.progress(0, 1, _("Gathering the dossiers"))
    pdf, count = printing.batch_pdf(programme, progress=report)
    record = store_bytes(
        pdf,
        content_type="application/pdf",
        original_name=f"{title}-推荐表.pdf",
        suffix=".pdf",
        created_by=ctx.job.created_by,
    )
    db.session.flush()
    ctx.job.result_file_id = record.id
    db.session.flush()
    return {
        "filename": f"{title}-推荐表.pdf",
        "count": count,
        "url": external_url("nominations.print_batch", programme_id=programme_id),
    }

"""Background jobs of judging: reading packets too big to build during a request."""

from __future__ import annotations

from core.extensions import db
from core.jobs import JobContext, job_handler
from core.storage import store_bytes
from judging import packets
from judging.models import Round


@job_handler("judging.packet")
def packet_job(ctx: JobContext) -> dict:
    """One judge's packet (``judge_id``) or, without one, every active judge's for the organiser."""
    round_ = db.session.get(Round, ctx.params["round_id"])
    judge_id = ctx.params.get("judge_id")
    if judge_id is None:
        pdf = packets.all_judges_pdf(round_, progress=ctx.progress)
    else:
        pdf = packets.packet_pdf(round_, judge_id, progress=ctx.progress)
    name = packets.packet_file_name(round_, "pdf", judge_id if ctx.params.get("name_judge") else None)
    record = store_bytes(pdf, content_type="application/pdf", original_name=name, created_by=ctx.job.created_by)
    db.session.flush()
    ctx.job.result_file_id = record.id
    return {"filename": name}

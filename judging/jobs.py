"""Background jobs of judging: reading packets too big to build during a request, and erasing an
archived activity's personal data (judging knows the winners, who are kept)."""

from __future__ import annotations

from flask_babel import gettext as _

from accounts import erasure as account_erasure
from core.extensions import db
from core.jobs import JobContext, job_handler
from core.storage import store_bytes
from essays.models import Competition, Submission
from judging import erasure, packets
from judging.models import Round

ERASE_BATCH = 20


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


@job_handler("privacy.erase")
def erase_job(ctx: JobContext) -> dict:
    """Erase the non-winners of one activity, committing (and deleting files) batch by batch."""
    competition = db.session.get(Competition, ctx.params["competition_id"])
    ids = erasure.non_winner_ids(competition)
    ctx.progress(0, len(ids), _("Erasing personal data"))
    placeholder = account_erasure.placeholder_author()
    for start in range(0, len(ids), ERASE_BATCH):
        keys = []
        for entry_id in ids[start : start + ERASE_BATCH]:
            keys += erasure.erase_entry(db.session.get(Submission, entry_id), placeholder)
        db.session.commit()
        account_erasure.delete_stored(keys)
        ctx.progress(min(start + ERASE_BATCH, len(ids)))
    keys = erasure.stale_exports(competition)
    erasure.finish_erasure(competition, len(ids), actor_id=ctx.job.created_by_id)
    db.session.commit()
    account_erasure.delete_stored(keys)
    return {"erased": len(ids)}

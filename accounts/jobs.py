"""Accounts' background job handlers: erasing an archived activity's personal data."""

from __future__ import annotations

from flask_babel import gettext as _

from accounts import erasure
from core.extensions import db
from core.jobs import JobContext, job_handler
from essays.models import Competition, Submission

BATCH = 20


@job_handler("privacy.erase")
def erase_job(ctx: JobContext) -> dict:
    """Erase the non-winners of one activity, committing (and deleting files) batch by batch."""
    competition = db.session.get(Competition, ctx.params["competition_id"])
    ids = erasure.non_winner_ids(competition)
    ctx.progress(0, len(ids), _("Erasing personal data"))
    placeholder = erasure.placeholder_author()
    for start in range(0, len(ids), BATCH):
        keys = []
        for entry_id in ids[start : start + BATCH]:
            keys += erasure.erase_entry(db.session.get(Submission, entry_id), placeholder)
        db.session.commit()
        erasure.delete_stored(keys)
        ctx.progress(min(start + BATCH, len(ids)))
    keys = erasure.stale_exports(competition)
    erasure.finish_erasure(competition, len(ids), actor_id=ctx.job.created_by_id)
    db.session.commit()
    erasure.delete_stored(keys)
    return {"erased": len(ids)}

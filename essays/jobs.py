"""Essays' background job handlers (queued by essays.duplicates and essays.judge_copies after a submission)."""

from __future__ import annotations

from flask_babel import gettext as _

from core.extensions import db
from core.jobs import JobContext, job_handler
from core.urls import external_url
from essays import duplicates, judge_copies


@job_handler("essays.judge_copy", internal=True)
def judge_copy_job(ctx: JobContext) -> dict:
    done = judge_copies.upgrade_judge_copy(ctx.params["entry_id"], ctx.params.get("judge_file_id"))
    db.session.commit()
    return {"replaced": done}


@job_handler("essays.similarity", internal=True)
def similarity_job(ctx: JobContext) -> dict:
    competition_id = ctx.params["competition_id"]
    ctx.progress(0, 1, _("Comparing entries"))
    flags = duplicates.detect_similarity(competition_id)
    db.session.commit()
    return {"flags": len(flags), "url": external_url("essays.similarity_flags", competition_id=competition_id)}

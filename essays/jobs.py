"""Essays' background job handlers (queued by essays.routes and essays.services)."""

from __future__ import annotations

from flask_babel import gettext as _

from core.extensions import db
from core.jobs import JobContext, job_handler
from core.urls import external_url
from essays import services


@job_handler("essays.judge_copy")
def judge_copy_job(ctx: JobContext) -> dict:
    done = services.upgrade_judge_copy(ctx.params["entry_id"], ctx.params.get("judge_file_id"))
    db.session.commit()
    return {"replaced": done}


@job_handler("essays.similarity")
def similarity_job(ctx: JobContext) -> dict:
    competition_id = ctx.params["competition_id"]
    ctx.progress(0, 1, _("Comparing entries"))
    flags = services.detect_similarity(competition_id)
    db.session.commit()
    return {"flags": len(flags), "url": external_url("essays.similarity_flags", competition_id=competition_id)}

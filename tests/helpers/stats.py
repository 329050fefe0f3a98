"""Builders for the statistics tests: received entries and a finalised round's awards, written directly."""

from __future__ import annotations

from essays.models import Submission, SubmissionStatus
from judging.models import Award, Round, RoundState


def add_entries(db, comp, author, unit, n, *, status="qualified", genre=0, group=0, recommended=True):
    made = []
    for _ in range(n):
        sub = Submission(
            competition_id=comp.id,
            author_id=author.id,
            unit_id=None if recommended else unit.id,
            recommending_unit_id=unit.id if recommended else None,
            genre_id=comp.genres[genre].id,
            group_id=comp.groups[group].id,
            title="我的家乡",
            status=SubmissionStatus(status),
        )
        db.session.add(sub)
        made.append(sub)
    db.session.flush()
    return made


def give_awards(db, comp, pairs, position=1):
    round_ = Round(competition_id=comp.id, position=position, name=f"第{position}轮", state=RoundState.FINALISED)
    db.session.add(round_)
    db.session.flush()
    for sub, level in pairs:
        db.session.add(Award(round_id=round_.id, submission_id=sub.id, level=level))
    db.session.flush()
    return round_

"""The lists beside a competition's awards (优秀组织奖 for units, 优秀指导教师 for teachers):
each is its own result set in publishing, listed 排名不分先后, with certificates naming
the competition. Also the one query of a round's awarded entries in award order."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from essays.models import Competition, Submission
from judging import awards as awards_mod
from judging.models import Award, Round
from publishing.certificate_template import ensure_template
from publishing.models import Ordering, ResultSet, SourceType
from publishing.results import HonourInput, import_honours


def organiser_names(comp: Competition) -> str:
    """The competition's organisers as one line (主办单位、承办单位…)."""
    return "、".join(o.get("name", "") for o in (comp.organisers or []) if isinstance(o, dict))


def awarded_entries(round_: Round) -> list[tuple[Award, Submission]]:
    """The round's awards with their entries, highest level first, then group and position."""
    rows = db.session.execute(
        select(Award, Submission)
        .join(Submission, Submission.id == Award.submission_id)
        .where(Award.round_id == round_.id)
        .order_by(Award.group_label, Award.level, Award.position)
    ).all()
    order = {code: i for i, code in enumerate(awards_mod.LEVEL_CODES)}
    return sorted(rows, key=lambda r: (order.get(r[0].level, 99), r[0].group_label, r[0].position))


def side_result_set(comp: Competition, source: SourceType) -> ResultSet | None:
    return db.session.scalar(select(ResultSet).where(ResultSet.source_type == source, ResultSet.source_id == comp.id))


def import_side_list(
    comp: Competition, source: SourceType, level_text: str, items: list[HonourInput], *, actor
) -> ResultSet:
    """Import (or refill while a draft) the competition's list of ``source``."""
    fresh = side_result_set(comp, source) is None
    rs = import_honours(
        source.value,
        comp.id,
        f"{comp.title}{level_text}名单",
        items,
        actor,
        organiser=organiser_names(comp),
        ordering=Ordering.UNORDERED.value,
    )
    if fresh:
        # Certificates read "在{activity}中，荣获……": the activity is the competition.
        ensure_template(rs).activity_name = comp.title
    return rs

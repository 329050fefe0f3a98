"""优秀组织奖: the units an organiser picks from the statistics become unit honours of the
activity, handed to publishing as their own result set (``SourceType.COMPETITION_UNITS``).

From there publishing's pages run the notice, the certificates and the list as for any
result set. Importing again refills the set while it is still a draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from accounts.models import Unit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Competition
from publishing.certificate_template import ensure_template
from publishing.formats import LEVELS
from publishing.models import Ordering, RecipientKind, ResultSet, SourceType
from publishing.results import HonourInput, import_honours

LEVEL_CODE = "organisation"
DEFAULT_LEVEL_TEXT = next(level.document_text for level in LEVELS if level.code == LEVEL_CODE)  # 优秀组织奖


def unit_result_set(comp: Competition) -> ResultSet | None:
    return db.session.scalar(
        select(ResultSet).where(ResultSet.source_type == SourceType.COMPETITION_UNITS, ResultSet.source_id == comp.id)
    )


def award_unit_honours(comp: Competition, unit_ids: Sequence[int], level_text: str, *, actor) -> ResultSet:
    """Import the chosen units as honours (排名不分先后) into the activity's unit result set."""
    wanted = list(dict.fromkeys(int(i) for i in unit_ids))
    if not wanted:
        raise UserError(N_("Choose at least one unit."))
    level_text = (level_text or "").strip() or DEFAULT_LEVEL_TEXT
    units = db.session.scalars(select(Unit).where(Unit.id.in_(wanted), Unit.active.is_(True))).all()
    if len(units) != len(wanted):
        raise UserError(N_("A chosen unit no longer exists; reload the page."))
    order = {uid: i for i, uid in enumerate(wanted)}
    items = [
        HonourInput(
            level_code=LEVEL_CODE,
            level_text=level_text,
            recipient_name=unit.name,
            recipient_kind=RecipientKind.UNIT.value,
            source_item_id=unit.id,
        )
        for unit in sorted(units, key=lambda u: order[u.id])
    ]
    organiser = "、".join(o.get("name", "") for o in (comp.organisers or []) if isinstance(o, dict))
    fresh = unit_result_set(comp) is None
    rs = import_honours(
        SourceType.COMPETITION_UNITS.value,
        comp.id,
        f"{comp.title}{level_text}名单",
        items,
        actor,
        organiser=organiser,
        ordering=Ordering.UNORDERED.value,
    )
    if fresh:
        # Certificates read "在{activity}中，荣获优秀组织奖。": the activity is the competition.
        ensure_template(rs).activity_name = comp.title
    return rs

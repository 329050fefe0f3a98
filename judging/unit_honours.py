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
from judging.side_honours import import_side_list, side_result_set
from publishing.formats import LEVELS
from publishing.models import RecipientKind, ResultSet, SourceType
from publishing.results import HonourInput

LEVEL_CODE = "organisation"
DEFAULT_LEVEL_TEXT = next(level.document_text for level in LEVELS if level.code == LEVEL_CODE)  # 优秀组织奖


def unit_result_set(comp: Competition) -> ResultSet | None:
    return side_result_set(comp, SourceType.COMPETITION_UNITS)


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
    return import_side_list(comp, SourceType.COMPETITION_UNITS, level_text, items, actor=actor)

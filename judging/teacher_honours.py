"""优秀指导教师: the teachers an awarded entry names in its teacher fields (``essays.entry_fields``)
become honours of the activity, handed to publishing as their own result set
(``SourceType.COMPETITION_TEACHERS``), one per competition.

From there publishing's pages run the notice, the certificates and the list as for
any result set. Importing again (another round's awards) refills the set while it is
still a draft.
"""

from __future__ import annotations

from sqlalchemy import select

from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.entry_fields import teachers
from judging.models import Award, Round
from judging.side_honours import awarded_entries, import_side_list, side_result_set
from publishing.models import RecipientKind, ResultSet, SourceType
from publishing.results import HonourInput

LEVEL_CODE = "teacher"
DEFAULT_LEVEL_TEXT = "优秀指导教师"


def names_teachers(comp) -> bool:
    """Whether the activity has an entry field naming teachers (指导教师)."""
    return any(d.get("teacher") for d in comp.entry_fields or [])


def teacher_result_set(comp) -> ResultSet | None:
    return side_result_set(comp, SourceType.COMPETITION_TEACHERS)


def teacher_honour_items(round_: Round, level_text: str) -> list[HonourInput]:
    """One honour per teacher (name and unit) named by the round's awarded entries, in award order."""
    comp = round_.competition
    rows = awarded_entries(round_)
    items: dict[tuple[str, str], HonourInput] = {}
    for _award, sub in rows:
        for name, unit in teachers(comp.entry_fields, sub.field_values):
            unit = unit or (sub.unit.name if sub.unit else "")
            if (name, unit) not in items:
                items[(name, unit)] = HonourInput(
                    level_code=LEVEL_CODE,
                    level_text=level_text,
                    recipient_name=name,
                    recipient_unit=unit,
                    work_title=sub.title,
                    recipient_kind=RecipientKind.PERSON.value,
                    source_item_id=sub.id,
                )
    return list(items.values())


def award_teacher_honours(round_: Round, level_text: str, *, actor) -> ResultSet:
    """Import the teachers of the round's awarded entries into the activity's teacher result set."""
    comp = round_.competition
    if not names_teachers(comp):
        raise UserError(N_("This activity has no entry field that names teachers."))
    if db.session.scalar(select(Award.id).where(Award.round_id == round_.id).limit(1)) is None:
        raise UserError(N_("No entry of this round has an award yet."))
    level_text = (level_text or "").strip() or DEFAULT_LEVEL_TEXT
    items = teacher_honour_items(round_, level_text)
    if not items:
        raise UserError(N_("No awarded entry names a teacher."))
    return import_side_list(comp, SourceType.COMPETITION_TEACHERS, level_text, items, actor=actor)

"""The freeze: an entry stops changing once judges may read it.

Judges' scores must refer to the text they read, so an entry stops changing
the moment it enters an opened judging round (``freeze_entries``, called by
judging) or, if the competition says so, once it is qualified. The author's
edit, file replacement, draft autosave and withdrawal all ask
``check_not_frozen``; the organiser's redaction does not (it changes only the
judges' copy, and every score records the judge text it was given).
"""

from __future__ import annotations

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Submission, SubmissionStatus

FROZEN_MESSAGE = N_("This entry is in judging and can no longer be changed.")
FROZEN_WITHDRAW_MESSAGE = N_(
    "This entry is in judging and cannot be withdrawn. If it really must be withdrawn, "
    "please contact the organiser of the competition."
)


def frozen_reason(entry: Submission | None) -> str | None:
    """Why the author may no longer change the entry (an untranslated message), or None."""
    if entry is None:
        return None
    if entry.frozen_at is not None:
        return FROZEN_MESSAGE
    if entry.status == SubmissionStatus.QUALIFIED and entry.competition.freeze_when_qualified:
        return FROZEN_MESSAGE
    return None


def check_not_frozen(entry: Submission | None, *, withdraw: bool = False) -> None:
    if frozen_reason(entry) is not None:
        raise EntryFrozen(FROZEN_WITHDRAW_MESSAGE if withdraw else FROZEN_MESSAGE)


class EntryFrozen(UserError):
    pass


def freeze_entries(entry_ids, *, actor, cause=None) -> int:
    """Freeze the given entries (those not frozen yet); returns how many were newly frozen.

    ``cause`` (e.g. the judging round that opened) names the audit entry.
    """
    ids = sorted(set(entry_ids))
    if not ids:
        return 0
    now = utcnow()
    frozen = 0
    for start in range(0, len(ids), 900):
        result = db.session.execute(
            Submission.__table__.update()
            .where(Submission.id.in_(ids[start : start + 900]), Submission.frozen_at.is_(None))
            .values(frozen_at=now)
        )
        frozen += result.rowcount or 0
    wanted = set(ids)
    for obj in list(db.session.identity_map.values()):  # loaded entries must see the new value
        if isinstance(obj, Submission) and obj.id in wanted:
            db.session.expire(obj, ["frozen_at"])
    if frozen:
        audit.record("essay.freeze", cause, actor=actor, changes={"frozen_entries": [None, frozen]})
    return frozen

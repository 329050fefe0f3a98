"""Dossier (推荐表) services: drafts, submitting within the quota and window, resubmitting.

A unit's coordinator saves a draft (by hand or by the page's autosave), then
submits it with the unit's opinion and the integrity statement. Every
submission is a ``ReviewStep`` and an audit entry; a resubmission after a
return records what changed since the version the office saw.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.wordcount import count_words
from nominations import composition
from nominations.models import (
    FileKind,
    Nomination,
    NominationStatus,
    Programme,
    ProgrammeStage,
    Quota,
    ReviewStep,
    RuleOp,
    RuleSubject,
    Sex,
    StepKind,
)
from nominations.programmes import PLACE_HOLDING, quota_of, used_places
from nominations.validators import agrees, is_valid_resident_id, mask_resident_id, normalise_resident_id
from publishing.clock import today_local

DOSSIER_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_month",
    "politics",
    "education",
    "position",
    "workplace",
    "phone",
    "resident_id",
    "is_leader",
    "is_frontline",
    "summary",
    "deeds",
    "leader_name",
    "member_count",
    "members_text",
    "unit_opinion",
    "integrity_confirmed",
    "consent_profile",
    "consent_deeds",
)
TEXT_LIMITS = {"name": 120, "ethnicity": 20, "politics": 30, "education": 30, "position": 120}
TEXT_LIMITS |= {"workplace": 120, "phone": 32, "leader_name": 64}
NULLABLE = ("sex", "birth_month", "member_count")
FLAGS = ("is_leader", "is_frontline", "integrity_confirmed", "consent_profile", "consent_deeds")
EDITABLE = (NominationStatus.DRAFT, NominationStatus.RETURNED)

FIELD_NAMES = {
    "name": N_("Nominee's name"),
    "sex": N_("Sex"),
    "birth_month": N_("Month of birth"),
    "workplace": N_("Workplace"),
    "summary": N_("Summary of deeds"),
    "deeds": N_("Main deeds"),
    "leader_name": N_("Team leader"),
    "member_count": N_("Number of members"),
    "members_text": N_("Team members"),
    "resident_id": N_("Resident ID number"),
    "photo": N_("Photo"),
    "phone": N_("Telephone"),
    "ethnicity": N_("Ethnicity"),
    "politics": N_("Political status"),
    "education": N_("Education"),
    "position": N_("Post / title"),
    "unit_opinion": N_("Opinion of the nominating unit"),
}


@dataclass
class Saved:
    nomination: Nomination
    warnings: list[str] = field(default_factory=list)  # rendered messages, shown but not refusing
    submitted: bool = False


def _t(message: str, **params) -> str:
    return UserError(message, **params).render()


# Editing ---------------------------------------------------------------------


def edit_refusal(nomination: Nomination) -> str | None:
    """Why the unit cannot change the dossier now (a msgid), or None."""
    if nomination.status not in EDITABLE:
        return N_("This dossier has been submitted and can no longer be changed.")
    stage = nomination.programme.stage
    if nomination.status == NominationStatus.RETURNED and stage in (ProgrammeStage.NOMINATING, ProgrammeStage.CHECKING):
        return None
    if stage != ProgrammeStage.NOMINATING:
        return N_("The programme no longer accepts nominations.")
    return None


def ensure_editable(nomination: Nomination) -> None:
    refusal = edit_refusal(nomination)
    if refusal:
        raise UserError(refusal)


def dossier_snapshot(nomination: Nomination) -> dict:
    """The dossier's fields as shown to people (the ID number masked), with its files' names."""
    snap = {name: getattr(nomination, name) for name in DOSSIER_FIELDS}
    snap["resident_id"] = mask_resident_id(nomination.resident_id) or None
    snap["files"] = [f.filename for f in nomination.files]
    return {key: _plain(value) for key, value in snap.items()}


def _plain(value):
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m")  # the only date is the month of birth
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _apply_values(nomination: Nomination, values: dict, *, strict: bool) -> list[str]:
    """Copy the form's values; the ID number is checked (a draft saved by itself skips a bad one)."""
    problems = []
    for name in DOSSIER_FIELDS:
        if name not in values or name == "resident_id":
            continue
        value = values[name]
        if value is None and name not in NULLABLE:
            value = False if name in FLAGS else ""  # a field left out of the form
        if isinstance(value, str):
            value = value.strip()[: TEXT_LIMITS.get(name, 100_000)]
        if name == "sex":
            value = Sex(value) if value else None
        setattr(nomination, name, value)
    if "resident_id" in values:
        problems += _apply_resident_id(nomination, values["resident_id"], strict=strict)
    return problems


def _apply_resident_id(nomination: Nomination, raw: str | None, *, strict: bool) -> list[str]:
    programme = nomination.programme
    if "resident_id" not in (programme.required_fields or []):
        nomination.resident_id = None  # collected only where the programme needs it
        return []
    value = normalise_resident_id(raw)
    if not value:
        nomination.resident_id = None
        return []
    if not is_valid_resident_id(value, today=today_local()):
        if strict:
            raise UserError(N_("The resident ID number is not valid."))
        return [N_("The resident ID number is not valid.")]
    clash = db.session.scalar(
        select(Nomination.id).where(
            Nomination.programme_id == programme.id,
            Nomination.resident_id == value,
            Nomination.id != (nomination.id or 0),
        )
    )
    if clash:
        raise UserError(N_("This person has already been nominated in this programme."))
    problems = agrees(value, nomination.birth_month, nomination.sex)
    if problems and strict:
        raise UserError(problems[0])
    nomination.resident_id = value
    return problems


def save_dossier(
    programme: Programme,
    unit_id: int,
    values: dict,
    actor,
    nomination: Nomination | None = None,
    *,
    submit: bool = False,
    autosave: bool = False,
) -> Saved:
    """Save the dossier (a new draft when ``nomination`` is None), and submit it if asked."""
    if nomination is None:
        if programme.stage != ProgrammeStage.NOMINATING:
            raise UserError(N_("The programme no longer accepts nominations."))
        nomination = Nomination(programme=programme, unit_id=unit_id, created_by_id=getattr(actor, "id", None))
        db.session.add(nomination)
        created = True
    else:
        ensure_editable(nomination)
        created = False
    problems = _apply_values(nomination, values, strict=not autosave)
    db.session.flush()
    if created:
        audit.record("nomination.draft_create", nomination, actor=actor, changes={"programme": programme.title})
    saved = Saved(nomination, warnings=[_t(p) for p in problems])
    if submit:
        saved.warnings += submit_nomination(nomination, actor)
        saved.submitted = True
    return saved


def delete_draft(nomination: Nomination, actor) -> None:
    if nomination.status != NominationStatus.DRAFT:
        raise UserError(N_("Only a draft can be deleted."))
    audit.record("nomination.draft_delete", nomination, actor=actor)
    stored = [f.stored_file for f in nomination.files]
    db.session.delete(nomination)  # its file rows go with it
    db.session.flush()
    for record in stored:  # then the stored files' records; `flask storage-gc` removes the bytes
        db.session.delete(record)
    db.session.flush()


# Submitting --------------------------------------------------------------------


def word_counts(nomination: Nomination) -> dict[str, int]:
    return {"summary": count_words(nomination.summary or ""), "deeds": count_words(nomination.deeds or "")}


def missing_fields(nomination: Nomination) -> list[str]:
    """The msgids of the required fields the dossier lacks."""
    programme = nomination.programme
    if programme.is_team:
        needed = ["name", "leader_name", "member_count", "members_text", "workplace", "summary", "deeds"]
    else:
        needed = ["name", "sex", "birth_month", "workplace", "summary", "deeds"]
    needed += [f for f in programme.required_fields or [] if f not in needed]
    needed.append("unit_opinion")
    missing = []
    for name in needed:
        if name == "photo":
            if not any(f.kind == FileKind.PHOTO for f in nomination.files):
                missing.append(FIELD_NAMES[name])
        elif not getattr(nomination, name, None):
            missing.append(FIELD_NAMES[name])
    return missing


def _check_contents(nomination: Nomination) -> None:
    programme = nomination.programme
    missing = missing_fields(nomination)
    if missing:
        raise UserError(N_("Please fill in: %(fields)s."), fields="、".join(_t(m) for m in missing))
    counts = word_counts(nomination)
    for key, limit, label in (
        ("summary", programme.summary_limit, FIELD_NAMES["summary"]),
        ("deeds", programme.deeds_limit, FIELD_NAMES["deeds"]),
    ):
        if counts[key] > limit:
            raise UserError(
                N_("%(field)s has %(count)s characters; at most %(limit)s are allowed."),
                field=_t(label),
                count=counts[key],
                limit=limit,
            )
    if nomination.resident_id:
        problems = agrees(nomination.resident_id, nomination.birth_month, nomination.sex)
        if problems:
            raise UserError(problems[0])
    if not nomination.integrity_confirmed:
        raise UserError(N_("Please confirm the integrity statement before submitting."))


def _check_window(nomination: Nomination, today: dt.date) -> None:
    programme = nomination.programme
    if nomination.status == NominationStatus.RETURNED:
        if programme.stage not in (ProgrammeStage.NOMINATING, ProgrammeStage.CHECKING):
            raise UserError(N_("The programme no longer accepts nominations."))
        return  # a revision asked for by the office is due whenever the office asked
    if programme.stage != ProgrammeStage.NOMINATING:
        raise UserError(N_("The programme no longer accepts nominations."))
    if programme.nominate_from and today < programme.nominate_from:
        raise UserError(N_("Nominations open on %(day)s."), day=programme.nominate_from.isoformat())
    if programme.nominate_until and today > programme.nominate_until:
        raise UserError(N_("The nomination deadline (%(day)s) has passed."), day=programme.nominate_until.isoformat())


def _check_quota(nomination: Nomination) -> None:
    programme = nomination.programme
    # Two submissions of one unit at once queue on the unit's quota row (PostgreSQL; SQLite
    # already runs one writer at a time), so both cannot take the last place.
    db.session.execute(
        select(Quota.id)
        .where(Quota.programme_id == programme.id, Quota.unit_id == nomination.unit_id)
        .with_for_update()
    )
    places = quota_of(programme, nomination.unit_id)
    used = used_places(programme, nomination.unit_id, excluding=nomination.id)
    if used >= places:
        raise UserError(
            N_("Your unit has used all its %(places)s places in this programme (%(used)s submitted)."),
            places=places,
            used=used,
        )


def _check_duplicate(nomination: Nomination) -> None:
    stmt = select(func.count(Nomination.id)).where(
        Nomination.programme_id == nomination.programme_id,
        Nomination.id != nomination.id,
        Nomination.status != NominationStatus.DRAFT,
        Nomination.unit_id == nomination.unit_id,
        Nomination.name == nomination.name,
    )
    if not nomination.programme.is_team:
        stmt = stmt.where(Nomination.birth_month == nomination.birth_month)
    if db.session.scalar(stmt):
        raise UserError(N_("This person has already been nominated in this programme."))


def pool_member(nomination: Nomination) -> composition.PoolMember:
    return composition.PoolMember(
        female=nomination.sex == Sex.FEMALE, leader=nomination.is_leader, frontline=nomination.is_frontline
    )


def composition_warnings(nomination: Nomination) -> list[str]:
    """The programme's composition rules over the unit's submitted pool with this dossier."""
    programme = nomination.programme
    if not programme.rules:
        return []
    others = db.session.scalars(
        select(Nomination).where(
            Nomination.programme_id == programme.id,
            Nomination.unit_id == nomination.unit_id,
            Nomination.status.in_(PLACE_HOLDING),
            Nomination.id != nomination.id,
        )
    ).all()
    pool = [pool_member(n) for n in [*others, nomination]]
    rules = [composition.Rule(r.subject.value, r.op.value, r.percent) for r in programme.rules]
    return [describe_breach(b) for b in composition.breaches(rules, pool)]


def describe_breach(breach: composition.Breach) -> str:
    return _t(
        N_("Composition rule %(subject)s %(op)s %(percent)s%%: %(share)s%% (%(count)s of %(size)s)."),
        subject=RuleSubject(breach.rule.subject).label,
        op=RuleOp(breach.rule.op).label,
        percent=f"{breach.rule.percent:g}",
        share=f"{breach.share:.0f}",
        count=breach.count,
        size=breach.size,
    )


def submitted_snapshot(nomination: Nomination) -> dict:
    """The dossier as the office last saw it, replayed from the submission steps."""
    snap: dict = {}
    for step in nomination.steps:
        if step.kind in (StepKind.SUBMIT, StepKind.RESUBMIT):
            for key, (_before, after) in (step.changes or {}).items():
                snap[key] = after
    return snap


def submit_nomination(nomination: Nomination, actor, today: dt.date | None = None) -> list[str]:
    """Submit (or resubmit) within the window and the quota; returns composition warnings."""
    ensure_editable(nomination)
    today = today or today_local()
    _check_window(nomination, today)
    _check_contents(nomination)
    _check_quota(nomination)
    _check_duplicate(nomination)
    resubmit = nomination.status == NominationStatus.RETURNED
    current = dossier_snapshot(nomination)
    if resubmit:
        changes = audit.diff(submitted_snapshot(nomination), current)
    else:
        changes = audit.diff({}, current)  # the first version in full, for the next comparison
    before = nomination.status
    nomination.status = NominationStatus.SUBMITTED
    nomination.version += 1
    nomination.submitted_at = utcnow()
    nomination.steps.append(
        ReviewStep(
            kind=StepKind.RESUBMIT if resubmit else StepKind.SUBMIT,
            opinion=nomination.unit_opinion,
            signer=nomination.unit.name,
            actor_id=getattr(actor, "id", None),
            unit_id=nomination.unit_id,
            version=nomination.version,
            changes=changes,
        )
    )
    db.session.flush()
    audit.record(
        "nomination.resubmit" if resubmit else "nomination.submit",
        nomination,
        actor=actor,
        changes={
            "status": [before, nomination.status],
            "version": nomination.version,
            "fields": sorted(changes) if resubmit else [],
        },
    )
    return composition_warnings(nomination)

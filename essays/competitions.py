"""Competitions: their settings, genres and groups, and the moves between states.

Each action flushes and audits; the caller commits. The rules of each state:

* draft: organisers edit everything; authors see nothing;
* open: authors save drafts, submit, edit and withdraw until the deadline
  (closing time plus the published grace period, by the server clock, read
  inside the saving transaction); organisers edit settings and review;
* closed: no more entries; qualification review and export;
* judging, published, archived: entries and qualification are frozen.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts import activity_access as access
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n import format_dt
from core.i18n_markers import N_
from essays import entry_fields as entry_field_rules
from essays import notice_markup, wordcount
from essays.entry_rules import count_active, unit_quota_refusal
from essays.models import FORMATS, Competition, CompetitionStatus, Genre, Group, Submission, SubmissionCounter

# Allowed forward moves (and reopening a closed competition for an extension).
TRANSITIONS = {
    CompetitionStatus.DRAFT: {CompetitionStatus.OPEN},
    CompetitionStatus.OPEN: {CompetitionStatus.CLOSED},
    CompetitionStatus.CLOSED: {CompetitionStatus.OPEN, CompetitionStatus.JUDGING},
    CompetitionStatus.JUDGING: {CompetitionStatus.PUBLISHED},
    CompetitionStatus.PUBLISHED: {CompetitionStatus.ARCHIVED},
    CompetitionStatus.ARCHIVED: set(),
}
EDITABLE_STATES = {CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED}


def sanitise_notice(html: str) -> str:
    """Keep simple formatting of a pasted notice; drop scripts, styles and handlers."""
    return notice_markup.sanitise(html)


def _with_rendered_notice(fields: dict, comp: Competition | None = None) -> dict:
    """Turn the notice as typed into its safe HTML (``notice_html``).

    Callers pass ``notice_source`` (with ``notice_format``, Markdown unless
    said), or ``notice_html`` alone, older HTML kept as such.
    """
    if "notice_html" in fields and "notice_source" not in fields:
        fields["notice_source"], fields["notice_format"] = fields.pop("notice_html") or "", notice_markup.HTML
    if "notice_source" not in fields and "notice_format" not in fields:
        return fields
    source = fields.get("notice_source", comp.notice_source if comp else "") or ""
    fmt = fields.get("notice_format") or (comp.notice_format if comp else None) or notice_markup.MARKDOWN
    if fmt not in notice_markup.FORMATS:
        raise UserError(N_("Unknown notice format."))
    fields["notice_source"], fields["notice_format"] = source, fmt
    fields["notice_html"] = notice_markup.render(source, fmt)
    return fields


COMPETITION_FIELDS = (
    "code",
    "title",
    "theme",
    "notice_source",
    "notice_format",
    "notice_html",
    "organisers",
    "opens_at",
    "closes_at",
    "grace_minutes",
    "max_entries_per_author",
    "unit_recommendation_enabled",
    "unit_quota",
    "accepted_formats",
    "max_file_mb",
    "pledge_text",
    "review_threshold",
    "copy_threshold",
    "freeze_when_qualified",
    "entry_fields",
)


def _competition_snapshot(comp: Competition) -> dict:
    # The rendered HTML follows from the source; the audit shows what was typed.
    snap = {k: getattr(comp, k) for k in COMPETITION_FIELDS if k != "notice_html"}
    snap["genres"] = [[g.name, g.min_length, g.max_length, g.count_rule] for g in comp.genres]
    snap["groups"] = [g.name for g in comp.groups]
    snap["minor_groups"] = [g.name for g in comp.groups if g.minors]
    snap["status"] = comp.status
    snap["entry_fields"] = [_field_summary(d) for d in comp.entry_fields or []]
    return snap


def _field_summary(defn: dict) -> str:
    """An entry field in one line of the audit trail: "指导教师 people required private"."""
    flags = [defn["type"], "required" if defn.get("required") else "optional"]
    flags.append("judge-visible" if defn.get("judge_visible") else "private")
    if defn.get("teacher"):
        flags.append("teacher")
    return f"{defn['label']} ({', '.join(flags)})"


def _check_competition_fields(fields: dict) -> None:
    opens, closes = fields.get("opens_at"), fields.get("closes_at")
    if opens and closes and closes <= opens:
        raise UserError(N_("The closing time must be later than the opening time."))
    formats = fields.get("accepted_formats")
    if formats is not None:
        if not formats or any(f not in FORMATS for f in formats):
            raise UserError(N_("Choose at least one accepted format."))
    review, copy = fields.get("review_threshold"), fields.get("copy_threshold")
    if review is not None and copy is not None and not 0 < review <= copy <= 1:
        raise UserError(N_("Similarity thresholds must satisfy 0 < review ≤ presumed copy ≤ 1."))


def _apply_genres(comp: Competition, genres: list[dict]) -> None:
    if not genres:
        raise UserError(N_("A competition needs at least one genre."))
    names = [g["name"].strip() for g in genres]
    if len(set(names)) != len(names):
        raise UserError(N_("Genre names must be different."))
    existing = {g.id: g for g in comp.genres}
    keep = []
    for position, data in enumerate(genres):
        lo, hi = data.get("min_length"), data.get("max_length")
        if lo is not None and hi is not None and lo > hi:
            raise UserError(N_("Genre %(name)s: the minimum length is larger than the maximum."), name=data["name"])
        if data.get("count_rule", "word") not in wordcount.RULES:
            raise UserError(N_("Unknown counting rule."))
        genre = existing.pop(data.get("id"), None) if data.get("id") else None
        if genre is None:
            genre = Genre()
            comp.genres.append(genre)
        genre.name, genre.min_length, genre.max_length = data["name"].strip(), lo, hi
        genre.count_rule, genre.position = data.get("count_rule", "word"), position
        keep.append(genre)
    for genre in existing.values():
        if genre.id and _has_entries(Submission.genre_id, genre.id):
            raise UserError(N_("The genre %(name)s already has entries and cannot be removed."), name=genre.name)
        comp.genres.remove(genre)


def _apply_groups(comp: Competition, groups: list[dict]) -> None:
    names = [g["name"].strip() for g in groups]
    if len(set(names)) != len(names):
        raise UserError(N_("Group names must be different."))
    existing = {g.id: g for g in comp.groups}
    for position, data in enumerate(groups):
        group = existing.pop(data.get("id"), None) if data.get("id") else None
        if group is None:
            group = Group()
            comp.groups.append(group)
        group.name, group.position = data["name"].strip(), position
        group.minors = bool(data.get("minors"))
    for group in existing.values():
        if group.id and _has_entries(Submission.group_id, group.id):
            raise UserError(N_("The group %(name)s already has entries and cannot be removed."), name=group.name)
        comp.groups.remove(group)


def _has_entries(column, value) -> bool:
    return db.session.scalar(select(Submission.id).where(column == value).limit(1)) is not None


def _with_entry_fields(fields: dict, comp: Competition | None = None) -> dict:
    """The organiser's entry-field rows as checked definitions (keys of kept fields unchanged)."""
    if fields.get("entry_fields") is not None:
        existing = (comp.entry_fields or []) if comp is not None else []
        fields["entry_fields"] = entry_field_rules.normalise_definitions(fields["entry_fields"], existing)
        kept = {d["key"] for d in fields["entry_fields"]}
        removed = [d for d in existing if d["key"] not in kept]
        if removed:
            filled = _filled_field_keys(comp)
            for defn in removed:
                if defn["key"] in filled:
                    raise UserError(
                        N_("The entry field %(label)s already has values in entries and cannot be removed."),
                        label=defn["label"],
                    )
    return fields


def _filled_field_keys(comp: Competition) -> set[str]:
    """The entry-field keys some entry of the competition (drafts included) has a value for."""
    keys: set[str] = set()
    for values in db.session.scalars(select(Submission.field_values).where(Submission.competition_id == comp.id)):
        keys |= {k for k, v in (values or {}).items() if v not in (None, "", [])}
    return keys


def create_competition(*, actor, genres: list[dict], groups: list[dict] | None = None, **fields) -> Competition:
    fields = _with_entry_fields(fields)
    fields["code"] = (fields.get("code") or "").strip().upper()
    if db.session.scalar(select(Competition.id).where(Competition.code == fields["code"])):
        raise UserError(N_("The code %(code)s is already used by another competition."), code=fields["code"])
    _check_competition_fields(fields)
    fields = _with_rendered_notice({"notice_source": "", **fields} if "notice_html" not in fields else fields)
    comp = Competition(
        status=CompetitionStatus.DRAFT,
        created_by_id=getattr(actor, "id", None),
        **{k: v for k, v in fields.items() if k in COMPETITION_FIELDS},
    )
    db.session.add(comp)
    _apply_genres(comp, genres)
    _apply_groups(comp, groups or [])
    db.session.flush()
    db.session.add(SubmissionCounter(competition_id=comp.id, last_serial=0))
    db.session.flush()
    audit.record(
        "competition.create", comp, actor=actor, changes={k: [None, v] for k, v in _competition_snapshot(comp).items()}
    )
    # A 承办/协办 account keeps access to what it created.
    access.list_creator(access.COMPETITION, comp.id, actor, label=comp.title)
    return comp


def update_competition(
    comp: Competition, *, actor, genres: list[dict] | None = None, groups: list[dict] | None = None, **fields
) -> Competition:
    if comp.status not in EDITABLE_STATES:
        raise UserError(N_("A competition in judging or later can no longer be changed."))
    before = _competition_snapshot(comp)
    fields = _with_entry_fields(fields, comp)
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
        if fields["code"] != comp.code and _has_entries(Submission.competition_id, comp.id):
            raise UserError(N_("The code cannot change once entries have receipt numbers."))
        clash = db.session.scalar(
            select(Competition.id).where(Competition.code == fields["code"], Competition.id != comp.id)
        )
        if clash:
            raise UserError(N_("The code %(code)s is already used by another competition."), code=fields["code"])
    merged = {**{k: getattr(comp, k) for k in COMPETITION_FIELDS}, **fields}
    _check_competition_fields(merged)
    fields = _with_rendered_notice(fields, comp)
    for key, value in fields.items():
        if key in COMPETITION_FIELDS:
            setattr(comp, key, value)
    if genres is not None:
        _apply_genres(comp, genres)
    if groups is not None:
        _apply_groups(comp, groups)
    db.session.flush()
    audit.record_changes("competition.update", comp, before, _competition_snapshot(comp), actor=actor)
    return comp


def change_status(comp: Competition, new_status: CompetitionStatus | str, *, actor) -> None:
    try:
        new_status = CompetitionStatus(new_status)
    except ValueError:
        raise UserError(N_("Unknown status.")) from None
    if new_status not in TRANSITIONS[comp.status]:
        raise UserError(
            N_("A competition cannot move from %(old)s to %(new)s."), old=comp.status.value, new=new_status.value
        )
    if new_status == CompetitionStatus.OPEN and not comp.genres:
        raise UserError(N_("A competition needs at least one genre."))
    old = comp.status
    comp.status = new_status
    audit.record("competition.status", comp, actor=actor, changes={"status": [old, new_status]})


def visible_competitions_for_authors() -> list[Competition]:
    return list(
        db.session.scalars(
            select(Competition).where(Competition.status == CompetitionStatus.OPEN).order_by(Competition.closes_at)
        )
    )


def submission_refusal(comp: Competition, now: dt.datetime, *, author=None, recommending_unit=None) -> UserError | None:
    """Why a new entry would be refused right now (closed call, entry limit, unit quota), or None.

    The submit pages say it before the form, so nobody writes an entry only to be
    refused; ``submit_entry`` still checks the same rules when the entry arrives.
    """
    if comp.status != CompetitionStatus.OPEN or now < comp.opens_at:
        return UserError(N_("This competition is not accepting entries."))
    if now > comp.deadline:
        return UserError(
            N_("The deadline (%(deadline)s) has passed; this competition no longer accepts entries."),
            deadline=format_dt(comp.deadline),
        )
    limit = comp.max_entries_per_author or 0
    if (
        author is not None
        and limit
        and count_active(Submission.competition_id == comp.id, Submission.author_id == author.id) >= limit
    ):
        return UserError(N_("You have reached the limit of %(limit)s entries for this competition."), limit=limit)
    if recommending_unit is not None:
        return unit_quota_refusal(comp.id, recommending_unit.id, comp.unit_quota)
    return None

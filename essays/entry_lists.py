"""Lists of entries as the pages and downloads show them: filters, counts, the export.

Read-only queries; the only write is the audit entry of an export.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from accounts import activity_access as access
from accounts.models import Unit
from core import audit, exports
from core.extensions import db
from core.i18n import format_dt
from core.queries import count_by
from essays.entry_fields import display_value
from essays.models import (
    ACTIVE_STATUSES,
    Competition,
    Format,
    SimilarityFlag,
    Submission,
    SubmissionStatus,
)

PER_PAGE = 50


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def filtered_entries(comp: Competition, args):
    """The organiser's entry list of a competition, filtered by the page's query arguments."""
    stmt = select(Submission).where(Submission.competition_id == comp.id, Submission.status != SubmissionStatus.DRAFT)
    if args.get("genre", type=int):
        stmt = stmt.where(Submission.genre_id == args.get("genre", type=int))
    if args.get("group", type=int):
        stmt = stmt.where(Submission.group_id == args.get("group", type=int))
    if args.get("unit", type=int):
        unit_id = args.get("unit", type=int)
        stmt = stmt.where((Submission.unit_id == unit_id) | (Submission.recommending_unit_id == unit_id))
    if args.get("status") in {s.value for s in SubmissionStatus}:
        stmt = stmt.where(Submission.status == args["status"])
    flag = args.get("flag")
    if flag == "identity":
        stmt = stmt.where(Submission.identity_flagged.is_(True))
    elif flag == "similar":
        flagged = (
            select(SimilarityFlag.submission_id)
            .where(SimilarityFlag.competition_id == comp.id)
            .union(select(SimilarityFlag.other_id).where(SimilarityFlag.competition_id == comp.id))
        )
        stmt = stmt.where(Submission.id.in_(flagged))
    return stmt.order_by(Submission.serial)


def entries_page(comp: Competition, args):
    """One page of ``filtered_entries`` (``db.paginate``; ``page`` in ``args``)."""
    return db.paginate(filtered_entries(comp, args), per_page=PER_PAGE, error_out=False)


def entries_by_ids(comp: Competition, ids: list[int]) -> list[Submission]:
    """The competition's entries among ``ids`` (others' ids are ignored)."""
    return list(
        db.session.scalars(select(Submission).where(Submission.competition_id == comp.id, Submission.id.in_(ids)))
    )


def competition_overview(comp: Competition) -> dict:
    """What the organiser's entry list shows beside the entries: counts, flags, units to filter by."""
    counts = count_by(Submission.status, Submission.competition_id == comp.id)
    unresolved = (SimilarityFlag.competition_id == comp.id, SimilarityFlag.resolved.is_(False))
    similar_ids = set()
    for a, b in db.session.execute(select(SimilarityFlag.submission_id, SimilarityFlag.other_id).where(*unresolved)):
        similar_ids |= {a, b}
    units = db.session.scalars(
        select(Unit)
        .where(
            Unit.id.in_(
                select(Submission.unit_id)
                .where(Submission.competition_id == comp.id)
                .union(select(Submission.recommending_unit_id).where(Submission.competition_id == comp.id))
            )
        )
        .order_by(Unit.name)
    ).all()
    flag_count = _count(select(func.count(SimilarityFlag.id)).where(*unresolved))
    return {"counts": counts, "similar_ids": similar_ids, "units": units, "flag_count": flag_count}


def similarity_flags_page(comp: Competition, args):
    stmt = (
        select(SimilarityFlag)
        .where(SimilarityFlag.competition_id == comp.id)
        .order_by(SimilarityFlag.resolved, SimilarityFlag.containment.desc(), SimilarityFlag.id)
    )
    return db.paginate(stmt, per_page=PER_PAGE, error_out=False)


def flags_of_entry(entry: Submission) -> list[SimilarityFlag]:
    return list(
        db.session.scalars(
            select(SimilarityFlag).where(
                (SimilarityFlag.submission_id == entry.id) | (SimilarityFlag.other_id == entry.id)
            )
        )
    )


def competitions_page(args, user):
    """The competitions the signed-in organiser may manage, newest first, with their active entry counts."""
    stmt = access.limit_to_organised(select(Competition), Competition.id, access.COMPETITION, user)
    page = db.paginate(stmt.order_by(Competition.id.desc()), per_page=PER_PAGE, error_out=False)
    counts = count_by(
        Submission.competition_id,
        Submission.status.in_(ACTIVE_STATUSES),
        Submission.competition_id.in_([c.id for c in page.items]),
    )
    return page, counts


def own_entries_page(author):
    stmt = select(Submission).where(Submission.author_id == author.id).order_by(Submission.id.desc())
    return db.paginate(stmt, per_page=PER_PAGE, error_out=False)


def unit_entries_page(unit):
    """The entries a unit recommended (drafts aside), and what each open call's quota has used."""
    stmt = (
        select(Submission)
        .where(Submission.recommending_unit_id == unit.id, Submission.status != SubmissionStatus.DRAFT)
        .order_by(Submission.id.desc())
    )
    return db.paginate(stmt, per_page=PER_PAGE, error_out=False)


def unit_quota_used(unit, competitions: list[Competition]) -> dict[int, int]:
    """Active entries the unit recommended, per competition (0 for none)."""
    used = {c.id: 0 for c in competitions}
    if unit is None or not used:
        return used
    used.update(
        count_by(
            Submission.competition_id,
            Submission.recommending_unit_id == unit.id,
            Submission.competition_id.in_(list(used)),
            Submission.status.in_(ACTIVE_STATUSES),
        )
    )
    return used


# Export ------------------------------------------------------------------------


def _export_table(comp: Competition, args, counter: dict) -> exports.Table:
    """The entry list; rows come straight from the database cursor (counted in ``counter``)."""
    columns = [
        exports.Column(_("Receipt number"), 14),
        exports.Column(_("Anonymous code"), 10),
        exports.Column(_("Title"), 30),
        exports.Column(_("Genre"), 10),
        exports.Column(_("Group"), 10),
        exports.Column(_("Author"), 10),
        exports.Column(_("Unit"), 20),
        exports.Column(_("Recommending unit"), 20),
        exports.Column(_("Contact phone"), 14),
        exports.Column(_("E-mail"), 22),
        exports.Column(_("Words"), 8),
        exports.Column(_("Chinese character count"), 8),
        exports.Column(_("Manuscript format"), 12),
        exports.Column(_("Status"), 12),
        exports.Column(_("Reason for disqualification"), 24),
        exports.Column(_("Identity flag"), 8),
        exports.Column(_("Submitted at"), 20),
    ]
    # The activity's own entry fields, private ones included: this export is the organiser's.
    defs = list(comp.entry_fields or [])
    columns += [exports.Column(d["label"], 24 if d["type"] in ("long_text", "people") else 12) for d in defs]
    formats = {f.value: f.label for f in Format}
    statuses = {s: s.label for s in SubmissionStatus}
    yes = _("Yes")

    def rows():
        stmt = filtered_entries(comp, args).execution_options(yield_per=500)
        for e in db.session.scalars(stmt):
            counter["rows"] += 1
            yield [
                e.receipt_number or "",
                e.anonymous_code or "",
                e.title,
                e.genre.name if e.genre else "",
                e.group.name if e.group else "",
                e.author.display_name,
                e.unit.name if e.unit else (e.author.workplace or ""),
                e.recommending_unit.name if e.recommending_unit else "",
                e.author.phone or "",
                e.author.email or "",
                e.word_count,
                e.han_count,
                formats[e.source_format],
                statuses[e.status],
                e.disqualify_reason or "",
                yes if e.identity_flagged else "",
                format_dt(e.submitted_at, with_seconds=True),
                *(display_value(d, (e.field_values or {}).get(d["key"])) for d in defs),
            ]

    return exports.Table(columns, rows(), sheet=_("Entry list"))


def export_entries(comp: Competition, args, fmt: str, *, actor):
    """The filtered entry list as a .csv/.xlsx download, audited with its row count."""
    counter = {"rows": 0}
    response = exports.send_table(_export_table(comp, args, counter), fmt, f"{comp.code}-稿件清单.{fmt}")
    audit.record(
        "essay.export",
        comp,
        actor=actor,
        changes={"format": [None, fmt], "rows": [None, counter["rows"]]},
    )
    return response

"""Offline judging: the double-entry import of paper score sheets (双人录入).

Two clerks key in the returned sheets independently; each file is stored on
a ``KeyinBatch`` and nothing reaches ``Score`` until both files agree cell by
cell and every row passes the rubric and assignment checks. Applying writes
the scores as submitted, through the same rules and audit as a judge's own
submission. Verb_noun functions flush and audit; the route commits.
"""

from __future__ import annotations

import hashlib

from flask_babel import gettext
from sqlalchemy import select

from accounts.models import User
from core import audit, exports
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.storage import read_file, store_bytes
from essays.models import Submission
from judging import keyin
from judging.judge_services import can_score_now, check_values, write_score
from judging.models import Assignment, AssignmentStatus, KeyinBatch, KeyinState, Round, RoundJudge, RoundState
from judging.round_services import require_unlocked

ENTRIES = ("first", "second")
REPORT_LIMIT = 1000  # rows of disagreements/errors kept for the page; the counts are exact


def round_context(round_: Round) -> keyin.RoundContext:
    """The round as plain data for ``judging.keyin``: rubric, codes, judges and assignments."""
    criteria = [keyin.CriterionSpec(str(c.id), c.name, float(c.maximum), float(c.step)) for c in round_.criteria]
    rows = db.session.execute(
        select(Assignment.id, Assignment.judge_id, Assignment.status, Submission.anonymous_code)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(Assignment.round_id == round_.id)
    ).all()
    slots, recused, codes = {}, set(), set()
    for assignment_id, judge_id, status, code in rows:
        key = (keyin.normalise_code(code), judge_id)
        codes.add(key[0])
        if status == AssignmentStatus.RECUSED:
            recused.add(key)
        else:
            slots[key] = assignment_id
    members = db.session.execute(
        select(User.id, User.username, User.display_name, RoundJudge.pledge_accepted_at)
        .join(RoundJudge, RoundJudge.user_id == User.id)
        .where(RoundJudge.round_id == round_.id)
    ).all()
    judges: dict[str, set[int]] = {}
    labels = {}
    for uid, username, display_name, _pledged in members:
        labels[uid] = f"{display_name}（{username}）"
        for name in (username, display_name):
            if name:
                judges.setdefault(keyin.normalise_name(name), set()).add(uid)
    # A username is unique: when it is typed, it wins over someone else's display name.
    for uid, username, _display, _pledged in members:
        judges[keyin.normalise_name(username)] = {uid}
    return keyin.RoundContext(
        criteria=criteria,
        codes=frozenset(codes),
        judges={k: frozenset(v) for k, v in judges.items()},
        judge_labels=labels,
        slots=slots,
        recused=frozenset(recused - set(slots)),
        unpledged=frozenset(uid for uid, _u, _d, pledged in members if pledged is None),
    )


def template_tables(round_: Round) -> list[exports.Table]:
    """An empty entry sheet: 匿名编号, 评委, one column per criterion, 评语; the rubric on a second sheet.

    The entry headers stay fixed Chinese words whatever the interface language: ``judging.keyin`` reads
    the returned sheets by them.
    """
    specs = [keyin.CriterionSpec(str(c.id), c.name, c.maximum, c.step) for c in round_.criteria]
    header = keyin.template_header(specs)
    entry = exports.Table([exports.Column(header[0], 14), exports.Column(header[1], 16)] + header[2:], [], sheet="录入")
    rubric = exports.Table(
        [gettext("Criterion"), gettext("Full marks"), gettext("Step"), gettext("Weight")],
        [[c.name, c.maximum, c.step, c.weight] for c in round_.criteria],
        sheet=gettext("Scoring rubric"),
        freeze_header=False,
    )
    return [entry, rubric]


def current_batch(round_: Round) -> KeyinBatch | None:
    return db.session.scalar(
        select(KeyinBatch)
        .where(
            KeyinBatch.round_id == round_.id,
            KeyinBatch.state.in_([KeyinState.WAITING, KeyinState.MISMATCH, KeyinState.READY]),
        )
        .order_by(KeyinBatch.id.desc())
        .limit(1)
    )


def past_batches(round_: Round) -> list[KeyinBatch]:
    return list(
        db.session.scalars(
            select(KeyinBatch)
            .where(KeyinBatch.round_id == round_.id, KeyinBatch.state.in_([KeyinState.APPLIED, KeyinState.DISCARDED]))
            .order_by(KeyinBatch.id.desc())
        )
    )


def _require_scoring(round_: Round) -> None:
    require_unlocked(round_)
    if not can_score_now(round_):
        raise UserError(N_("Judging is closed for this round."))
    if not round_.criteria:
        raise UserError(N_("Set up the rubric before opening the round."))


def upload_entry(round_: Round, which: str, data: bytes, filename: str, *, actor) -> KeyinBatch:
    """Store the first or second keyed-in file (replacing an earlier one) and compare if both are in."""
    if which not in ENTRIES:
        raise ValueError(which)
    _require_scoring(round_)
    rows = keyin.read_rows(data, filename)  # an unreadable file is refused before anything is stored
    keyin.match_columns(list(rows[0].cells) if rows else [], round_context(round_).criteria)
    batch = current_batch(round_)
    if batch is None:
        batch = KeyinBatch(
            round_id=round_.id, state=KeyinState.WAITING, report={}, created_by_id=getattr(actor, "id", None)
        )
        db.session.add(batch)
        db.session.flush()
    other = batch.second_file if which == "first" else batch.first_file
    if other is not None and other.sha256 == hashlib.sha256(data).hexdigest():
        raise UserError(N_("This is the same file as the other entry; the two entries must be keyed in separately."))
    suffix = ".xlsx" if (filename or "").lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04" else ".csv"
    record = store_bytes(
        data,
        content_type=exports.XLSX_MIMETYPE if suffix == ".xlsx" else exports.CSV_MIMETYPE,
        original_name=filename or f"{which}{suffix}",
        suffix=suffix,
        created_by=actor,
    )
    db.session.flush()
    setattr(batch, f"{which}_file_id", record.id)
    setattr(batch, f"{which}_file", record)
    setattr(batch, f"{which}_by_id", getattr(actor, "id", None))
    setattr(batch, f"{which}_at", utcnow())
    comparison = None
    if batch.first_file is not None and batch.second_file is not None:
        comparison = _compare(
            round_,
            read_file(batch.first_file),
            batch.first_file.original_name,
            read_file(batch.second_file),
            batch.second_file.original_name,
        )
        _record(batch, comparison)
    else:
        batch.state = KeyinState.WAITING
        batch.report = {"rows_" + which: len(rows)}
    db.session.flush()
    audit.record(
        "judging.keyin_upload",
        round_,
        actor=actor,
        changes={"batch_id": batch.id, "entry": which, "rows": len(rows), "file_id": record.id, "state": batch.state},
    )
    return batch


def _compare(round_: Round, first: bytes, first_name: str, second: bytes, second_name: str) -> keyin.Comparison:
    ctx = round_context(round_)
    return keyin.check_double_entry(keyin.read_rows(first, first_name), keyin.read_rows(second, second_name), ctx)


def _record(batch: KeyinBatch, comparison: keyin.Comparison) -> None:
    batch.state = KeyinState.READY if comparison.ok else KeyinState.MISMATCH
    batch.report = {
        "agreed": len(comparison.agreed),
        "n_disagreements": len(comparison.disagreements),
        "n_errors": len(comparison.errors),
        "disagreements": [
            {
                "code": d.code,
                "judge": d.judge_label,
                "criterion": d.criterion,
                "criterion_name": d.criterion_name,
                "first": d.first,
                "second": d.second,
            }
            for d in comparison.disagreements[:REPORT_LIMIT]
        ],
        "errors": [
            {"source": e.source, "line": e.line, "message": e.message, "params": e.params}
            for e in comparison.errors[:REPORT_LIMIT]
        ],
    }


def recheck(batch: KeyinBatch) -> keyin.Comparison:
    """Compare the stored files again against the round as it is now."""
    if batch.first_file is None or batch.second_file is None:
        raise UserError(N_("Upload both the first and the second entry first."))
    comparison = _compare(
        batch.round,
        read_file(batch.first_file),
        batch.first_file.original_name,
        read_file(batch.second_file),
        batch.second_file.original_name,
    )
    _record(batch, comparison)
    db.session.flush()
    return comparison


def refresh_report(batch_id: int) -> None:
    """After an apply was refused: compare the batch's files again so the page shows a fresh report.

    Runs in a new transaction (the refused one was rolled back); a comparison
    that cannot run leaves the stored report as it was.
    """
    batch = db.session.get(KeyinBatch, batch_id)
    if batch is None or not (batch.first_file_id and batch.second_file_id):
        return
    try:
        with db.session.begin_nested():
            recheck(batch)
    except UserError:
        pass  # nothing to refresh: the page shows the stored report and the refusal


def apply_batch(batch: KeyinBatch, *, actor) -> int:
    """Write the agreed scores as submitted. Returns how many scores were stored."""
    round_ = batch.round
    _require_scoring(round_)
    if batch.state in (KeyinState.APPLIED, KeyinState.DISCARDED):
        raise UserError(N_("This import is already closed."))
    comparison = recheck(batch)  # assignments may have changed since the upload
    if comparison.errors:
        raise UserError(N_("Some keyed-in rows have problems; correct them and upload again."))
    if not comparison.ok:
        raise UserError(N_("The two entries do not agree yet; correct them and upload again."))
    stored = 0
    for row in comparison.agreed:
        item = db.session.get(Assignment, row.assignment_id)
        if item is None or item.round_id != round_.id or item.status == AssignmentStatus.RECUSED:
            raise UserError(N_("%(code)s is no longer assigned to that judge."), code=row.code)
        clean, total = check_values(round_.criteria, row.values, complete=True)
        write_score(
            item,
            clean,
            total,
            comment=row.comment,
            submit=True,
            actor=actor,
            via={"via": "keyin", "batch_id": batch.id, "judge_id": item.judge_id},
        )
        stored += 1
    batch.state = KeyinState.APPLIED
    batch.applied_by_id = getattr(actor, "id", None)
    batch.applied_at = utcnow()
    db.session.flush()
    audit.record("judging.keyin_apply", round_, actor=actor, changes={"batch_id": batch.id, "scores": stored})
    return stored


def discard_batch(batch: KeyinBatch, *, actor) -> None:
    require_unlocked(batch.round)
    if batch.state in (KeyinState.APPLIED, KeyinState.DISCARDED):
        raise UserError(N_("This import is already closed."))
    batch.state = KeyinState.DISCARDED
    db.session.flush()
    audit.record("judging.keyin_discard", batch.round, actor=actor, changes={"batch_id": batch.id})


def batch_in_round(round_: Round, batch_id: int) -> KeyinBatch | None:
    batch = db.session.get(KeyinBatch, batch_id)
    return batch if batch is not None and batch.round_id == round_.id else None


__all__ = [
    "RoundState",
    "apply_batch",
    "current_batch",
    "discard_batch",
    "round_context",
    "template_tables",
    "upload_entry",
]

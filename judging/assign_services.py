"""Assigning judges to a round's entries in bulk (``judging.assign`` does the math)."""

from __future__ import annotations

import random
from itertools import repeat

import numpy as np
from sqlalchemy import select, text

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from judging import assign as assign_mod
from judging.models import Assignment, AssignmentRole, AssignmentStatus, Conflict, Round, RoundJudge, RoundState
from judging.pool_services import entry_units, pool_entry_units, pool_members
from judging.round_services import freeze_round_entries, require_unlocked


def build_problem(round_: Round, entry_ids: list[int] | None = None) -> assign_mod.AssignmentProblem:
    """The assignment problem of the round as it stands in the database."""
    if entry_ids is None:
        units = pool_entry_units(round_)
        entry_ids = sorted(units)
    else:
        units = entry_units(entry_ids)
    members = db.session.execute(
        select(RoundJudge.user_id, RoundJudge.capacity, RoundJudge.active, User.unit_id)
        .join(User, User.id == RoundJudge.user_id)
        .where(RoundJudge.round_id == round_.id)
    ).all()
    judges = [
        assign_mod.Judge(id=uid, unit_id=unit, capacity=(cap if active else 0)) for uid, cap, active, unit in members
    ]
    judge_ids = {j.id for j in judges}
    existing: set[tuple[int, int]] = set()
    conflicts: set[tuple[int, int]] = set()
    entry_set = set(entry_ids)
    for judge_id, sid, status, role in db.session.connection().execute(
        select(Assignment.judge_id, Assignment.submission_id, Assignment.status, Assignment.role).where(
            Assignment.round_id == round_.id
        )
    ):
        if sid not in entry_set:
            continue
        if status == AssignmentStatus.RECUSED:
            conflicts.add((judge_id, sid))
        elif role == AssignmentRole.REGULAR and judge_id in judge_ids:
            existing.add((judge_id, sid))
        else:
            conflicts.add((judge_id, sid))  # a third judge or arbiter is not a regular again
    for judge_id, sid in db.session.execute(
        select(Conflict.judge_id, Conflict.submission_id).where(Conflict.round_id == round_.id)
    ):
        conflicts.add((judge_id, sid))
    entries = [assign_mod.Entry(id=sid, unit_ids=units.get(sid, frozenset())) for sid in entry_ids]
    return assign_mod.AssignmentProblem(
        entries=entries, judges=judges, k=round_.k, conflicts=conflicts, existing=existing, seed=round_.seed
    )


def assign_judges(round_: Round, *, actor) -> assign_mod.AssignmentResult:
    """Give every entry of the pool k judges (keeping existing assignments)."""
    require_unlocked(round_)
    if round_.state == RoundState.CLOSED:
        raise UserError(N_("The round is closed."))
    if not pool_members(round_):
        raise UserError(N_("Add judges to the round before assigning."))
    problem = build_problem(round_)
    if not problem.entries:
        raise UserError(N_("No entries are in this round's pool."))
    result = assign_mod.assign(problem)
    store_assignments(round_, result.new)
    freeze_round_entries(round_, actor=actor, entry_ids=[entry_id for _, entry_id in result.new])
    audit.record(
        "judging.assign",
        round_,
        actor=actor,
        changes={
            "entries": len(problem.entries),
            "judges": len(problem.judges),
            "k": round_.k,
            "new": len(result.new),
            "unfilled": len(result.unfilled),
            "seed": round_.seed,
        },
    )
    return result


def store_assignments(
    round_: Round, pairs: list[tuple[int, int]], role: AssignmentRole = AssignmentRole.REGULAR
) -> None:
    """Bulk insert (judge_id, entry_id) pairs, each with a random queue key.

    Judges never see assignment ids (their pages use anonymous codes) and the
    queue is ordered by ``shuffle_key``, so rows go in sorted, which keeps the
    unique index appends cheap. Rows are built column-wise: the keys come from
    numpy (``shuffle_keys``) and the timestamp is converted once.
    """
    if not pairs:
        return
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]  # sorted by (judge, entry)
    keys = shuffle_keys(round_.seed * 7919 + len(pairs), len(arr))
    dialect = db.session.get_bind().dialect
    now = Assignment.__table__.c.created_at.type.bind_processor(dialect)
    stamp = now(utcnow()) if now else utcnow()
    if dialect.name == "sqlite":
        stamp = str(stamp)  # what sqlite3's datetime adapter would write, once instead of per row
    n = len(arr)
    rows = list(
        zip(
            repeat(round_.id, n),
            arr[:, 0].tolist(),
            arr[:, 1].tolist(),
            repeat(str(role), n),
            repeat(str(AssignmentStatus.ASSIGNED), n),
            keys.tolist(),
            repeat(stamp, n),
        )
    )
    bulk_insert(
        "judging_assignments",
        ("round_id", "judge_id", "submission_id", "role", "status", "shuffle_key", "created_at"),
        rows,
    )


def shuffle_keys(seed: int, n: int) -> np.ndarray:
    """``[random.Random(seed).randrange(2**31) for _ in range(n)]``, drawn in bulk.

    numpy's MT19937 continues from Python's Mersenne Twister state, and randrange(2**31)
    takes 32-bit outputs below 2**31 (rejection sampling), so the keys, and with them
    every judge's queue order for a given round seed, are exactly the ones Python draws.
    """
    version, state, _gauss = random.Random(seed).getstate()
    bits = np.random.MT19937()
    bits.state = {
        "bit_generator": "MT19937",
        "state": {"key": np.array(state[:624], dtype=np.uint32), "pos": state[624]},
    }
    keys = np.empty(0, dtype=np.uint64)
    while len(keys) < n:
        raw = bits.random_raw(2 * (n - len(keys)) + 64)
        keys = np.concatenate((keys, raw[raw < 2**31]))
    return keys[:n].astype(np.int64)


def bulk_insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert driver-ready tuples below SQLAlchemy's per-row type processing, in the session's transaction.

    PostgreSQL gets a COPY. Measured on 30,000 assignment rows (PG 15, 2026-12-01,
    three runs): the three foreign-key checks (round, judge, entry), which PostgreSQL
    runs row by row as constraint triggers, are 57-73 % of the COPY (1.2-1.7 s with
    them, 0.44-0.60 s without, on a loaded machine). They stay: they are what keeps
    an assignment from outliving its judge or round, and the benchmark's anchor
    pays them too. Other databases get a driver-level executemany.
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if mark is None:  # pragma: no cover - no supported driver uses a named paramstyle
        db.session.execute(
            text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + c for c in columns)})"),
            [dict(zip(columns, row)) for row in rows],
        )
        return
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * len(columns))})", rows)


def unfilled_messages(result: assign_mod.AssignmentResult, codes: dict[int, str]) -> list[tuple[str, str]]:
    """(anonymous code, reason) for entries short of judges, reasons untranslated."""
    out = []
    for entry_id, short in sorted(result.unfilled.items()):
        reasons = [assign_mod.REASON_MESSAGES[r] for r in short.reasons] or [
            assign_mod.REASON_MESSAGES[assign_mod.CAPACITY]
        ]
        out.append((codes.get(entry_id, str(entry_id)), reasons[0]))
    return out

"""Shared set-up for the judging benchmarks: a throwaway app and bulk-inserted data.

Uses SQLite in a temporary folder unless BENCH_DATABASE_URL is set (that
database is wiped: give a throwaway one).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import tempfile
import uuid


def make_app():
    tmp = tempfile.mkdtemp(prefix="zp-bench-")
    os.environ.setdefault("ZP_INSTANCE_PATH", tmp)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
    os.environ["DATABASE_URL"] = url
    from core import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "STORAGE_PATH": os.path.join(tmp, "storage"),
            "JOBS_IMMEDIATE": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        fresh_schema()
    return app


def fresh_schema() -> None:
    """Migrate an empty schema (on PostgreSQL the throwaway database is wiped first)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from core import PROJECT_ROOT
    from core.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(directory=str(PROJECT_ROOT / "migrations"))


def populate(n_entries: int, n_judges: int, n_units: int, k: int, seed: int = 1, *, password_hash: str = "x"):
    """Units, judges (in the pool), a competition with qualified entries and a round. Returns the round."""
    from sqlalchemy import insert, select

    from accounts.models import Role, Unit, User, UserRole
    from core.extensions import db
    from essays.models import Competition, CompetitionStatus, Genre, Submission, SubmissionStatus
    from judging import round_services
    from judging.models import RoundJudge

    rnd = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc)
    tag = rnd.randrange(10**6)
    db.session.execute(
        insert(Unit),
        [{"name": f"单位{tag}-{u}", "kind": "bureau", "active": True, "created_at": now} for u in range(n_units)],
    )
    unit_ids = db.session.scalars(select(Unit.id).where(Unit.name.like(f"单位{tag}-%"))).all()
    db.session.execute(
        insert(User),
        [
            {
                "username": f"j{tag}-{j}",
                "display_name": f"评委{j}",
                "unit_id": unit_ids[j % n_units],
                "password_hash": password_hash,
                "active": True,
                "created_at": now,
            }
            for j in range(n_judges)
        ],
    )
    judge_ids = db.session.scalars(select(User.id).where(User.username.like(f"j{tag}-%"))).all()
    db.session.execute(insert(UserRole), [{"user_id": j, "role": Role.JUDGE} for j in judge_ids])
    db.session.execute(
        insert(User),
        [{"username": f"a{tag}", "display_name": "作者", "password_hash": "x", "active": True, "created_at": now}],
    )
    author_id = db.session.scalar(select(User.id).where(User.username == f"a{tag}"))
    comp = Competition(code=f"B{tag}", title="基准", status=CompetitionStatus.JUDGING, opens_at=now, closes_at=now)
    comp.genres.append(Genre(name="散文"))
    db.session.add(comp)
    db.session.flush()
    genre_id = comp.genres[0].id
    rows = []
    for i in range(n_entries):
        rec = unit_ids[rnd.randrange(n_units)] if rnd.random() < 0.01 else None
        rows.append(
            {
                "competition_id": comp.id,
                "genre_id": genre_id,
                "author_id": author_id,
                "unit_id": unit_ids[rnd.randrange(n_units)],
                "recommending_unit_id": rec,
                "title": f"t{i}",
                "body_text": "正文",
                "judge_text": "正文",
                "judge_title": f"t{i}",
                "word_count": 2,
                "han_count": 2,
                "anonymous_code": f"C{i:06d}",
                "serial": i + 1,
                "receipt_number": f"B{tag}-{i:06d}",
                "status": SubmissionStatus.QUALIFIED,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Submission), rows)
    round_ = round_services.create_round(comp, actor=None, name="初评", k=k, seed=seed)
    round_services.set_criteria(round_, [round_services.CriterionInput(f"项{c}", 20) for c in range(5)], actor=None)
    db.session.execute(
        insert(RoundJudge),
        [
            {
                "round_id": round_.id,
                "user_id": j,
                "active": True,
                "pledge_accepted_at": now,
                "declared_conflicts": "",
                "added_at": now,
            }
            for j in judge_ids
        ],
    )
    db.session.commit()
    return round_


# HTTP helpers for the benchmarks that drive gunicorn over 127.0.0.1 ------------------------------
def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    return m.group(1) if m else ""


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (name, data, ctype) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"

"""Aggregation of a round (fetch, aggregate, rank, store results) against fetching the score rows.

Run from the repo root: ``python -m bench.aggregation``. Prints BENCH lines.
"""

from __future__ import annotations

import random
import time

from bench._setup import make_app, populate


def _fill_scores(round_, n_judges: int, k: int, seed: int = 7) -> None:
    """k submitted scores per entry, bulk inserted at the driver level."""
    from sqlalchemy import select

    from core.db import UTCDateTime, utcnow
    from core.extensions import db
    from essays.models import Submission
    from judging import assign_services
    from judging.models import Assignment, RoundJudge

    rnd = random.Random(seed)
    judges = db.session.scalars(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id)).all()
    entries = db.session.scalars(select(Submission.id).where(Submission.competition_id == round_.competition_id)).all()
    assign_services.store_assignments(
        round_, [(judges[(i + j) % len(judges)], e) for i, e in enumerate(entries) for j in range(k)]
    )
    ids = db.session.connection().execute(select(Assignment.id).where(Assignment.round_id == round_.id)).scalars().all()
    dialect = db.session.get_bind().dialect
    now = UTCDateTime().process_bind_param(utcnow(), dialect)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    db.session.connection().exec_driver_sql(
        'INSERT INTO judging_scores (assignment_id, round_id, "values", total, comment, status, created_at, '
        f"updated_at, submitted_at) VALUES ({', '.join([mark] * 9)})",
        [(a, round_.id, "{}", float(rnd.randint(40, 100)), "", "submitted", now, now, now) for a in ids],
    )
    db.session.execute(Assignment.__table__.update().where(Assignment.round_id == round_.id).values(status="submitted"))
    db.session.commit()


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(n_entries: int, k: int = 5, n_judges: int = 50, repeats: int = 3) -> tuple[float, float]:
    from core.extensions import db
    from judging import results

    round_ = populate(n_entries, n_judges, 10, k, seed=n_entries)
    _fill_scores(round_, n_judges, k)
    fetch = _best(lambda: results.fetch_scores(round_), repeats)

    def full():
        results.compute_results(round_)
        db.session.commit()

    return fetch, _best(full, repeats)


def main() -> None:
    app = make_app()
    with app.app_context():
        fetch_small, full_small = measure(1_000)
        fetch, full = measure(10_000)
        print(f"BENCH aggregation_fetch_50000_scores {fetch:.3f} s")
        print(f"BENCH aggregation_10000x5 {full:.3f} s ratio={full / fetch:.2f} vs aggregation_fetch_50000_scores")
        print(f"BENCH aggregation_1000x5 {full_small:.3f} s")
        print(
            f"BENCH aggregation_scaling_10000_vs_1000 {full / full_small:.2f} x ratio={full / full_small:.2f} "
            f"vs aggregation_1000x5"
        )


if __name__ == "__main__":
    main()

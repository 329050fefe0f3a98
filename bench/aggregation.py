"""Aggregation of a round (fetch, aggregate, rank, store results) against fetching the score rows.

Run from the repo root: ``python -m bench.aggregation [--no-freeze]``. Prints BENCH lines for
1,000, 10,000 and 50,000 entries x 5 scores, the scaling between them and its exponent.
It calls ``gc.freeze()`` after the set-up, as the web and job workers do after start-up
(gunicorn.conf.py, core/worker.py); ``--no-freeze`` leaves it out. Either way
``compute_results`` pauses the collector while it runs, and the anchor does not: without the
freeze the anchor pays collections over the set-up's objects and the ratio flatters the app.

Besides the recomputation of unchanged scores (the goal's figure: what allocating awards and
finalising repeat), it times the first computation (every result row inserted) and one after
every score changed (every row updated).
"""

from __future__ import annotations

import gc
import math
import random
import sys
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


def measure(n_entries: int, k: int = 5, n_judges: int = 50, repeats: int = 5) -> dict:
    from core.extensions import db
    from judging import results
    from judging.models import RoundResult, Score

    round_ = populate(n_entries, n_judges, 10, k, seed=n_entries)
    _fill_scores(round_, n_judges, k)
    if "--no-freeze" not in sys.argv:  # what a worker does after start-up (gunicorn.conf.py, core/worker.py)
        gc.freeze()

    def fetch():
        results.fetch_scores(round_)

    def full():
        results.compute_results(round_)
        db.session.commit()

    def with_gc():  # the same computation with the collector running (no pause), for comparison
        results.require_unlocked(round_)
        results._compute_results(round_, None)
        db.session.commit()

    def clear():  # untimed: the next computation is the round's first (every row inserted)
        db.session.execute(RoundResult.__table__.delete().where(RoundResult.round_id == round_.id))
        db.session.commit()

    def rescore():  # untimed: every score s becomes 140 - s, so every result row changes
        db.session.execute(Score.__table__.update().where(Score.round_id == round_.id).values(total=140 - Score.total))
        db.session.commit()

    # Anchor and app alternate, so a burst of load on the shared machine hits both; best of each.
    # "full" recomputes a round whose scores did not change since the last computation (what
    # allocating awards and finalising do); "first" computes into an empty result table;
    # "rescored" follows a change of every score (every row rewritten).
    times = {"fetch": [], "full": [], "with_gc": [], "first": [], "rescored": []}
    for _ in range(repeats):
        for name, fn in (("fetch", fetch), ("full", full), ("with_gc", with_gc)):
            times[name].append(_best(fn, 1))
        clear()
        times["first"].append(_best(full, 1))
        rescore()
        times["rescored"].append(_best(full, 1))
    return {name: min(values) for name, values in times.items()}


def main() -> None:
    app = make_app()
    with app.app_context():
        from core.extensions import db

        sizes = (1_000, 10_000, 50_000)
        # More repeats where they are cheap: the best of more tries is steadier on a shared machine.
        m = {n: measure(n, repeats={1_000: 15, 10_000: 9}.get(n, 5)) for n in sizes}
        mode = "no gc.freeze()" if "--no-freeze" in sys.argv else "gc.freeze() after set-up"
        print(f"# {db.engine.dialect.name}, {mode}; load {open('/proc/loadavg').read().split()[0]}")
        for n in sizes:
            f = m[n]
            print(f"BENCH aggregation_fetch_{5 * n}_scores {f['fetch']:.3f} s")
            print(
                f"BENCH aggregation_{n}x5 {f['full']:.3f} s ratio={f['full'] / f['fetch']:.2f} "
                f"vs aggregation_fetch_{5 * n}_scores (collector running throughout: {f['with_gc']:.3f} s, "
                f"{f['with_gc'] / f['fetch']:.2f}x)"
            )
            for name, what in (("first", "into an empty result table"), ("rescored", "after every score changed")):
                print(
                    f"BENCH aggregation_{n}x5_{name} {f[name]:.3f} s ratio={f[name] / f['fetch']:.2f} "
                    f"vs aggregation_fetch_{5 * n}_scores ({what})"
                )
        for small, large in ((1_000, 10_000), (10_000, 50_000)):
            r = m[large]["full"] / m[small]["full"]
            a = m[large]["fetch"] / m[small]["fetch"]
            print(
                f"BENCH aggregation_scaling_{large}_vs_{small} {r:.2f} x ratio={r:.2f} vs aggregation_{small}x5 "
                f"(exponent {math.log(r) / math.log(large / small):.2f}; the fetch alone: {a:.2f} x, "
                f"exponent {math.log(a) / math.log(large / small):.2f})"
            )


if __name__ == "__main__":
    main()

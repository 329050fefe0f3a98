"""Judge assignment end to end (load from the database, solve, store) against a bare OR-tools solve.

Run from the repo root: ``python -m bench.assignment``. Prints BENCH lines for
2,000 x 60, 10,000 x 100 and 30,000 x 200 (k=3) and the growth exponent of the
end-to-end time in the number of stored rows. On PostgreSQL a second anchor adds
to the bare solve a COPY of the very rows the app stored into the same table
(``bare_copy``): what the store cannot do without. On SQLite a comment line gives
the CPU-time ratio too: on a shared, oversubscribed machine the best wall time of a
short anchor is less disturbed than that of the longer app run.
"""

from __future__ import annotations

import math
import os
import time

from bench._setup import make_app, populate

SIZES = ((2_000, 60), (10_000, 100), (30_000, 200))
# Runs per size, the best of which counts: more for the small sizes, where a burst of load on a
# shared machine weighs most and a run costs little.
REPEATS = {2_000: 15, 10_000: 9, 30_000: 5}


def bare_copy(round_id: int) -> float:
    """Seconds to COPY the round's assignment rows back into the table after deleting them
    (psycopg 3 ``cursor.copy``, the rows read beforehand; foreign keys checked as in the app)."""
    from sqlalchemy import delete, select

    from core.extensions import db
    from judging.models import Assignment

    t = Assignment.__table__
    cols = (t.c.round_id, t.c.judge_id, t.c.submission_id, t.c.role, t.c.status, t.c.shuffle_key, t.c.created_at)
    rows = [tuple(r) for r in db.session.connection().execute(select(*cols).where(t.c.round_id == round_id))]
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_id))
    db.session.commit()
    names = ", ".join(f'"{c.name}"' for c in cols)
    raw = db.session.connection().connection.driver_connection
    start = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY judging_assignments ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    db.session.commit()
    return time.perf_counter() - start


def measure(n_entries: int, n_judges: int, n_units: int = 20, k: int = 3, repeats: int = 5) -> dict:
    """Best times of the bare solve, the app end to end (its commit included) and, on PostgreSQL, the bare COPY."""
    from sqlalchemy import delete

    from bench.assignment_core import bare_solve_times
    from core.extensions import db
    from judging import assign_services
    from judging.models import Assignment

    round_ = populate(n_entries, n_judges, n_units, k, seed=n_entries)
    problem = assign_services.build_problem(round_)
    bares, full, copies, bare_cpu, full_cpu = [], [], [], [], []
    for _ in range(repeats):  # anchor and app alternate, so a burst of load on the shared machine hits both
        wall, cpu = bare_solve_times(problem)
        bares.append(wall)
        bare_cpu.append(cpu)
        db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
        db.session.commit()
        db.session.expire_all()
        start, cpu = time.perf_counter(), time.process_time()
        result = assign_services.assign_judges(round_, actor=None)
        db.session.commit()
        full.append(time.perf_counter() - start)
        full_cpu.append(time.process_time() - cpu)
        if db.engine.dialect.name == "postgresql":
            copies.append(bare_copy(round_.id))
    return {
        "bare": min(bares),
        "full": min(full),
        "copy": min(copies) if copies else None,
        "rows": len(result.new),
        "cpu": (min(full_cpu), min(bare_cpu)),
    }


def main() -> None:
    app = make_app()
    with app.app_context():
        from core.extensions import db

        dialect = db.engine.dialect.name
        out = {}
        for n_entries, n_judges in SIZES:
            m = out[(n_entries, n_judges)] = measure(n_entries, n_judges, repeats=REPEATS[n_entries])
            size = f"{n_entries}x{n_judges}_k3"
            print(f"BENCH assignment_bare_ortools_{size} {m['bare']:.3f} s")
            print(
                f"BENCH assignment_end_to_end_{size} {m['full']:.3f} s "
                f"ratio={m['full'] / m['bare']:.2f} vs assignment_bare_ortools_{size}"
            )
            if db.engine.dialect.name == "sqlite":
                app_cpu, bare_cpu = m["cpu"]
                print(
                    f"# CPU time (this process; leaves out the share of a core other work takes, and fsync waits): "
                    f"app {app_cpu:.3f} s, bare solve {bare_cpu:.3f} s, ratio {app_cpu / bare_cpu:.2f}"
                )
            if m["copy"] is not None:
                anchor = m["bare"] + m["copy"]
                print(f"BENCH assignment_bare_ortools_plus_copy_{size} {anchor:.3f} s (copy {m['copy']:.3f} s)")
                print(
                    f"BENCH assignment_end_to_end_{size}_pg {m['full']:.3f} s "
                    f"ratio={m['full'] / anchor:.2f} vs assignment_bare_ortools_plus_copy_{size}"
                )
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"# {m['rows']} assignments stored ({dialect}), load average {load}")
        (a, b) = out[SIZES[0]], out[SIZES[-1]]
        exponent = math.log(b["full"] / a["full"]) / math.log(b["rows"] / a["rows"])
        bare_exp = math.log(b["bare"] / a["bare"]) / math.log(b["rows"] / a["rows"])
        print(
            f"BENCH assignment_growth_exponent {exponent:.2f} (time ~ rows^x, 6,000 to 90,000 rows; "
            f"bare solve {bare_exp:.2f})"
        )


if __name__ == "__main__":
    main()

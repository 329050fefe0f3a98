"""Judge assignment end to end (load from the database, solve, store) against a bare OR-tools solve.

Run from the repo root: ``python -m bench.assignment``. Prints BENCH lines.
"""

from __future__ import annotations

import time

from bench._setup import make_app, populate


def main(n_entries: int = 10_000, n_judges: int = 100, n_units: int = 20, k: int = 3, repeats: int = 3) -> None:
    app = make_app()
    with app.app_context():
        from sqlalchemy import delete

        from bench.assignment_core import bare_solve
        from core.extensions import db
        from judging import assign_services
        from judging.models import Assignment

        round_ = populate(n_entries, n_judges, n_units, k)
        bare = min(bare_solve(assign_services.build_problem(round_)) for _ in range(repeats))
        full = []
        for _ in range(repeats):
            db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
            db.session.commit()
            db.session.expire_all()
            start = time.perf_counter()
            result = assign_services.assign_judges(round_, actor=None)
            db.session.commit()
            full.append(time.perf_counter() - start)
        best = min(full)
        print(f"BENCH assignment_bare_ortools {bare:.3f} s")
        print(
            f"BENCH assignment_end_to_end_{n_entries}x{n_judges}_k{k} {best:.3f} s "
            f"ratio={best / bare:.2f} vs assignment_bare_ortools"
        )
        print(
            f"# {len(result.new)} assignments stored, {len(result.unfilled)} entries unfilled "
            f"({db.engine.dialect.name})"
        )


if __name__ == "__main__":
    main()

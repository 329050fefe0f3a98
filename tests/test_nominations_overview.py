"""The funnel per unit: the right counts, a constant number of SQL queries, a chart with a table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from helpers.nomprint import make_nomination, make_programme


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _on(self, conn, cursor, statement, *args):
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on)


def _review(db, nomination, expert, submitted=True):
    from nominations.models import ExpertReview

    db.session.add(
        ExpertReview(
            nomination_id=nomination.id,
            expert_id=expert.id,
            total=80 if submitted else None,
            submitted_at=dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc) if submitted else None,
        )
    )


def test_counts_per_unit(db, make_unit, make_user):
    from nominations import overview

    a, b, c = make_unit("区科技局"), make_unit("区教育局"), make_unit("杜桥街道")
    expert = make_user("judge", unit=c)
    expert2 = make_user("judge", unit=c)
    programme = make_programme(db, units=[a, b], places=3)
    for status in ("draft", "submitted", "returned", "approved"):
        make_nomination(db, programme, a, status=status)
    scored = make_nomination(db, programme, b, status="eligible")
    _review(db, scored, expert)
    _review(db, scored, expert2)
    half = make_nomination(db, programme, b, status="eligible")
    _review(db, half, expert)
    _review(db, half, expert2, submitted=False)
    make_nomination(db, programme, b, status="eligible")  # nobody assigned yet
    make_nomination(db, programme, b, status="vetoed")
    make_nomination(db, programme, c, status="on_notice")  # a unit without a quota
    other = make_programme(db, title="别的评选", units=[a])
    make_nomination(db, other, a, status="approved")
    db.session.commit()

    data = overview.funnel(programme)
    rows = {u.unit_name: u for u in data.units}
    assert set(rows) == {"区科技局", "区教育局", "杜桥街道"}
    assert rows["区科技局"].values == [3, 1, 1, 1, 1, 1]
    assert rows["区科技局"].places == 3
    assert rows["区教育局"].values == [4, 4, 2, 1, 0, 0]
    assert rows["杜桥街道"].values == [1, 1, 1, 1, 1, 0] and rows["杜桥街道"].places is None
    assert data.total_values == [8, 6, 4, 3, 2, 1]


def _fill(db, programme, units, n):
    from nominations.models import Nomination, NominationStatus

    statuses = list(NominationStatus)
    db.session.add_all(
        Nomination(
            programme_id=programme.id,
            unit_id=units[i % len(units)].id,
            status=statuses[i % len(statuses)],
            name=f"候选人{programme.id}-{i}",
        )
        for i in range(n)
    )
    db.session.commit()


def test_queries_do_not_grow_with_nominations(app, db, make_unit):
    from flask import render_template

    from nominations import overview

    units = [make_unit(f"单位{i}") for i in range(12)]
    small = make_programme(db, title="小", units=units[:4])
    large = make_programme(db, title="大", units=units)
    _fill(db, small, units[:4], 20)
    _fill(db, large, units, 200)
    counts = []
    for programme in (small, large):
        db.session.expire_all()
        assert programme.id  # (loads the programme: the page has it already)
        with QueryCounter(db.engine) as counter:
            html = render_template("nominations/_funnel.html", funnel=overview.funnel(programme))
        counts.append(counter.count)
        assert "<svg" in html and "<table" in html
    assert counts[0] == counts[1] == 4, counts
    assert sum(overview.funnel(large).totals.values()) > 0


def test_partial_renders_chart_and_table(app, db, make_unit):
    from flask import render_template

    from nominations import overview

    unit = make_unit("区科技局<script>")
    programme = make_programme(db, units=[unit], places=2)
    make_nomination(db, programme, unit, status="approved")
    db.session.commit()
    html = render_template("nominations/_funnel.html", funnel=overview.funnel(programme))
    assert "<script>" not in html and "区科技局&lt;script&gt;" in html
    assert 'role="img"' in html and "stroke-dasharray" in html  # the quota line
    assert "style=" not in html

"""Agreement figures that read: "insufficient data" rather than "0.000 unreliable" when
too few entries have two scores, ICC(1,1) for incomplete designs, and the reason
Kendall's W is not shown there (issue #12, "Tables and charts that read")."""

from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import select

from helpers import setup_round, values_for
from judging.reliability import (
    MIN_PAIRABLE_ENTRIES,
    icc,
    icc_oneway,
    interpret_alpha,
    krippendorff_alpha,
    pairable_entries,
)

# Shrout & Fleiss (1979): 6 targets x 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_one_way_icc_of_a_complete_design_is_shrout_and_fleiss_icc1():
    oneway = icc_oneway(SHROUT_FLEISS)
    assert oneway["ICC(1,1)"] == pytest.approx(icc(SHROUT_FLEISS)["ICC(1,1)"])
    assert oneway["ICC(1,k)"] == pytest.approx(icc(SHROUT_FLEISS)["ICC(1,k)"])
    assert oneway["k0"] == pytest.approx(4)


def test_one_way_icc_takes_unequal_numbers_of_judges():
    # Entry by entry: k_i = 2, 3, 2; N = 7, n = 3, k0 = (7 - 17/7) / 2.
    groups = [[80, 82], [60, 65, 61], [90, 88]]
    out = icc_oneway(groups)
    assert out["k0"] == pytest.approx((7 - 17 / 7) / 2)
    assert 0.9 < out["ICC(1,1)"] <= 1  # the entries differ far more than the judges do
    assert icc_oneway(groups + [[70]]) == out  # an entry with one score says nothing on agreement


def test_one_way_icc_needs_two_entries_with_two_scores():
    from core.errors import UserError

    with pytest.raises(UserError):
        icc_oneway([[80, 82], [70]])


def test_few_pairable_entries_read_as_insufficient_data():
    # One entry scored twice: alpha comes out as exactly 0, which says nothing.
    by_judge = [[84.5, None], [75.0, 71.5]]
    assert pairable_entries(by_judge) == 1
    assert krippendorff_alpha(by_judge) == pytest.approx(0.0)
    assert interpret_alpha(krippendorff_alpha(by_judge), pairable_entries(by_judge)) == "insufficient"
    assert interpret_alpha(0.9, MIN_PAIRABLE_ENTRIES) == "reliable"
    assert interpret_alpha(math.nan, 0) == "insufficient"


def _text(response) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", response.get_data(as_text=True))


def _score(db, round_, judges, totals):
    """Judge j gives the j-th listed total; entries scored in the order assigned."""
    from judging import judge_services
    from judging.models import Assignment

    by_id = {j.id: j for j in judges}
    items = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id)).all()
    for n, item in enumerate(items):
        total = totals(n, item)
        if total is not None:
            judge_services.save_score(item, actor=by_id[item.judge_id], values=values_for(round_, *total), submit=True)
    db.session.commit()
    return items


def test_the_scores_page_says_insufficient_data_instead_of_zero(client, db, make_user, make_unit, organiser, login):
    round_, _comp, judges, _entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=3, n_judges=3, k=2)
    _score(db, round_, judges, lambda n, item: (30, 20, 20 + n) if n < 3 else None)
    login(client, organiser)
    page = _text(client.get(f"/judging/rounds/{round_.id}/scores"))
    assert "数据不足" in page
    assert "不可靠" not in page and "0.000" not in page
    assert f"至少需要 {MIN_PAIRABLE_ENTRIES} 件作品" in page


def test_an_incomplete_design_shows_one_way_icc_and_says_why_no_w(client, db, make_user, make_unit, organiser, login):
    # 8 entries, 4 judges, 2 judges an entry: every entry has two scores, no judge has them all.
    round_, _comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=8, n_judges=4, k=2)
    quality = {e.id: 10 + 2 * i for i, e in enumerate(entries)}
    _score(db, round_, judges, lambda n, item: (20, 15, quality[item.submission_id] + n % 2))
    login(client, organiser)
    page = _text(client.get(f"/judging/rounds/{round_.id}/scores"))
    assert "ICC(1,1)" in page and "ICC(2,1)" not in page
    assert "不完全设计" in page and "未显示肯德尔和谐系数 W" in page
    assert "数据不足" not in page


def test_a_complete_design_shows_two_way_icc_and_kendalls_w(client, db, make_user, make_unit, organiser, login):
    round_, _comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=5, n_judges=2, k=2)
    quality = {e.id: 10 + 3 * i for i, e in enumerate(entries)}
    _score(db, round_, judges, lambda n, item: (20, 15, quality[item.submission_id] + n % 2))
    login(client, organiser)
    page = _text(client.get(f"/judging/rounds/{round_.id}/scores"))
    assert "ICC(2,1)" in page and "肯德尔和谐系数 W" in page
    assert "不完全设计" not in page and "数据不足" not in page

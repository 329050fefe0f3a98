"""Organiser forms of a round: insiders in the judge pool, the rubric and award scheme forms,
and the paginated entries-and-judges list."""

import pytest
from sqlalchemy import select

from core.errors import UserError
from helpers import audit, follow, refused, setup_round


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    return setup_round(db, make_user, make_unit, organiser, n_entries=6, n_judges=3, k=1, open_=False, accept=False)


def _member(db, round_, user):
    from judging.models import RoundJudge

    db.session.expire_all()
    return db.session.scalar(select(RoundJudge).where(RoundJudge.round_id == round_.id, RoundJudge.user_id == user.id))


# An organiser or admin in the judge pool needs the organiser's confirmation ------------


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_an_insider_joins_the_pool_only_when_confirmed(db, setup, organiser, make_user, make_unit, role):
    from judging import pool_services

    round_ = setup[0]
    insider = make_user(role, unit=make_unit(), roles=[role, "judge"], display_name="兼任评委")
    with pytest.raises(UserError) as refusal:
        pool_services.add_judge(round_, insider, actor=organiser)
    assert "请勾选确认" in refusal.value.render() and _member(db, round_, insider) is None
    db.session.rollback()
    pool_services.add_judge(round_, insider, actor=organiser, confirm_insider=True)
    db.session.commit()
    assert _member(db, round_, insider).active
    (entry,) = [a for a in audit(db, "judging.judge_add") if a.changes["judge_id"] == insider.id]
    assert entry.changes["insider_confirmed"] is True


def test_a_plain_judge_needs_no_confirmation(db, setup, organiser, make_user, make_unit):
    from judging import pool_services

    round_ = setup[0]
    plain = make_user("judge", unit=make_unit())
    pool_services.add_judge(round_, plain, actor=organiser)
    db.session.commit()
    (entry,) = [a for a in audit(db, "judging.judge_add") if a.changes["judge_id"] == plain.id]
    assert "insider_confirmed" not in entry.changes


def test_the_pool_form_warns_and_asks_for_the_confirmation(
    client, db, setup, organiser, make_user, make_unit, login, post
):
    round_ = setup[0]
    insider = make_user("organiser", unit=make_unit(), roles=["organiser", "judge"], display_name="兼任评委")
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    html = client.get(page).get_data(as_text=True)
    assert "兼任评委" in html and 'name="confirm_insider"' in html
    refused_page = follow(client, post(client, f"{page}/judges", {"user_id": insider.id}, page=page))
    assert "请勾选确认" in refused_page and _member(db, round_, insider) is None
    added = follow(client, post(client, f"{page}/judges", {"user_id": insider.id, "confirm_insider": "y"}, page=page))
    assert "评委已添加。" in added and _member(db, round_, insider).active


def test_the_pool_form_refuses_others(app, db, setup, organiser, judge, author, login, csrf, make_user, make_unit):
    round_ = setup[0]
    insider = make_user("organiser", unit=make_unit(), roles=["organiser", "judge"])
    refused(
        app,
        login,
        csrf,
        {"judge": judge, "author": author, "organiser": organiser},
        [
            (None, f"/judging/rounds/{round_.id}/judges", 302),
            ("judge", f"/judging/rounds/{round_.id}/judges", 403),
            ("author", f"/judging/rounds/{round_.id}/judges", 403),
            ("organiser", f"/judging/rounds/{round_.id + 999}/judges", 404),
        ],
        data={"user_id": insider.id, "confirm_insider": "y"},
    )
    assert _member(db, round_, insider) is None


# Rubric and award scheme forms ---------------------------------------------------------


def test_the_rubric_form_keeps_named_rows_and_refuses_a_bad_number(client, db, setup, organiser, login, post):
    from judging.models import Round

    round_ = setup[0]
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'name="criteria-0-name"' in html and 'value="立意"' in html
    rows = {"criteria-0-name": "立意", "criteria-0-maximum": "60", "criteria-1-name": "", "criteria-1-maximum": ""}
    bad = follow(client, post(client, f"{page}/rubric", rows | {"criteria-0-step": "一"}, page=page))
    assert "“一”不是有效数字。" in bad
    db.session.expire_all()
    assert [c.name for c in db.session.get(Round, round_.id).criteria] == ["立意", "语言", "结构"]
    follow(client, post(client, f"{page}/rubric", rows, page=page))
    db.session.expire_all()
    assert [(c.name, c.maximum, c.weight, c.step) for c in db.session.get(Round, round_.id).criteria] == [
        ("立意", 60, 1, 1)
    ]


def test_the_award_scheme_form(client, db, setup, organiser, login, post):
    from judging import award_services

    round_ = setup[0]
    login(client, organiser)
    page = f"/judging/rounds/{round_.id}/awards"
    html = client.get(page).get_data(as_text=True)
    assert 'name="first_kind"' in html and 'name="grouping"' in html
    data = {
        "first_kind": "count",
        "first_value": "1",
        "second_kind": "percent",
        "second_value": "20",
        "second_min": "50",
        "third_kind": "none",
        "third_value": "5",
        "grouping": "all",
        "boundary_tie": "both_higher",
    }
    assert "“x”不是有效数字。" in follow(client, post(client, page, data | {"first_value": "x"}))
    assert award_services.get_scheme(round_) is None
    follow(client, post(client, page, data))
    db.session.expire_all()
    scheme = award_services.get_scheme(round_)
    assert [(lv.code, lv.count, lv.percent, lv.min_score) for lv in scheme.levels] == [
        ("first", 1, None, None),
        ("second", None, 20, 50),
    ]
    assert scheme.one_award_per_author is False  # the box was not ticked
    html = client.get(page).get_data(as_text=True)
    assert 'value="20"' in html and 'value="50"' in html  # the saved scheme fills the form


# The entries-and-judges list is paginated in the database -------------------------------


def test_the_entries_list_pages(client, db, setup, organiser, login, monkeypatch):
    from judging import manual

    round_, _comp, _judges, entries, _leader = setup
    monkeypatch.setattr(manual, "ENTRIES_PER_PAGE", 4)
    login(client, organiser)
    codes = sorted(e.anonymous_code for e in entries)
    first = client.get(f"/judging/rounds/{round_.id}/entries").get_data(as_text=True)
    second = client.get(f"/judging/rounds/{round_.id}/entries?page=2").get_data(as_text=True)
    assert all(c in first for c in codes[:4]) and not any(c in first for c in codes[4:])
    assert all(c in second for c in codes[4:]) and not any(c in second for c in codes[:4])
    assert "page=2" in first and "page=1" in second  # the pager links both ways
    # Filters apply before the page is cut: every entry has its one judge, none is short.
    short = client.get(f"/judging/rounds/{round_.id}/entries?show=short").get_data(as_text=True)
    assert not any(c in short for c in codes)
    still_scoring = client.get(f"/judging/rounds/{round_.id}/entries?show=open&page=2").get_data(as_text=True)
    assert all(c in still_scoring for c in codes[4:])


def test_the_score_matrix_pages(client, db, setup, organiser, judge, login, monkeypatch):
    from judging import stats

    round_, _comp, _judges, entries, _leader = setup
    monkeypatch.setattr(stats, "MATRIX_PER_PAGE", 4)
    login(client, organiser)
    codes = sorted(e.anonymous_code for e in entries)
    first = client.get(f"/judging/rounds/{round_.id}/scores").get_data(as_text=True)
    second = client.get(f"/judging/rounds/{round_.id}/scores?page=2").get_data(as_text=True)
    assert all(c in first for c in codes[:4]) and not any(c in first for c in codes[4:])
    assert all(c in second for c in codes[4:]) and "page=2" in first
    other = login(client.application.test_client(), judge)
    assert other.get(f"/judging/rounds/{round_.id}/scores?page=2").status_code == 403

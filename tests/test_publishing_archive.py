"""The public archive (issue #13, archive and sharing): past activities by year with their
winners, and a search over published results only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _make_list(db, organiser, winner, source_id, title, people, published_year=None, state="published"):
    """A result set in ``state``; people are (name, unit, work) tuples."""
    from publishing.demo import replay_closed_notice
    from publishing.results import HonourInput, publish_results
    from publishing.results import import_honours as do_import

    items = [
        HonourInput("first", "一等奖", name, unit, work, "", 90 - i, i + 1, None, 100 + i)
        for i, (name, unit, work) in enumerate(people)
    ]
    rs = do_import("competition", source_id, title, items, organiser, organiser="区委宣传部")
    if state in ("published", "unpublished"):
        replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
        publish_results(rs, organiser)
        if published_year:
            # Noon on 1 July, Shanghai time, of that year.
            rs.published_at = dt.datetime(published_year, 7, 1, 4, 0, tzinfo=dt.UTC)
    if state == "unpublished":
        from publishing.results import unpublish_results

        unpublish_results(rs, "核实中", organiser)
    db.session.commit()
    return rs


@pytest.fixture
def archive(db, organiser, winner):
    """Two published lists in 2024 and 2025, a draft and an unpublished list."""
    return {
        "2024": _make_list(
            db, organiser, winner, 101, "2024年读书征文", [("王小明", "第一中学", "书香")], published_year=2024
        ),
        "2025": _make_list(
            db,
            organiser,
            winner,
            102,
            "2025年家风征文",
            [("赵丽", "实验小学", "家书"), ("钱多", "100%_学校", "算术")],
            published_year=2025,
        ),
        "draft": _make_list(db, organiser, winner, 103, "草稿征文", [("孙秘密", "保密单位", "未公布")], state="draft"),
        "unpublished": _make_list(
            db, organiser, winner, 104, "撤回征文", [("周撤回", "撤回单位", "已撤回")], state="unpublished"
        ),
    }


def test_archive_lists_published_results_by_year_with_their_winners(client, archive):
    html = _text(client.get("/public/archive"))
    # The latest year first, every year with a list is offered.
    assert "2025年家风征文" in html and "赵丽" in html and "实验小学" in html
    assert "2024年读书征文" not in html
    assert 'href="/public/archive/2024"' in html and 'href="/public/archive/2025"' in html
    older = _text(client.get("/public/archive/2024"))
    assert "2024年读书征文" in older and "王小明" in older and "第一中学" in older
    for page in (html, older):
        for hidden in ("草稿征文", "孙秘密", "撤回征文", "周撤回"):
            assert hidden not in page
    # A year with nothing published does not exist.
    assert client.get("/public/archive/2019").status_code == 404


def test_archive_leaves_out_withdrawn_honours_and_private_fields(client, db, organiser, archive, winner):
    from publishing.results import withdraw_honour

    rs = archive["2025"]
    withdraw_honour(rs.honours[1], "核实不符", organiser)
    db.session.commit()
    html = _text(client.get("/public/archive/2025"))
    assert "赵丽" in html and "钱多" not in html
    assert winner.phone not in html and "核实不符" not in html


def test_archive_without_anything_published(client, draft):
    html = _text(client.get("/public/archive"))
    assert "2026年科技征文活动" not in html and "archive-item" not in html
    assert client.get("/public/archive/2026").status_code == 404


def test_archive_pages_cost_a_fixed_number_of_queries(client, db, organiser, winner):
    from core.extensions import db as ext_db

    def queries_for(path):
        seen = []

        def count(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(ext_db.engine, "before_cursor_execute", count)
        try:
            _text(client.get(path))
        finally:
            event.remove(ext_db.engine, "before_cursor_execute", count)
        return len(seen)

    _make_list(db, organiser, winner, 201, "一号征文", [("甲", "单位甲", "作品甲")], published_year=2025)
    one = queries_for("/public/archive/2025")
    search_one = queries_for("/public/search?q=单位")
    for n in range(202, 208):
        people = [(f"人{n}{i}", f"单位{n}", f"作品{i}") for i in range(5)]
        _make_list(db, organiser, winner, n, f"{n}号征文", people, published_year=2025)
    assert queries_for("/public/archive/2025") == one
    assert queries_for("/public/search?q=单位") == search_one


def test_archive_is_paginated(client, db, organiser, winner):
    for n in range(301, 313):
        _make_list(db, organiser, winner, n, f"第{n}期征文", [(f"作者{n}", "单位", "作品")], published_year=2025)
    first = _text(client.get("/public/archive/2025"))
    assert 'href="/public/archive/2025?page=2"' in first
    second = _text(client.get("/public/archive/2025?page=2"))
    assert len(re.findall(r'class="card archive-item"', first)) == 10
    assert len(re.findall(r'class="card archive-item"', second)) == 2


@pytest.mark.parametrize(
    "query, found",
    [
        ("家风", "2025年家风征文"),  # a title
        ("赵丽", "赵丽"),  # a winner's name
        ("实验小学", "赵丽"),  # a unit
        ("ｓ", None),  # nothing
    ],
)
def test_search_matches_titles_names_and_units(client, archive, query, found):
    html = _text(client.get("/public/search", query_string={"q": query}))
    if found:
        assert found in html
    else:
        assert "赵丽" not in html and "王小明" not in html


def test_search_by_name_links_to_the_list(client, archive):
    html = _text(client.get("/public/search?q=王小明"))
    assert "第一中学" in html and f'href="/public/activities/{archive["2024"].id}/results"' in html
    assert "赵丽" not in html


def test_search_treats_wildcards_as_text(client, archive):
    # % and _ match themselves, not "anything".
    assert "赵丽" not in _text(client.get("/public/search?q=%"))
    assert "王小明" not in _text(client.get("/public/search?q=_"))
    html = _text(client.get("/public/search?q=100%25_"))
    assert "钱多" in html and "赵丽" not in html


def test_search_never_finds_drafts_unpublished_lists_or_withdrawn_honours(client, db, organiser, archive, on_notice):
    from publishing.results import withdraw_honour

    withdraw_honour(archive["2025"].honours[0], "核实不符", organiser)
    db.session.commit()
    for query in ("草稿", "孙秘密", "保密单位", "撤回", "周撤回", "赵丽", "李秀英", "科技征文"):
        html = _text(client.get("/public/search", query_string={"q": query}))
        assert "search-results" not in html and "activity-list" not in html, query


def test_search_box_on_the_public_home(client, archive):
    html = _text(client.get("/public"))
    assert 'action="/public/search"' in html and 'name="q"' in html
    assert 'href="/public/archive"' in html


def test_public_pages_carry_share_metadata(client, archive):
    home = _text(client.get("/public"))
    assert 'property="og:title"' in home and 'property="og:url" content="http' in home
    results = _text(client.get(f"/public/activities/{archive['2025'].id}/results"))
    assert 'property="og:title" content="2025年家风征文' in results
    assert f'/public/activities/{archive["2025"].id}/results"' in results

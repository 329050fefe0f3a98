"""The essays lists that grow are paginated (``db.paginate`` and the ``pager`` macro).

The page size is made small here so that a handful of entries spill onto a second page.
"""

from __future__ import annotations

import pytest

from essays import entry_lists
from helpers import make_entry

NEXT = "下一页"


@pytest.fixture(autouse=True)
def _two_a_page(monkeypatch):
    monkeypatch.setattr(entry_lists, "PER_PAGE", 2)


def test_the_organiser_entry_list_has_pages(db, client, login, organiser, author, comp):
    for n in range(3):
        make_entry(db, comp, author, title=f"第{n}篇作品")
    login(client, organiser)
    first = client.get(f"/essays/manage/{comp.id}").get_data(as_text=True)
    assert "第0篇作品" in first and "第1篇作品" in first and "第2篇作品" not in first
    assert NEXT in first and "共显示3篇作品" in first  # the count is of all matching entries
    second = client.get(f"/essays/manage/{comp.id}?page=2").get_data(as_text=True)
    assert "第2篇作品" in second and "第0篇作品" not in second and NEXT not in second


def test_the_organiser_entry_list_keeps_its_filter_across_pages(db, client, login, organiser, author, comp):
    for n in range(3):
        make_entry(db, comp, author, title=f"散文{n}", genre=comp.genres[0])
    make_entry(db, comp, author, title="一首诗", genre=comp.genres[1])
    login(client, organiser)
    first = client.get(f"/essays/manage/{comp.id}?genre={comp.genres[0].id}").get_data(as_text=True)
    assert f"genre={comp.genres[0].id}" in first.split(NEXT)[0].rsplit("<a", 1)[-1]  # the next link keeps it
    second = client.get(f"/essays/manage/{comp.id}?genre={comp.genres[0].id}&page=2").get_data(as_text=True)
    assert "散文2" in second and "一首诗" not in second


def test_the_competition_list_has_pages(db, client, login, organiser, make_competition):
    for n in range(3):
        make_competition(title=f"征文{n}")
    login(client, organiser)
    first = client.get("/essays/manage").get_data(as_text=True)
    assert "征文2" in first and "征文0" not in first and NEXT in first  # newest first
    assert "征文0" in client.get("/essays/manage?page=2").get_data(as_text=True)


def test_an_author_sees_their_entries_page_by_page(db, client, login, author, comp):
    for n in range(3):
        make_entry(db, comp, author, title=f"我的第{n}篇")
    login(client, author)
    first = client.get("/essays/mine").get_data(as_text=True)
    assert "我的第2篇" in first and "我的第0篇" not in first and NEXT in first  # newest first
    assert "我的第0篇" in client.get("/essays/mine?page=2").get_data(as_text=True)


def test_the_unit_list_has_pages_and_counts_the_quota_over_all_of_them(
    db, client, login, coordinator, make_user, make_competition
):
    comp = make_competition(unit_quota=5)
    member = make_user("author", unit=coordinator.unit)
    for n in range(3):
        make_entry(db, comp, member, recommending_unit=coordinator.unit, title=f"推荐第{n}篇")
    login(client, coordinator)
    first = client.get("/essays/unit").get_data(as_text=True)
    assert "推荐第2篇" in first and "推荐第0篇" not in first and NEXT in first
    assert "已用3 / 5" in first
    assert "推荐第0篇" in client.get("/essays/unit?page=2").get_data(as_text=True)

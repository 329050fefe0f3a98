"""Every paginated page works past its first page (issue #9, item 1).

The shared ``pager`` macro used to assign to ``_``, which hid gettext from the
rest of the template: any page with more rows than one page holds answered 500.
"""

from __future__ import annotations

import re

import pytest

from helpers import judging_competition, make_entry


def _bulk_users(db, n: int, unit=None):
    """Many users at once (one password hash for all, to stay quick)."""
    from accounts import services
    from accounts.models import Role, User

    password_hash = services.hash_password("Correct-Horse-9")
    users = []
    for i in range(n):
        user = User(username=f"bulk{i:04d}", display_name=f"批量用户{i:04d}", password_hash=password_hash, unit=unit)
        user.set_roles([Role.AUTHOR])
        users.append(user)
    db.session.add_all(users)
    db.session.commit()
    return users


def _pages(html: str) -> tuple[int, int]:
    m = re.search(r"第 (\d+) 页，共 (\d+) 页", html)
    assert m, html[:2000]
    return int(m.group(1)), int(m.group(2))


def test_audit_log_has_more_than_one_page(client, db, admin, login):
    from core import audit

    for i in range(120):
        audit.record(
            "unit.update",
            actor=admin,
            object_type="units",
            object_id=i,
            label=f"单位{i}",
            changes={"name": [f"旧{i}", f"新{i}"]},
        )
    db.session.commit()
    login(client, admin)
    first = client.get("/audit")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert _pages(html) == (1, 3) and "下一页" in html
    second = client.get("/audit?page=2")
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert _pages(html) == (2, 3) and "上一页" in html and "下一页" in html
    # The filter is kept when paging.
    r = client.get("/audit?object_type=units&page=2")
    assert r.status_code == 200 and "object_type=units" in r.get_data(as_text=True)
    last = client.get("/audit?page=3").get_data(as_text=True)
    assert _pages(last) == (3, 3) and "单位0" in last


def test_admin_user_list_has_more_than_one_page(client, db, admin, login):
    _bulk_users(db, 75)
    login(client, admin)
    first = client.get("/admin/users")
    assert first.status_code == 200
    assert _pages(first.get_data(as_text=True)) == (1, 2)
    second = client.get("/admin/users?page=2")
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert _pages(html) == (2, 2) and "上一页" in html and "bulk0000" in html
    searched = client.get("/admin/users?role=author&page=2")
    assert searched.status_code == 200 and "role=author" in searched.get_data(as_text=True)


def test_judging_entries_page_has_more_than_one_page(client, db, organiser, make_user, make_unit, login):
    from judging import round_services

    comp = judging_competition(db, organiser)
    author = make_user("author", unit=make_unit())
    for _ in range(101):
        make_entry(db, comp, author)
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=1)
    db.session.commit()
    login(client, organiser)
    first = client.get(f"/judging/rounds/{round_.id}/entries")
    assert first.status_code == 200 and _pages(first.get_data(as_text=True)) == (1, 2)
    second = client.get(f"/judging/rounds/{round_.id}/entries?page=2")
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert _pages(html) == (2, 2) and "上一页" in html


@pytest.mark.parametrize("path", ["/audit", "/admin/users"])
def test_paginated_pages_refuse_others(client, author, login, path):
    assert client.get(path).status_code == 302  # anonymous: to the sign-in page
    login(client, author)
    assert client.get(path).status_code == 403

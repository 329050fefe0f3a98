"""Publishing's lists that grow are paged with the shared ``pager`` (issue #10, item 8)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.db import utcnow
from publishing.blueprint import PER_PAGE
from publishing.certificates import issue_certificates
from publishing.demo import replay_closed_notice
from publishing.models import OutboxMessage, ResultSet, ResultState, SourceType, WorkdayOverride
from publishing.results import HonourInput, import_honours, publish_results

MORE = PER_PAGE + 5


def _pages(html: str) -> tuple[int, int]:
    m = re.search(r"第 (\d+) 页，共 (\d+) 页", html)
    assert m, html[:2000]
    return int(m.group(1)), int(m.group(2))


def _result_sets(db, n: int, state=ResultState.DRAFT) -> list[ResultSet]:
    rows = [
        ResultSet(
            source_type=SourceType.COMPETITION,
            source_id=10_000 + i,
            title=f"分页活动{i:03d}",
            state=state,
            published_at=utcnow() if state == ResultState.PUBLISHED else None,
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _second_page(client, path: str, expected: str) -> None:
    first = client.get(path)
    assert first.status_code == 200 and _pages(first.get_data(as_text=True)) == (1, 2)
    second = client.get(f"{path}?page=2")
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and _pages(html) == (2, 2) and "上一页" in html and expected in html


def test_the_organisers_list_of_results_has_pages(client, db, organiser, login):
    _result_sets(db, MORE)
    login(client, organiser)
    _second_page(client, "/publishing/manage", "分页活动000")  # newest first: the oldest is on page 2


def test_the_public_list_of_results_has_pages(client, db):
    _result_sets(db, MORE, ResultState.PUBLISHED)
    _second_page(client, "/public", "分页活动000")


def test_working_day_exceptions_have_pages(client, db, organiser, login):
    first = dt.date(2030, 1, 1)
    db.session.add_all(WorkdayOverride(day=first + dt.timedelta(days=i), is_working=True) for i in range(MORE))
    db.session.commit()
    login(client, organiser)
    _second_page(client, "/publishing/manage/workdays", "2030-01-01")


def test_the_outbox_has_pages(client, db, organiser, login):
    (rs,) = _result_sets(db, 1, ResultState.PUBLISHED)
    db.session.add_all(
        OutboxMessage(result_set_id=rs.id, recipient=f"a{i:03d}@example.org", subject="结果", body="正文")
        for i in range(MORE)
    )
    db.session.commit()
    login(client, organiser)
    _second_page(client, f"/publishing/manage/{rs.id}/outbox", f"a{MORE - 1:03d}@example.org")


def test_the_certificates_of_a_list_have_pages(client, db, organiser, login):
    items = [HonourInput("excellence", "优秀奖", f"获奖者{i:03d}", "区教育局") for i in range(MORE)]
    rs = import_honours("competition", 20_000, "证书分页活动", items, organiser)
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    publish_results(rs, organiser)
    certs = issue_certificates(rs, organiser)
    db.session.commit()
    login(client, organiser)
    _second_page(client, f"/publishing/manage/{rs.id}", certs[-1].number)


@pytest.mark.parametrize("path", ["/publishing/manage", "/publishing/manage/workdays"])
def test_paged_desk_pages_refuse_others(client, author, login, path):
    assert client.get(path).status_code == 302  # anonymous: to the sign-in page
    login(client, author)
    assert client.get(path).status_code == 403

"""The statistics pages in the browser, on a desktop and on a 390 px phone: nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest

from helpers import PASSWORD, shot
from helpers.stats import add_entries, give_awards

pytestmark = pytest.mark.browser

PHONE = 390


@pytest.fixture
def district_figures(db, make_competition, make_unit, make_user):
    comp = make_competition(unit_quota=3)
    author = make_user("author")
    awards = []
    for t, town_name in enumerate(["城关街道", "新城街道"]):
        town = make_unit(name=town_name, kind="town")
        for k, name in enumerate(["第一社区居民委员会", "文化路小学", "人民医院"]):
            unit = make_unit(name=f"{town_name}{name}", kind="community", parent=town)
            subs = add_entries(db, comp, author, unit, 1 + (t + k) % 3, genre=k % 2, group=t % 2)
            awards.append((subs[0], ("first", "second", "third", "excellence")[(t + k) % 4]))
    for name in ("区教育局", "区卫生健康局", "区文化和旅游体育局"):
        add_entries(db, comp, author, make_unit(name=name), 2, recommended=False)
    give_awards(db, comp, awards)
    db.session.commit()
    return comp


def _login(page, base, user):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def test_statistics_pages_on_desktop_and_phone(page, live_server, organiser, district_figures):
    comp = district_figures
    _login(page, live_server, organiser)
    pages = {
        "overview": "/judging/stats",
        "activity": f"/judging/stats/{comp.id}",
        "organisation": f"/judging/stats/{comp.id}/organisation",
    }
    for name, path in pages.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1
        shot(page, f"stats-{name}-desktop")
        page.set_viewport_size({"width": PHONE, "height": 844})
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, name
        shot(page, f"stats-{name}-phone")
    page.goto(live_server + pages["activity"])
    assert "共收到来自9个单位的投稿" in page.locator(".summary-sentence").inner_text()
    # The honour helper: tick two units and hand them over.
    page.goto(live_server + pages["organisation"])
    page.locator("input[name=unit_ids]").nth(0).check()
    page.locator("input[name=unit_ids]").nth(1).check()
    page.click("main form[method=post] button.primary")
    page.wait_for_url(re.compile(r"/publishing/manage/\d+"))
    assert "优秀组织奖" in page.content()
    shot(page, "stats-organisation-handed-over")

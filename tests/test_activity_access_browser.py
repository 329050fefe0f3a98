"""Browser: the district organiser lists a co-organising department's account as 承办 from the
competition's page; that account then signs in, sees only this competition and manages it,
and reads the organisers list without being able to change it."""

from __future__ import annotations

import pytest

from helpers import PASSWORD, shot


def sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_a_district_organiser_lists_a_co_organiser_who_then_manages_only_that_call(
    browser, page, live_server, db, organiser, co_organiser, make_competition
):
    ours = make_competition(title="教育局承办的读书征文")
    make_competition(title="文广局承办的摄影征文")
    ids = {"ours": ours.id, "organiser": organiser.username, "co": co_organiser.username, "co_id": co_organiser.id}
    co_name = co_organiser.display_name
    db.session.commit()
    db.session.remove()
    base = live_server

    sign_in(page, base, ids["organiser"])
    page.goto(f"{base}/essays/manage/{ids['ours']}")
    page.get_by_role("link", name="组织单位").click()
    page.select_option("select[name=user_id]", str(ids["co_id"]))
    page.select_option("select[name=part]", "undertaker")
    page.locator("#add-organiser button[type=submit]").click()
    row = page.locator("#activity-organisers tbody tr", has_text=co_name)
    row.wait_for()
    assert "承办" in row.inner_text()
    shot(page, "activity_organisers")

    browser_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    co_page = browser_context.new_page()
    try:
        sign_in(co_page, base, ids["co"])
        co_page.goto(f"{base}/essays/manage")
        listing = co_page.locator("main").inner_text()
        assert "教育局承办的读书征文" in listing and "文广局承办的摄影征文" not in listing
        co_page.get_by_role("link", name="教育局承办的读书征文").click()
        co_page.get_by_role("link", name="组织单位").click()
        assert co_page.locator("#activity-organisers").inner_text().count(co_name) == 1
        assert co_page.locator("select[name=user_id]").count() == 0  # read-only for a co-organiser
        assert co_page.locator("nav a[href='/audit']").count() == 0
    finally:
        browser_context.close()

"""The certificate number pattern is edited as a list of parts with a live example."""

from __future__ import annotations

import pytest

from helpers import PASSWORD


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_the_editor_is_on_the_template_page(client, draft, organiser, login):
    login(client, organiser)
    page = client.get(f"/publishing/manage/{draft.id}/template").get_data(as_text=True)
    assert 'id="number-pattern"' in page and "流水号" in page and "固定文字" in page
    assert 'name="number_pattern"' in page  # the pattern stays a text field without JavaScript


@pytest.mark.browser
def test_building_a_pattern_from_parts_shows_the_number_live(page, live_server, draft, organiser, db):
    from publishing.clock import today_local
    from publishing.models import CertificateTemplate

    rs_id, username, year = draft.id, organiser.username, today_local().year
    db.session.commit()
    db.session.remove()
    _sign_in(page, live_server, username)
    page.goto(f"{live_server}/publishing/manage/{rs_id}/template")
    # The stored pattern is read into parts.
    assert page.locator("#pattern-parts li").count() == 6
    page.fill("input[name=activity_code]", "KJXQ")
    assert page.inner_text("#pattern-example") == f"KJXQ-{year}-10001"
    # Rebuild it part by part.
    while page.locator("#pattern-parts li").count():
        page.locator("#pattern-parts li").first.get_by_role("button", name="移除").click()
    parts = [("code", None), ("text", "-"), ("year", None), ("text", "-"), ("level_no", None), ("serial", "3")]
    for kind, extra in parts:
        page.select_option("#pattern-kind", kind)
        if kind == "text":
            page.fill("#pattern-text", extra)
        if kind == "serial":
            page.fill("#pattern-digits", extra)
        page.click("#pattern-add")
    assert page.input_value("input[name=number_pattern]") == "{code}-{year}-{level_no}{serial:03d}"
    assert page.inner_text("#pattern-example") == f"KJXQ-{year}-1001"
    # Move the year first: the text and the example follow.
    page.locator("#pattern-parts li").nth(2).get_by_role("button", name="左移").click()
    page.locator("#pattern-parts li").nth(1).get_by_role("button", name="左移").click()
    assert page.input_value("input[name=number_pattern]") == "{year}{code}--{level_no}{serial:03d}"
    page.locator("#pattern-parts li").nth(0).get_by_role("button", name="右移").click()
    assert page.inner_text("#pattern-example") == f"KJXQ{year}--1001"
    # A pattern typed by hand with other formats stays text and says so.
    page.fill("input[name=number_pattern]", "{code}{serial:>6}")
    assert page.is_visible("#pattern-note")
    page.fill("input[name=number_pattern]", "{code}-{serial:05d}")
    assert page.inner_text("#pattern-example") == "KJXQ-00001"
    page.click("#template-form button[type=submit]")
    page.wait_for_load_state()
    db.session.remove()
    tpl = db.session.query(CertificateTemplate).filter_by(result_set_id=rs_id).one()
    assert tpl.number_pattern == "{code}-{serial:05d}" and tpl.activity_code == "KJXQ"

"""Browser walk: a coordinator endorses an entry a member of the unit already submitted."""

from __future__ import annotations

import pytest

from helpers import PASSWORD, shot, submit


@pytest.mark.browser
def test_coordinator_endorses_an_existing_entry(page, live_server, comp, coordinator, make_user, db):
    base = live_server
    member = make_user("author", unit=coordinator.unit, display_name="王芳")
    entry = submit(comp, member, title="老街的灯", token="browser-endorse").entry
    ids = {"comp": comp.id, "entry": entry.id, "coordinator": coordinator.username}
    db.session.commit()
    db.session.remove()

    page.goto(f"{base}/login")
    page.fill("input[name=login]", ids["coordinator"])
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/essays/unit")
    page.click(f"a[href='/essays/unit/c/{ids['comp']}']")
    page.wait_for_load_state()
    assert "老街的灯" in page.inner_text("#endorsable")
    assert "已推荐 0 个，共 1 个名额" in page.inner_text("#unit-quota")
    page.click(f"form[action='/essays/unit/entry/{ids['entry']}/endorse'] button")
    page.wait_for_load_state()
    assert "本单位已推荐《老街的灯》" in page.content()
    assert "老街的灯" in page.inner_text("#recommended")
    assert "已推荐 1 个，共 1 个名额" in page.inner_text("#unit-quota")
    assert "本单位推荐名额已用满" in page.inner_text("#unit-quota")
    shot(page, "unitrec-01-endorsed")
    page.goto(f"{base}/essays/unit")
    assert "老街的灯" in page.content()

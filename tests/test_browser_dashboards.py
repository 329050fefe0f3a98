"""Each demo role's home page on a desktop and on a 390 px phone (issue #12, "Dashboards per role").

Screenshots go to test-artifacts/dashboards/<role>-desktop.png and <role>-phone.png; at
phone width the home must not scroll sideways.
"""

from __future__ import annotations

import pytest

from helpers import ARTIFACTS

pytestmark = pytest.mark.browser

# What each role's home shows on the demo data (a panel of its own).
PANELS = {
    "organiser": ["#essay-review", "#judging-progress", "#publishing-desk", "#jobs-panel", "#timeline"],
    "admin": ["#jobs-panel", "#timeline"],
    "judge": ["#judge-rounds"],
    "committee": ["#committee-panel"],
    "coordinator": ["#unit-activities", "#unit-results"],
    "author": [".panel-certificates"],
}


@pytest.fixture
def demo(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    from core.seed import DEMO_PASSWORD

    return DEMO_PASSWORD


@pytest.mark.parametrize("role", list(PANELS))
def test_each_roles_home_reads_well_on_desktop_and_phone(browser, live_server, demo, role):
    folder = ARTIFACTS / "dashboards"
    folder.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        try:
            page.goto(live_server + "/login")
            page.fill("input[name=login]", role)
            page.fill("input[name=password]", demo)
            page.click("main button[type=submit]")
            page.wait_for_url(live_server + "/")
            for selector in PANELS[role]:
                assert page.locator(selector).count() == 1, (role, selector)
            body = page.inner_text("main")
            assert "正在比对作品" not in body
            if role == "author":
                assert "后台任务" not in body
            page.screenshot(path=str(folder / f"{role}-{name}.png"), full_page=True)
            if name == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, f"{role}'s home is {width} px wide on a phone"
        finally:
            context.close()

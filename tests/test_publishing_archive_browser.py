"""Browser journeys of the archive and sharing (issue #13): a visitor finds a past winner
from the public home, browses the archive by year, and takes a call's poster; on a
desktop screen and on a 390 px phone, without sideways scrolling."""

from __future__ import annotations

import pytest

from helpers import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _shot(page, name: str) -> None:
    folder = ARTIFACTS / "archive"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_visitor_finds_a_winner_and_browses_the_archive(browser, live_server, published, comp, size):
    viewport = PHONE if size == "phone" else DESKTOP
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(live_server + "/public")
        _fits(page, viewport["width"])
        _shot(page, f"home-{size}")
        page.fill("form.search-box input[name=q]", "区农业局")
        page.click("form.search-box button[type=submit]")
        page.wait_for_url("**/public/search?q=*")
        row = page.locator("ul.search-results li")
        assert row.count() == 1 and "张伟" in row.inner_text()
        _fits(page, viewport["width"])
        _shot(page, f"search-{size}")
        row.locator("a").click()
        page.wait_for_url(f"**/public/activities/{published.id}/results")

        page.goto(live_server + "/public/archive")
        assert "2026年科技征文活动" in page.inner_text("main")
        assert "李秀英" in page.inner_text("main")
        _fits(page, viewport["width"])
        _shot(page, f"archive-{size}")

        page.goto(live_server + f"/public/calls/{comp.id}")
        _fits(page, viewport["width"])
        _shot(page, f"call-{size}")
        with page.expect_download() as download:
            page.click("section.share a[href$='poster.png']")
        assert download.value.suggested_filename.endswith(".png")
    finally:
        context.close()

"""Each demo role signs in through a real browser and sees its own home page."""

import pytest

from helpers import shot

pytestmark = pytest.mark.browser

ROLE_LANDMARKS = {
    "admin": ["用户管理", "单位管理", "审计日志"],
    "organiser": ["审计日志"],
    "coordinator": [],
    "judge": [],
    "committee": [],
    "author": [],
}


@pytest.fixture
def demo(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    from core.seed import DEMO_PASSWORD

    return DEMO_PASSWORD


@pytest.mark.parametrize("username", list(ROLE_LANDMARKS))
def test_each_demo_role_signs_in_and_sees_its_home(page, live_server, demo, username):
    page.goto(live_server + "/login")
    assert "登录" in page.title()
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", demo)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/")
    body = page.inner_text("body")
    assert "您好" in body
    nav = page.inner_text("nav.mainnav")
    for landmark in ROLE_LANDMARKS[username]:
        assert landmark in nav
    if username != "admin":
        assert "用户管理" not in nav
    shot(page, f"home-{username}")


def test_wrong_password_in_the_browser_shows_a_chinese_message(page, live_server, demo):
    page.goto(live_server + "/login")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "wrong-password")
    page.click("main button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text("body")


def test_phone_sized_screen_has_a_menu_button(browser, live_server, demo):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", demo)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/")
    assert not page.is_visible("nav.mainnav a[href='/admin/users']")
    page.click("label.nav-toggle-label")
    assert page.is_visible("nav.mainnav a[href='/admin/users']")
    shot(page, "home-admin-phone")
    context.close()

"""Browser: an organiser drafts a notice to everyone in an activity, reviews the recipients and
sends it; the author sees the unread count in the header, reads the notice in the message
centre and marks the rest read (desktop and a 390 px phone)."""

from __future__ import annotations

import pytest

from helpers import PASSWORD, shot, submit


def sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_message_centre_journey(browser, page, live_server, db, comp, organiser, make_user, make_unit):
    author = make_user("author", unit=make_unit("区实验小学"), display_name="王小明")
    submit(comp, author, title="我的家乡变了样")
    ids = {"comp": comp.id, "organiser": organiser.username, "author": author.username}
    db.session.commit()
    db.session.remove()
    base = live_server

    sign_in(page, base, ids["organiser"])
    page.goto(f"{base}/judging/notices/new")
    page.select_option("select[name=audience]", "activity")
    page.select_option("select[name=competition_id]", str(ids["comp"]))
    page.fill("input[name=subject]", "征文截止时间延长")
    page.fill("textarea[name=body]", "征文截止时间延长至下周五17:30。\n\n请各位作者合理安排。")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()
    assert "王小明" in page.locator(".recipients").inner_text()
    shot(page, "messages-01-notice-review")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('发送通知')")
    page.wait_for_load_state()
    page.get_by_text("通知已发送给 1 人。").wait_for()
    page.context.clear_cookies()

    sign_in(page, base, ids["author"])
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator(".unread-phone .badge").inner_text() == "2"  # in sight with the menu folded
    shot(page, "messages-00-unread-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    link = page.locator("[data-testid=messages-link]")
    assert link.locator(".badge").inner_text() == "2"  # the receipt and the notice
    link.click()
    page.wait_for_load_state()
    rows = page.locator("table.messages tbody tr")
    assert rows.count() == 2
    assert "征文截止时间延长" in rows.first.inner_text()  # newest first
    shot(page, "messages-02-centre")
    rows.first.locator("a").click()
    page.wait_for_load_state()
    assert page.locator(".message-body p").count() == 2
    assert page.locator("[data-testid=messages-link] .badge").inner_text() == "1"
    page.goto(f"{base}/messages")
    page.click("button:has-text('全部标为已读')")
    page.wait_for_load_state()
    assert page.locator("[data-testid=messages-link] .badge").count() == 0
    assert page.locator("table.messages tr.unread").count() == 0

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/messages")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "messages-03-centre-phone")

"""Browser journeys of issue #13: password recovery (e-mailed link, and a link
issued by the unit coordinator), and the receipt PDF with its public check."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from helpers import PASSWORD, shot, submit

pytestmark = pytest.mark.browser

NEW = "Autumn-Moon-73"


def sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def set_new_password(page, url, password=NEW):
    page.goto(url)
    page.fill("input[name=new]", password)
    page.fill("input[name=confirm]", password)
    shot(page, "recover-new-password")
    page.click("#reset-form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def mailbox(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, *a, **kw):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, email):
            sent.append(email)

    import smtplib

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.cn")
    return sent


def test_recovery_by_email(page, browser, live_server, make_user, mailbox, app, db):
    user = make_user("author", username="lixiuying", email="lxy@example.cn")
    username = user.username
    db.session.remove()
    # Signed in on another computer before the reset.
    other = browser.new_context(locale="zh-CN")
    other_page = other.new_page()
    sign_in(other_page, live_server, username)
    other_page.goto(f"{live_server}/profile")
    assert "/profile" in other_page.url

    page.goto(f"{live_server}/login")
    page.click("#forgot-password")
    assert "忘记密码" in page.inner_text("main")
    page.fill("input[name=login]", "LXY@example.cn")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.is_visible("#reset-sent")
    shot(page, "recover-mail-sent")
    # The mail leaves once the page has been sent: wait for it.
    for _ in range(50):
        if mailbox:
            break
        page.wait_for_timeout(100)
    assert len(mailbox) == 1
    link = re.search(r"https?://\S+/password/reset/\S+", mailbox[0].get_content()).group(0)
    path = "/" + link.split("/", 3)[3]
    set_new_password(page, live_server + path)
    assert page.url.endswith("/login")
    assert "新密码已设置" in page.inner_text("body")
    sign_in(page, live_server, username, NEW)
    assert page.url == live_server + "/"
    # The other computer is signed out; the link does not work twice.
    other_page.goto(f"{live_server}/profile")
    assert "/login" in other_page.url
    other.close()
    page.goto(live_server + path)
    assert page.is_visible("#reset-invalid")


def test_recovery_through_the_unit_coordinator(page, browser, live_server, make_user, make_unit, db):
    unit = make_unit("区实验小学")
    coordinator = make_user("coordinator", unit=unit, username="liuna")
    member = make_user("author", unit=unit, username="zhangwei", display_name="张伟", email=None)
    names = (coordinator.username, member.username, member.id)
    db.session.remove()

    page.goto(f"{live_server}/password/forgot")
    assert page.is_visible("#reset-contact")
    assert "单位联络员" in page.inner_text("#reset-contact")
    shot(page, "recover-contact")

    helper = browser.new_context(locale="zh-CN").new_page()
    sign_in(helper, live_server, names[0])
    helper.click("nav.mainnav a[href='/unit/members']")
    helper.click(f"form[action='/unit/members/{names[2]}/reset-link'] button")
    helper.wait_for_load_state()
    link = helper.input_value("#reset-url")
    shot(helper, "recover-issued-link")
    helper.context.close()

    set_new_password(page, link.replace(link.split("/password/")[0], live_server))
    sign_in(page, live_server, names[1], NEW)
    assert page.url == live_server + "/"


def test_receipt_pdf_and_public_check(page, live_server, comp, make_user, make_unit, db):
    author = make_user("author", unit=make_unit("区实验小学"), display_name="王小明")
    entry = submit(comp, author, title="我的家乡变了样").entry
    db.session.commit()
    facts = (author.username, entry.id, entry.receipt_number, entry.receipt_token, comp.title)
    db.session.remove()

    sign_in(page, live_server, facts[0])
    page.goto(f"{live_server}/essays/mine")
    with page.expect_download() as info:
        page.click(f"a[href='/essays/entry/{facts[1]}/receipt.pdf']")
    data = open(info.value.path(), "rb").read()
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert facts[2] in text and "投稿回执" in text
    check = re.search(r"https?://\S+?/essays/receipt-check/[\w-]+", text).group(0)
    assert check.endswith(facts[3])

    page.context.clear_cookies()
    page.goto(live_server + "/essays/receipt-check/" + facts[3])
    shown = page.inner_text("#receipt-facts")
    assert facts[2] in shown and facts[4] in shown
    assert "王小明" not in page.inner_text("body") and "我的家乡变了样" not in page.inner_text("body")
    shot(page, "receipt-check")

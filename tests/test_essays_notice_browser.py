"""Browser: the organiser types the notice with the toolbar and sees the live preview; the public call page
keeps its paragraphs, headings and lists and offers the attachments, on a desktop and on a 390 px phone."""

from __future__ import annotations

import pytest

from helpers import PASSWORD, shot
from helpers.dossiers import pdf_bytes

NOTICE = (
    "为深入贯彻落实新时代人才工作要求，弘扬爱国奋斗精神，现面向全区开展主题征文活动。\n\n"
    "## 一、征文内容\n\n"
    "讲述身边知识分子、人才工作者爱国奋斗、建功立业的感人故事。\n\n"
    "## 二、征文要求\n\n"
    "1. 理论文章3000至5000字；\n"
    "2. 散文不超过3000字；\n"
    "3. 作品须为原创，未在公开报刊发表。\n\n"
    "截止时间：**2026年6月30日17:30**，逾期不再受理。投稿请登录[征评系统](https://example.cn/zp)。"
)


def sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_notice_editor_previews_live_and_the_public_page_keeps_the_shape(
    browser, page, live_server, db, organiser, make_competition
):
    from essays import notice_files

    comp = make_competition(notice_source="征文通知", title="“弘扬爱国奋斗精神、建功立业新时代”主题征文")
    notice_files.add_notice_file(comp, "template", "附件：作品推荐表.pdf", pdf_bytes(), organiser)
    ids = {"comp": comp.id, "organiser": organiser.username}
    db.session.commit()
    db.session.remove()
    base = live_server

    sign_in(page, base, ids["organiser"])
    page.goto(f"{base}/essays/manage/{ids['comp']}/edit")
    preview = page.locator(".notice-preview")
    preview.get_by_text("征文通知").wait_for()  # the preview shows the saved notice on arrival
    source = page.locator("textarea[name=notice_source]")
    source.fill(NOTICE)
    preview.locator("h3", has_text="一、征文内容").wait_for()
    assert preview.locator("ol li").count() == 3
    assert preview.locator("strong").inner_text() == "2026年6月30日17:30"
    assert preview.locator("a[href='https://example.cn/zp']").count() == 1

    # The toolbar writes the Markdown: a heading and bold for the selected words.
    source.press("End")
    source.press("Enter")
    source.press("Enter")
    page.click(".notice-toolbar [data-md=heading]")
    page.keyboard.type("三、联系方式")
    preview.locator("h3", has_text="三、联系方式").wait_for()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("区委人才办")
    page.evaluate(
        "() => { const t = document.querySelector('textarea[name=notice_source]');"
        " const i = t.value.lastIndexOf('区委人才办'); t.setSelectionRange(i, i + 5); }"
    )
    page.click(".notice-toolbar [data-md=bold]")
    preview.locator("strong", has_text="区委人才办").wait_for()
    # Unsafe input never reaches the preview as markup.
    source.press("End")
    page.keyboard.type("\n\n<img src=x onerror=alert(1)>")
    preview.get_by_text("onerror=alert(1)").wait_for()
    assert preview.locator("img").count() == 0
    shot(page, "notice-01-editor-desktop")
    page.fill("textarea[name=notice_source]", source.input_value().rsplit("\n\n", 1)[0])
    page.click("form.competition-form button[type=submit]")
    page.wait_for_load_state()

    public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    public.goto(f"{base}/public/calls/{ids['comp']}")
    notice = public.locator(".notice")
    assert notice.locator("p").count() >= 3
    assert notice.locator("h3").all_inner_texts() == ["一、征文内容", "二、征文要求", "三、联系方式"]
    assert notice.locator("ol li").count() == 3
    assert public.locator(".notice-files a").inner_text() == "附件：作品推荐表.pdf"
    shot(public, "notice-02-public-call-desktop")
    with public.expect_download() as download:
        public.click(".notice-files a")
    assert download.value.suggested_filename == "附件：作品推荐表.pdf"
    public.context.close()

    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{base}/public/calls/{ids['comp']}")
    assert _fits(phone)
    shot(phone, "notice-03-public-call-phone")
    phone.context.close()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/essays/manage/{ids['comp']}/edit")
    page.locator(".notice-preview h3").first.wait_for()
    assert _fits(page)
    shot(page, "notice-04-editor-phone")


@pytest.mark.browser
def test_an_older_html_notice_opens_converted_with_its_preview(page, live_server, db, organiser, make_competition):
    from essays.demo import NOTICE

    comp = make_competition(notice_html=NOTICE)
    ids = {"comp": comp.id, "organiser": organiser.username}
    db.session.commit()
    db.session.remove()
    sign_in(page, live_server, ids["organiser"])
    page.goto(f"{live_server}/essays/manage/{ids['comp']}/edit")
    assert page.locator(".notice-converted").is_visible()
    assert "## 一、征文内容" in page.locator("textarea[name=notice_source]").input_value()
    page.locator(".notice-preview h3", has_text="一、征文内容").wait_for()
    assert page.locator(".notice-preview ul li").count() == 2
    shot(page, "notice-05-older-html-notice-converted")

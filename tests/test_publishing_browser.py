"""Browser: 公示 → objection → resolution → publication → 获奖名单 → certificates → download → verify → revoke."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from helpers import PASSWORD, shot
from publishing.clock import today_local
from publishing.models import ResultSet
from publishing.results import HonourInput, import_honours

pytestmark = pytest.mark.browser


def _sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def test_notice_objection_publication_certificates(app, db, live_server, page, browser, make_user, make_unit):
    base = live_server
    organiser = make_user("organiser", unit=make_unit(name="区委宣传部"), display_name="王芳")
    author = make_user(
        "author",
        unit=make_unit(name="临渭区第二中学"),
        display_name="李秀英",
        phone="13800001111",
        email="lixiuying@example.cn",
    )
    # A finished competition's proposed winners, as the judging package hands them over.
    items = [
        HonourInput(
            "first", "一等奖", "李秀英", "临渭区第二中学", "科技之光照亮乡村振兴路", "征文组", 94.5, 1, author.id, 101
        ),
        HonourInput("second", "二等奖", "张伟", "区农业局", "一粒种子的科技旅程", "征文组", 91.0, 2, None, 102),
        HonourInput("third", "三等奖", "杨帆", "杜桥街道", "智慧社区里的烟火气", "征文组", 88.7, 3, None, 103),
    ]
    rs = import_honours(
        "competition", 42, "2026年临渭区“科技兴区”主题征文活动", items, organiser, organiser="中共临渭区委宣传部"
    )
    db.session.commit()
    rs_id = rs.id
    page.on("dialog", lambda d: d.accept())

    # 1. The organiser puts the proposed winners on public notice.
    _sign_in(page, base, organiser)
    page.goto(f"{base}/publishing/manage/{rs_id}")
    page.fill("input[name='n-start']", today_local().isoformat())
    page.fill("input[name='n-length']", "5")
    page.select_option("select[name='n-unit']", "calendar")
    page.click("#notice-form button[type=submit]")
    page.wait_for_selector("#notice-window")  # the computed window, for confirmation
    page.click("button.confirm-notice")
    page.wait_for_selector(".flash-success")
    shot(page, "publishing-01-notice-started")

    # 2. A member of the public reads the notice and files an objection.
    public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    public.goto(f"{base}/public")
    public.click(f"a[href='/public/activities/{rs_id}/notice']")
    assert "李秀英" in public.content() and "13800001111" not in public.content()
    public.select_option("select[name=honour_id]", label="二等奖 · 张伟《一粒种子的科技旅程》")
    public.fill("input[name=real_name]", "赵国强")
    public.fill("input[name=phone]", "13912345678")
    public.fill("textarea[name=content]", "该作品与网上一篇文章高度相似，请核查是否抄袭。")
    public.click("#objection button[type=submit]")
    public.wait_for_selector(".flash-success")
    shot(public, "publishing-02-objection-filed")

    # 3. The organiser investigates and dismisses it with a written outcome.
    page.goto(f"{base}/publishing/manage/{rs_id}")
    page.click("#objections table a >> nth=0")
    page.select_option("select[name=status]", "dismissed")
    page.fill("textarea[name=outcome]", "经查重比对，相似内容为公开政策原文引用，不构成抄袭，异议不成立。")
    page.click("form button[type=submit].primary")
    page.wait_for_selector(".flash-success")

    # Publishing is refused while the window is open.
    page.click("button.publish-final")
    page.wait_for_selector(".flash-error")
    shot(page, "publishing-03-publish-refused-window-open")

    # Time passes: the notice window closes.
    db.session.rollback()  # end the test's old read snapshot before writing (SQLite WAL)
    row = db.session.get(ResultSet, rs_id)
    row.notice_last_day = today_local() - dt.timedelta(days=1)
    db.session.commit()

    page.goto(f"{base}/publishing/manage/{rs_id}")
    page.click("button.publish-final")
    page.wait_for_selector(".flash-success")

    # 4. The public list of winners.
    public.goto(f"{base}/public/activities/{rs_id}/results")
    html = public.content()
    assert "一粒种子的科技旅程" in html and html.index("一等奖") < html.index("二等奖")
    assert "13800001111" not in html and "lixiuying@example.cn" not in html
    shot(public, "publishing-04-public-results")

    # 5. Certificates generated with the progress bar.
    page.goto(f"{base}/publishing/manage/{rs_id}")
    page.click("#certificates form.inline button.primary")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("progress.bar[value='100']")
    page.wait_for_selector("a.job-download:not([href='#'])")
    shot(page, "publishing-05-certificates-job")

    db.session.rollback()
    row = db.session.get(ResultSet, rs_id)
    cert = row.honours[0].certificate
    token, number = cert.token, cert.number

    # 6. The author downloads their own certificate from their account.
    author_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    author_page = author_ctx.new_page()
    _sign_in(author_page, base, author)
    shot(author_page, "publishing-06-author-panel")
    with author_page.expect_download() as info:
        author_page.click(f".panel-certificates a:has-text('{number}')")
    pdf = open(info.value.path(), "rb").read()
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "李秀英" in text and number in text

    # 7. The QR target says verified...
    public.goto(f"{base}/verify/{token}")
    assert public.locator(".verify-ok").count() == 1
    shot(public, "publishing-07-verified")

    # 8. ...until the organiser revokes the certificate.
    page.goto(f"{base}/publishing/manage/{rs_id}#certificates")
    row_locator = page.locator("#certificates tr", has_text=number)
    row_locator.locator("details summary").click()
    row_locator.locator("input[name=reason]").fill("作品被认定不符合参赛要求")
    row_locator.locator("button.small").click()
    page.wait_for_selector(".flash-success")
    public.goto(f"{base}/verify/{token}")
    assert public.locator(".verify-bad").count() == 1
    assert "作品被认定不符合参赛要求" in public.content()
    shot(public, "publishing-08-revoked")
    author_ctx.close()
    public.context.close()

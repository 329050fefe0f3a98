"""Browser walk: author registers and submits a .docx; organiser reviews and exports; coordinator recommends."""

from __future__ import annotations

import pytest

from helpers import LONG_TEXT, PASSWORD, shot
from helpers.docs import make_docx


def sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def sign_out(page):
    page.context.clear_cookies()


@pytest.mark.browser
def test_essay_walkthrough(page, live_server, comp, organiser, coordinator, make_user, tmp_path, db):
    base = live_server
    member = make_user("author", unit=coordinator.unit, display_name="张伟")
    # Read everything the walk needs now and end the test's transaction, so the
    # server's writes never meet a stale read snapshot of this session.
    ids = {
        "comp": comp.id,
        "code": comp.code,
        "genre": str(comp.genres[0].id),
        "group": str(comp.groups[0].id),
        "member": str(member.id),
        "coordinator": coordinator.username,
        "organiser": organiser.username,
    }
    db.session.commit()
    db.session.remove()
    # Author registers.
    page.goto(f"{base}/register")
    page.fill("input[name=username]", "lixiuying")
    page.fill("input[name=display_name]", "李秀英")
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=email]", "lxy@example.cn")
    page.fill("input[name=workplace]", "临渭区第二中学")
    page.fill("input[name=password]", "Weihe-Spring-2026")
    page.fill("input[name=confirm]", "Weihe-Spring-2026")
    page.check("input[name=consent]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/essays/mine")
    shot(page, "essays-01-author-home")
    page.click(f"a[href='/essays/c/{ids['comp']}/submit']")
    page.fill("input[name=title]", "渭河岸边的春天")
    page.select_option("select[name=genre_id]", ids["genre"])
    page.select_option("select[name=group_id]", ids["group"])
    doc = tmp_path / "我的征文😀.docx"
    doc.write_bytes(make_docx(LONG_TEXT + "\n作者：李秀英"))
    page.set_input_files("input[name=upload]", str(doc))
    page.check("input[name=pledge]")
    shot(page, "essays-02-submit-form")
    page.click("button.submit-once")
    page.wait_for_load_state()
    number = page.inner_text("#receipt-number")
    assert number == f"{ids['code']}-0001"
    shot(page, "essays-03-receipt")
    page.goto(f"{base}/essays/mine")
    assert "渭河岸边的春天" in page.content()

    # Coordinator recommends a member's entry.
    sign_out(page)
    sign_in(page, base, ids["coordinator"])
    page.goto(f"{base}/essays/unit")
    page.click(f"a[href='/essays/unit/c/{ids['comp']}']")
    page.click(f"a[href='/essays/unit/c/{ids['comp']}/submit']")
    page.select_option("select[name=member_id]", ids["member"])
    page.fill("input[name=title]", "一位农技员的三十年")
    page.select_option("select[name=genre_id]", ids["genre"])
    page.select_option("select[name=group_id]", ids["group"])
    page.fill("textarea[name=body]", "清晨的薄雾还没有散去，老周已经蹲在麦田里查看苗情。" * 5)
    page.check("input[name=pledge]")
    page.click("button.submit-once")
    page.wait_for_load_state()
    assert page.inner_text("#receipt-number") == f"{ids['code']}-0002"
    page.goto(f"{base}/essays/unit")
    assert "一位农技员的三十年" in page.content()
    shot(page, "essays-04-unit-entries")

    # Organiser reviews: qualify one in bulk, disqualify the other with a reason, then export.
    sign_out(page)
    sign_in(page, base, ids["organiser"])
    page.goto(f"{base}/essays/manage/{ids['comp']}")
    shot(page, "essays-05-organiser-list")
    page.check("input[name=entry_ids] >> nth=1")
    page.select_option("select[name=decision]", "qualify")
    page.click(".bulk-actions button[type=submit]")
    page.wait_for_load_state()
    page.click("text=渭河岸边的春天")
    page.wait_for_load_state()
    assert page.locator("mark.identity").count() >= 1
    shot(page, "essays-06-identity-review")
    page.select_option("select[name=decision]", "disqualify")
    page.fill("textarea[name=reason]", "作品正文中出现作者姓名")
    page.click("text=记录审查结论" if page.locator("text=记录审查结论").count() else "text=Record decision")
    page.wait_for_load_state()
    page.goto(f"{base}/essays/manage/{ids['comp']}")
    content = page.content()
    assert "作品正文中出现作者姓名" in content
    with page.expect_download() as download:
        page.click(f"a[href^='/essays/manage/{ids['comp']}/export.xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")
    shot(page, "essays-07-after-review")

    # The author sees the reason.
    sign_out(page)
    sign_in(page, base, "lixiuying", "Weihe-Spring-2026")
    page.goto(f"{base}/essays/mine")
    assert "作品正文中出现作者姓名" in page.content()
    shot(page, "essays-08-author-sees-reason")

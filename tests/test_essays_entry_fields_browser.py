"""Browser journey: the organiser defines entry fields, an author fills them in, the organiser's export has them."""

from __future__ import annotations

import io

import pytest

from helpers import LONG_TEXT, PASSWORD, shot


def sign_in(page, base, username, password=PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_entry_fields_from_editor_to_export(page, live_server, comp, organiser, author, db):
    from openpyxl import load_workbook

    base = live_server
    ids = {"comp": comp.id, "genre": str(comp.genres[0].id), "organiser": organiser.username, "author": author.username}
    db.session.commit()
    db.session.remove()

    # The organiser adds a private teacher field and a judge-visible grade.
    sign_in(page, base, ids["organiser"])
    page.goto(f"{base}/essays/manage/{ids['comp']}/edit")
    page.fill("input[name='entry_fields-0-label']", "指导教师")
    page.select_option("select[name='entry_fields-0-type']", "people")
    page.check("input[name='entry_fields-0-required']")
    page.check("input[name='entry_fields-0-teacher']")
    page.fill("input[name='entry_fields-1-label']", "年级")
    page.select_option("select[name='entry_fields-1-type']", "choice")
    page.fill("input[name='entry_fields-1-choices']", "七年级，八年级")
    page.check("input[name='entry_fields-1-judge_visible']")
    page.check("input[name='entry_fields-1-no_identity']")
    # Spare rows run out: "Add a field" adds another (the last one here is the fifth).
    for _ in range(2):
        page.click("button.add-entry-field")
    page.fill("input[name='entry_fields-4-label']", "联系地址")
    shot(page, "fields-01-editor")
    page.click("form.competition-form button[type=submit].primary")
    page.wait_for_load_state()
    assert "/edit" not in page.url, page.content()[-2000:]

    # The author fills them in; leaving the teacher empty is refused with the reason.
    sign_in(page, base, ids["author"])
    page.goto(f"{base}/essays/c/{ids['comp']}/submit")
    page.fill("input[name=title]", "渭河岸边的春天")
    page.select_option("select[name=genre_id]", ids["genre"])
    page.select_option("select[name=group_id]", label="成人组")  # saving the form made the groups anew
    page.fill("textarea[name=body]", LONG_TEXT)
    page.select_option("select[name=xf_f2]", "八年级")
    page.check("input[name=pledge]")
    page.click("button.submit-once")
    page.wait_for_load_state()
    assert "请填写指导教师" in page.content() or "Please fill in 指导教师" in page.content()
    page.fill("textarea[name=xf_f1]", "王建华，渭南市实验中学\n李老师")
    if not page.is_checked("input[name=pledge]"):
        page.check("input[name=pledge]")
    shot(page, "fields-02-submit")
    page.click("button.submit-once")
    page.wait_for_load_state()
    assert page.locator("#receipt-number").count() == 1, page.content()[-1500:]

    # The organiser's export carries the values.
    sign_in(page, base, ids["organiser"])
    page.goto(f"{base}/essays/manage/{ids['comp']}")
    with page.expect_download() as download:
        page.click(f"a[href^='/essays/manage/{ids['comp']}/export.xlsx']")
    with open(download.value.path(), "rb") as f:
        rows = list(load_workbook(io.BytesIO(f.read())).active.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    assert rows[1][header.index("指导教师")] == "王建华（渭南市实验中学）；李老师"
    assert rows[1][header.index("年级")] == "八年级"
    assert "联系地址" in header

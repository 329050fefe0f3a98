"""The freeze in the browser: the organiser confirms it when opening a round; the author sees why."""

from __future__ import annotations

import re

import pytest

from helpers import PASSWORD, make_entry, shot

pytestmark = pytest.mark.browser


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def test_organiser_confirms_the_freeze_and_author_sees_it(page, live_server, db, make_user, make_unit, organiser, comp):
    from essays.models import Submission
    from judging import assign_services, pool_services, round_services
    from judging.models import Round

    author = make_user("author", unit=make_unit())
    entry = make_entry(db, comp, author, text="春风又绿渭河岸。" * 10)
    judge = make_user("judge", unit=make_unit())
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=1)
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    pool_services.add_judge(round_, judge, actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    db.session.commit()

    _login(page, live_server, organiser)
    page.goto(f"{live_server}/judging/rounds/{round_.id}")
    box = page.locator("section.open-round")
    assert "我确认：参评作品自本轮开始起冻结，不再接受修改" in box.inner_text()
    box.locator("input[name=confirm_freeze]").check()
    shot(page, "freeze_open_round_confirmation")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    db.session.rollback()
    assert db.session.get(Round, round_.id).state == "open"
    assert db.session.get(Submission, entry.id).frozen_at is not None

    _login(page, live_server, author)
    page.goto(f"{live_server}/essays/entry/{entry.id}")
    assert "作品已进入评审，不能再修改" in page.locator("main").inner_text()
    assert page.locator(f"a[href$='/essays/entry/{entry.id}/edit']").count() == 0
    shot(page, "freeze_author_entry_page")

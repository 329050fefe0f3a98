"""A round end to end in the browser: setup, scoring with autosave, recusal, arbitration, awards."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpers import PASSWORD, judging_competition, make_entry, shot, values_for

pytestmark = pytest.mark.browser


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def test_round_end_to_end(page, live_server, db, make_user, make_unit, organiser):
    from judging import judge_services, pool_services
    from judging.models import Assignment, AssignmentRole, Round

    base = live_server
    comp = judging_competition(db, organiser)
    for i in range(4):
        make_entry(
            db,
            comp,
            make_user("author", unit=make_unit()),
            title=f"家乡的河{i}",
            text="春风又绿渭河岸，我站在老城墙上眺望远方。\n十年前这里还是一片低矮的平房。",
        )
    judges = [make_user("judge", unit=make_unit(), display_name=name) for name in ("甲评委", "乙评委", "丙评委")]
    leader = make_user("judge", unit=make_unit(), display_name="组长")

    # Organiser: create the round, settings, rubric, judges, assign, open.
    _login(page, base, organiser)
    page.goto(f"{base}/judging/rounds")
    page.select_option("select[name=competition_id]", str(comp.id))
    page.fill("input[name=name]", "初评")
    page.click("main form button.primary")
    page.wait_for_url(re.compile(r"/judging/rounds/\d+"))
    round_id = int(re.search(r"/rounds/(\d+)", page.url).group(1))
    page.fill("input[name=k]", "2")
    page.select_option("select[name=arbitration]", "third_judge")
    page.select_option("select[name=leader_id]", str(leader.id))
    page.click("#settings button[type=submit]")
    names = page.locator("#rubric-rows input[name$='-name']")
    for i, (name, maximum) in enumerate([("立意", "40"), ("语言", "30"), ("结构", "30")]):
        names.nth(i).fill(name)
        page.locator("#rubric-rows input[name$='-maximum']").nth(i).fill(maximum)
    page.click("#rubric button.primary")
    for judge in judges:
        page.select_option("#judges select[name=user_id]", str(judge.id))
        page.click("#judges form.grid button")
    page.once("dialog", lambda d: d.accept())
    page.click("#assign-box button")
    page.click("text=开放评审") if page.locator("text=开放评审").count() else page.click("text=Open for judging")
    shot(page, "judging_round_setup")
    db.session.rollback()  # a fresh snapshot: the browser wrote meanwhile
    round_ = db.session.get(Round, round_id)
    assert round_.state == "open" and len(round_.criteria) == 3

    # Judge A: pledge, open the first entry, type scores (autosave), submit.
    a = judges[0]
    _login(page, base, a)
    page.goto(f"{base}/judging/my")
    page.check("input[name=accept]")
    page.click("form button.primary")
    shot(page, "judging_queue")
    page.locator("table.queue a").first.click()
    inputs = page.locator("#score-form input[type=number]")
    for i, v in enumerate(["38", "28", "27"]):
        inputs.nth(i).fill(v)
    from playwright.sync_api import expect

    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"\d{2}:\d{2}"))
    assert page.locator("#score-total").inner_text() == "93"
    shot(page, "judging_entry")
    with page.expect_navigation():
        page.click("button[value=submit]")

    # Judge B recuses from one entry in the browser.
    b = judges[1]
    db.session.rollback()  # drop the read snapshot taken while the browser was writing
    judge_services.accept_pledge(round_, b)
    db.session.commit()
    _login(page, base, b)
    page.goto(f"{base}/judging/my/{round_id}")
    page.locator("table.queue a").first.click()
    page.click("details.recuse summary")
    page.fill("input[name=reason]", "认识作者")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("details.recuse button")
    db.session.rollback()
    assert db.session.scalar(select(Assignment).where(Assignment.judge_id == b.id, Assignment.status == "recused"))

    # Everyone else scores through the services; one pair disagrees past T.
    db.session.rollback()  # a fresh snapshot: the browser wrote meanwhile

    def pledge(judge):
        member = pool_services.membership(round_, judge)
        if member is not None and member.pledge_accepted_at is None:
            judge_services.accept_pledge(round_, judge)

    by_id = {j.id: j for j in judges + [leader]}
    first_entry = None
    for _ in range(8):  # third judges and arbiters appear as scores come in
        open_items = db.session.scalars(
            select(Assignment).where(Assignment.round_id == round_id, Assignment.status == "assigned")
        ).all()
        if not open_items:
            break
        for item in open_items:
            pledge(by_id[item.judge_id])
            if item.role == AssignmentRole.ARBITER:
                judge_services.save_score(
                    item, actor=by_id[item.judge_id], values=values_for(round_, 30, 20, 20), submit=True
                )
                continue
            # The first regular score given here is far below its partner's: past T.
            low = first_entry is None and item.role == AssignmentRole.REGULAR
            if low:
                first_entry = item.submission_id
            values = values_for(round_, 10, 10, 10) if low else values_for(round_, 35, 25, 25)
            judge_services.save_score(item, actor=by_id[item.judge_id], values=values, submit=True)
        db.session.commit()

    # Organiser: dashboard, scores with the discrepancy, awards, close, finalise.
    _login(page, base, organiser)
    page.goto(f"{base}/judging/rounds/{round_id}/scores")
    assert page.locator("#discrepancies table tbody tr").count() >= 1
    shot(page, "judging_scores")
    page.goto(f"{base}/judging/rounds/{round_id}/awards")
    page.select_option("select[name=first_kind]", "count")
    page.fill("input[name=first_value]", "1")
    page.select_option("select[name=second_kind]", "count")
    page.fill("input[name=second_value]", "1")
    with page.expect_navigation():
        page.click("main form button.primary")
    assert page.locator("#ranking table tbody tr").count() == 4
    page.goto(f"{base}/judging/rounds/{round_id}")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.locator(".page-head form button").first.click()
    page.goto(f"{base}/judging/rounds/{round_id}/awards")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.locator(".page-head form button").first.click()
    shot(page, "judging_awards")
    db.session.rollback()  # a fresh snapshot: the browser wrote meanwhile
    if db.session.get(Round, round_id).state != "finalised":  # say why, for a failing run
        from judging.models import Score

        rows = db.session.execute(
            select(Assignment.submission_id, Assignment.judge_id, Assignment.role, Assignment.status, Score.total)
            .outerjoin(Score, Score.assignment_id == Assignment.id)
            .where(Assignment.round_id == round_id)
            .order_by(Assignment.submission_id)
        ).all()
        message = page.inner_text(".flashes") if page.locator(".flashes").count() else "no message"
        pytest.fail(f"not finalised: {message}; assignments: {[tuple(map(str, r)) for r in rows]}")

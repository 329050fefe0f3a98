"""Browser: a coordinator's draft saves itself while typing, counts characters live, and submits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers import PASSWORD, shot
from helpers.dossiers import make_programme


@pytest.mark.browser
def test_a_draft_saves_itself_and_is_submitted(page, live_server, db, organiser, make_user, make_unit):
    from nominations.models import Nomination

    unit = make_unit(name="区教育局")
    coordinator = make_user("coordinator", unit=unit)
    programme = make_programme(db, organiser, {unit: 1})
    ids = {"programme": programme.id, "coordinator": coordinator.username}
    db.session.commit()
    db.session.remove()
    base = live_server
    page.goto(f"{base}/login")
    page.fill("input[name=login]", ids["coordinator"])
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/nominations/unit")
    page.click(f"a[href='/nominations/programmes/{ids['programme']}/dossiers/new']")
    page.fill("input[name=name]", "王建国")
    page.select_option("select[name=sex]", "male")
    page.fill("input[name=birth_month]", "1980-01")
    page.fill("input[name=workplace]", "临渭区人民街道某社区")
    page.fill("textarea[name=summary]", "扎根社区二十年。")
    page.fill("textarea[name=deeds]", "该同志扎根社区工作二十年，带领群众修路建桥。")
    page.wait_for_selector(".word-count[data-for=deeds]:has-text('22')")  # live count of 22 characters
    page.wait_for_selector(".autosave-status:has-text('草稿已于')", timeout=15000)
    db.session.remove()
    (draft,) = db.session.scalars(select(Nomination)).all()
    assert draft.status == "draft" and draft.name == "王建国"
    shot(page, "nominations-dossier-autosaved")
    page.check("input[name=integrity_confirmed]")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    assert "推荐表已提交主办单位" in page.content()
    db.session.remove()
    (nomination,) = db.session.scalars(select(Nomination)).all()  # the autosaved draft, not a second one
    assert nomination.id == draft.id and nomination.status == "submitted"

"""Browser, issue #8's Done-when: a unit's nomination through the eligibility check (one
return and resubmission), expert scoring, the committee ballot, 联审, a public notice with
one objection resolved, approval and a downloadable certificate; a second unit is refused
over its quota; the dossier PDF and the 推荐汇总表 .xlsx are produced and read back.

The notice must be over before approval, and start_notice refuses past dates, so the
test replays a closed notice (``publishing.demo.replay_closed_notice``) between browser
steps, and files the objection as received during it.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from helpers import PASSWORD, shot
from helpers.dossiers import make_dossier, make_programme

pytestmark = pytest.mark.browser


def _sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def _fill_dossier(page, deeds):
    page.fill("input[name=name]", "王建国")
    page.select_option("select[name=sex]", "male")
    page.fill("input[name=birth_month]", "1980-01")
    page.fill("input[name=workplace]", "临渭区人民街道某社区")
    page.fill("textarea[name=summary]", "扎根社区二十年。")
    page.fill("textarea[name=deeds]", deeds)
    page.check("input[name=integrity_confirmed]")


def _advance(page, base, programme_id, from_page):
    """Press "move on" on one of the office's programme pages."""
    page.goto(f"{base}{from_page}")
    page.click("form[action$='/advance'] button")
    page.wait_for_load_state()


def test_a_nomination_from_the_unit_to_its_certificate(app, db, live_server, page, make_user, make_unit, organiser):
    from accounts.models import User
    from nominations import checks
    from nominations.models import JointUnit, MemberRole, Nomination, Programme, ProgrammeCriterion, ProgrammeMember

    base = live_server
    unit_a, unit_b, dept = make_unit(name="人民街道"), make_unit(name="区教育局"), make_unit(name="区纪委监委")
    coord_a = make_user("coordinator", unit=unit_a)
    coord_b = make_user("coordinator", unit=unit_b)
    dept_user = make_user("coordinator", unit=dept)
    expert = make_user("judge", display_name="评审专家甲")
    member = make_user("committee", display_name="评委会委员甲")
    programme = make_programme(db, organiser, {unit_a: 1, unit_b: 1})
    programme.criteria.append(ProgrammeCriterion(position=1, name="先进事迹", maximum=60))
    programme.criteria.append(ProgrammeCriterion(position=2, name="示范作用", maximum=40))
    programme.members.append(ProgrammeMember(user_id=expert.id, role=MemberRole.EXPERT))
    programme.members.append(ProgrammeMember(user_id=member.id, role=MemberRole.COMMITTEE))
    programme.joint_units.append(JointUnit(unit_id=dept.id))
    b_first = make_dossier(db, programme, coord_b, submit=True, name="张丽")  # unit B's one place is taken
    pid, b_first_id = programme.id, b_first.id
    names = {u: u.username for u in (organiser, coord_a, coord_b, dept_user, expert, member)}
    coord_a, coord_b, dept_user, expert, member = (names[u] for u in (coord_a, coord_b, dept_user, expert, member))
    organiser_id, office, unit_a_id = organiser.id, names[organiser], unit_a.id
    db.session.commit()
    db.session.remove()
    page.on("dialog", lambda d: d.accept())

    # 1. Unit A nominates; unit B is refused a second dossier over its quota.
    _sign_in(page, base, coord_a)
    page.goto(f"{base}/nominations/programmes/{pid}/dossiers/new")
    _fill_dossier(page, "该同志扎根社区工作二十年，带领群众修路建桥。")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    assert "推荐表已提交主办单位" in page.content()
    nid = db.session.scalar(select(Nomination.id).where(Nomination.unit_id == unit_a_id))
    db.session.remove()  # end the test's read snapshot (SQLite WAL) before the server writes again
    _sign_in(page, base, coord_b)
    page.goto(f"{base}/nominations/programmes/{pid}/dossiers/new")
    _fill_dossier(page, "该同志坚守讲台三十年。")
    page.fill("input[name=name]", "赵敏")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    assert "名额已用完" in page.content()
    shot(page, "nominations-chain-01-over-quota")

    # 2. The office checks eligibility: returns the dossier with a reason.
    _sign_in(page, base, office)
    _advance(page, base, pid, f"/nominations/programmes/{pid}")
    page.goto(f"{base}/nominations/dossiers/{nid}")
    page.check("input[name=decision][value=return]")
    page.fill("textarea[name=opinion]", "请补充近三年的主要事迹。")
    page.click("form[action$='/check'] button[type=submit]")
    page.wait_for_load_state()
    shot(page, "nominations-chain-02-returned")

    # 3. The unit revises and resubmits; the office passes it (and rejects B's other dossier).
    _sign_in(page, base, coord_a)
    page.goto(f"{base}/nominations/dossiers/{nid}")
    assert "请补充近三年的主要事迹" in page.content()
    page.goto(f"{base}/nominations/dossiers/{nid}/edit")
    page.fill("textarea[name=deeds]", "该同志扎根社区工作二十年，带领群众修路建桥；近三年调解纠纷一百余起。")
    page.check("input[name=integrity_confirmed]")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    assert "推荐表已提交主办单位" in page.content()
    _sign_in(page, base, office)
    page.goto(f"{base}/nominations/dossiers/{nid}")
    assert "调解纠纷一百余起" in page.content()
    page.check("input[name=decision][value=pass]")
    page.click("form[action$='/check'] button[type=submit]")
    page.wait_for_load_state()
    db.session.remove()
    office_user = db.session.get(User, organiser_id)
    checks.check_nomination(db.session.get(Nomination, b_first_id), "reject", "不符合推荐条件。", office_user)
    db.session.commit()
    db.session.remove()

    # 4. Expert review: the office moves on and assigns; the expert scores.
    _advance(page, base, pid, f"/nominations/programmes/{pid}")
    page.goto(f"{base}/nominations/programmes/{pid}/review")
    page.click("form[action$='/review/assign'] button")
    page.wait_for_load_state()
    _sign_in(page, base, expert)
    page.goto(f"{base}/nominations/review/{pid}/d/{nid}")
    for field in page.locator("#score-form input[type=number]").all():
        field.fill("35")
    page.click("#score-form button[value=submit]")
    page.wait_for_load_state()
    shot(page, "nominations-chain-03-scored")

    # 5. The committee ballot: opened, one vote for, closed.
    _sign_in(page, base, office)
    _advance(page, base, pid, f"/nominations/programmes/{pid}/review")
    page.goto(f"{base}/nominations/programmes/{pid}/ballot")
    page.click("form[action$='/ballot/open'] button")
    page.wait_for_load_state()
    _sign_in(page, base, member)
    page.goto(f"{base}/nominations/committee/{pid}")
    page.check(".vote-form input[name=vote][value=for]")
    page.click(".vote-form button[type=submit]")
    page.wait_for_load_state()
    assert "您已投票：赞成" in page.content()
    _sign_in(page, base, office)
    page.goto(f"{base}/nominations/programmes/{pid}/ballot")
    page.click("form[action$='/ballot/close'] button")
    page.wait_for_load_state()
    shot(page, "nominations-chain-04-ballot-closed")

    # 6. 联审: the department agrees.
    _advance(page, base, pid, f"/nominations/programmes/{pid}/ballot")
    _sign_in(page, base, dept_user)
    page.goto(f"{base}/nominations/joint/{pid}")
    page.check("input[name=decision][value=approve]")
    page.click("form[action*='/nominations/joint/'] button[type=submit]")
    page.wait_for_load_state()

    # 7. Hand-over to publishing for the notice; the notice ran with one objection.
    _sign_in(page, base, office)
    _advance(page, base, pid, f"/nominations/programmes/{pid}/handover")
    assert "/publishing/manage/" in page.url
    rs_id = int(page.url.rstrip("/").split("/")[-1].split("#")[0])
    _replay_notice_with_an_objection(db, rs_id, organiser_id)
    page.goto(f"{base}/nominations/programmes/{pid}/handover")
    page.click("form[action$='/advance'] button")
    page.wait_for_selector(".flash-error")
    assert "异议" in page.locator(".flash-error").inner_text()  # refused while unresolved
    page.goto(f"{base}/publishing/manage/{rs_id}")
    page.click("#objections table a >> nth=0")
    page.select_option("select[name=status]", "dismissed")
    page.fill("textarea[name=outcome]", "经核实，该同志事迹材料真实，异议不成立。")
    page.click("form button[type=submit].primary")
    page.wait_for_selector(".flash-success")

    # 8. Approval, then the certificates.
    page.goto(f"{base}/nominations/programmes/{pid}/handover")
    page.click("form[action$='/advance'] button")
    page.wait_for_selector(".flash-success")
    shot(page, "nominations-chain-05-approved")
    db.session.remove()
    assert db.session.get(Programme, pid).stage == "approved"
    assert db.session.get(Nomination, nid).status == "approved"
    page.goto(f"{base}/publishing/manage/{rs_id}")
    page.click("#certificates form.inline button.primary")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("progress.bar[value='100']")
    page.wait_for_selector("a.job-download:not([href='#'])")
    certificate = page.request.get(base + page.locator("a.job-download").first.get_attribute("href"))
    assert certificate.ok
    assert "授予王建国同志“临渭标杆”荣誉称号" in _pdf_text(certificate.body())

    # 9. The dossier PDF and the 推荐汇总表.
    dossier = page.request.get(f"{base}/nominations/dossiers/{nid}.pdf")
    assert dossier.ok and dossier.headers["content-type"] == "application/pdf"
    text = _pdf_text(dossier.body())
    assert "王建国" in text and "调解纠纷一百余起" in text
    sheet = page.request.get(f"{base}/nominations/programmes/{pid}/summary.xlsx")
    assert sheet.ok
    rows = _xlsx_rows(sheet.body())
    assert any("姓名" in row for row in rows)
    assert any("王建国" in row and "人民街道" in row for row in rows)


def _replay_notice_with_an_objection(db, rs_id, organiser_id):
    from accounts.models import User
    from publishing import objections
    from publishing.demo import replay_closed_notice
    from publishing.models import ResultSet

    db.session.remove()
    rs = db.session.get(ResultSet, rs_id)
    organiser = db.session.get(User, organiser_id)
    replay_closed_notice(rs, days_ago=20, length=5, unit="working", how_to_object="实名来电", actor=organiser)
    objections.file_objection(
        rs,
        real_name="李四",
        phone="13700001111",
        content="该同志的事迹材料存在虚报情况，请核查。",
        honour_id=rs.honours[0].id,
        today=rs.notice_first_day,
    )
    db.session.commit()
    db.session.remove()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())  # the layout breaks lines anywhere


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [[str(v) for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]

"""Committee pages: candidates, one secret vote each, recusal; the office opens and closes the ballot."""

from __future__ import annotations

import pytest

from helpers import follow
from helpers.nominations import PHONE, build


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    return build(db, make_user, make_unit, organiser, dossiers=2, experts=0, committee=3, stage="ballot")


def _count(db):
    from nominations.models import Ballot

    db.session.expire_all()
    return db.session.query(Ballot).count()


def test_the_whole_ballot_through_the_pages(app, db, login, post, setup, organiser):
    pid = setup.programme.id
    a, b = setup.nominations
    office = login(app.test_client(), organiser)
    member = login(app.test_client(), setup.committee[0])
    page = member.get(f"/nominations/committee/{pid}").get_data(as_text=True)
    assert a.name in page and "投票尚未开始" in page and PHONE not in page
    refused = post(member, f"/nominations/committee/{pid}/c/{a.id}/vote", {"vote": "for"}, page="/")
    assert "投票尚未开始" in follow(member, refused) and _count(db) == 0

    assert post(office, f"/nominations/programmes/{pid}/ballot/open", page="/").status_code == 302
    assert post(member, f"/nominations/committee/{pid}/c/{a.id}/vote", {"vote": "for"}, page="/").status_code == 302
    twice = post(member, f"/nominations/committee/{pid}/c/{a.id}/vote", {"vote": "against"}, page="/")
    assert "不能更改" in follow(member, twice) and _count(db) == 1
    recused = post(member, f"/nominations/committee/{pid}/c/{b.id}/recuse", {"reason": "同单位"}, page="/")
    assert recused.status_code == 302
    second = login(app.test_client(), setup.committee[1])
    post(second, f"/nominations/committee/{pid}/c/{a.id}/vote", {"vote": "for"}, page="/")
    post(second, f"/nominations/committee/{pid}/c/{b.id}/vote", {"vote": "against"}, page="/")
    # Secret: before closing a member sees their own ballot, no tally; the office sees turnout only.
    mine = member.get(f"/nominations/committee/{pid}").get_data(as_text=True)
    assert "您已投票：赞成" in mine and "申请回避" in mine and "未达法定人数" not in mine
    office_page = office.get(f"/nominations/programmes/{pid}/ballot").get_data(as_text=True)
    assert "2 / 3" in office_page and "反对" not in office_page.split("已收票数")[1]

    assert post(office, f"/nominations/programmes/{pid}/ballot/close", page="/").status_code == 302
    db.session.expire_all()
    assert (a.status, b.status) == ("passed", "failed")
    third = login(app.test_client(), setup.committee[2])
    late = post(third, f"/nominations/committee/{pid}/c/{a.id}/vote", {"vote": "for"}, page="/")
    assert "投票已结束" in follow(third, late)
    assert _count(db) == 3
    results = member.get(f"/nominations/committee/{pid}").get_data(as_text=True)
    assert "通过" in results and "未达法定人数" in results  # b: 1 of 2 eligible present


def test_candidate_page_shows_the_dossier_without_private_fields(app, login, setup):
    a = setup.nominations[0]
    client = login(app.test_client(), setup.committee[0])
    html = client.get(f"/nominations/committee/{setup.programme.id}/c/{a.id}").get_data(as_text=True)
    assert a.name in html and a.deeds in html and PHONE not in html and a.resident_id not in html


def test_refusals_for_the_committee_pages(app, db, login, post, make_user, setup, organiser):
    pid = setup.programme.id
    a = setup.nominations[0]
    outsider = login(app.test_client(), make_user("committee"))
    assert "暂无您担任评委的评选项目" in outsider.get("/nominations/committee").get_data(as_text=True)
    assert login(app.test_client(), make_user("judge")).get("/nominations/committee").status_code == 403
    assert outsider.get(f"/nominations/committee/{pid}").status_code == 404
    assert outsider.get(f"/nominations/committee/{pid}/c/{a.id}").status_code == 404
    assert post(outsider, f"/nominations/committee/{pid}/c/{a.id}/vote", {"vote": "for"}, page="/").status_code == 404
    member = login(app.test_client(), setup.committee[0])
    assert member.get(f"/nominations/committee/{pid}/c/999999").status_code == 404
    assert member.get(f"/nominations/programmes/{pid}/ballot").status_code == 403
    assert post(member, f"/nominations/programmes/{pid}/ballot/open", page="/").status_code == 403
    setup.programme.stage = "expert_review"  # before the ballot stage members see no candidates
    db.session.commit()
    assert member.get(f"/nominations/committee/{pid}").status_code == 404
    anonymous = app.test_client()
    for url in ("/nominations/committee", f"/nominations/committee/{pid}", f"/nominations/programmes/{pid}/ballot"):
        assert "/login" in anonymous.get(url).headers["Location"]
    assert anonymous.post(f"/nominations/committee/{pid}/c/{a.id}/vote", data={"vote": "for"}).status_code == 400
    office = login(app.test_client(), organiser)
    assert office.get("/nominations/programmes/999999/ballot").status_code == 404
    assert _count(db) == 0


def test_office_manages_the_committee_before_opening(app, db, login, post, make_user, setup, organiser):
    pid = setup.programme.id
    office = login(app.test_client(), organiser)
    newcomer = make_user("committee")
    post(office, f"/nominations/programmes/{pid}/members", {"user_id": newcomer.id, "role": "committee"}, page="/")
    db.session.expire_all()
    assert any(m.user_id == newcomer.id for m in setup.programme.members)
    member_id = next(m.id for m in setup.programme.members if m.user_id == newcomer.id)
    assert post(office, f"/nominations/programmes/{pid}/members/{member_id}/remove", page="/").status_code == 302
    from nominations.models import ProgrammeMember

    db.session.expire_all()
    assert db.session.get(ProgrammeMember, member_id) is None
    assert post(office, f"/nominations/programmes/{pid + 1}/members/{member_id}/remove", page="/").status_code == 404


def test_members_home_lists_their_programmes(app, db, login, make_user, make_unit, setup, organiser):
    from helpers.nominations import add_member, make_programme

    member = setup.committee[0]
    other = make_programme(db, organiser, stage="checking", title="2026年度学习型干部评选")
    add_member(db, other, member, "committee")
    db.session.commit()
    client = login(app.test_client(), member)
    html = client.get("/nominations/committee").get_data(as_text=True)
    assert setup.programme.title in html and "2026年度学习型干部评选" in html
    assert f"/nominations/committee/{setup.programme.id}" in html and f"/nominations/committee/{other.id}" not in html


def test_ballot_results_download_only_after_closing(app, db, login, setup, organiser):
    import io

    from openpyxl import load_workbook

    from core.db import utcnow
    from nominations import ballot_services

    pid = setup.programme.id
    client = login(app.test_client(), organiser)
    assert client.get(f"/nominations/programmes/{pid}/ballot/results.xlsx").status_code == 404
    ballot_services.open_ballot(setup.programme, organiser)
    for member in setup.committee:
        ballot_services.cast_vote(setup.programme, setup.nominations[0], member, "for")
    ballot_services.close_ballot(setup.programme, organiser)
    db.session.commit()
    assert setup.programme.ballot_closed_at <= utcnow()
    response = client.get(f"/nominations/programmes/{pid}/ballot/results.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert any("应到人数" in (r or ()) for r in rows)
    assert any(setup.nominations[0].name in r and "通过" in r for r in rows)
    member = login(app.test_client(), setup.committee[0])
    assert member.get(f"/nominations/programmes/{pid}/ballot/results.xlsx").status_code == 403


def test_home_page_shows_the_members_votes_to_cast(app, db, login, setup, organiser):
    from nominations import ballot_services

    ballot_services.open_ballot(setup.programme, organiser)
    ballot_services.cast_vote(setup.programme, setup.nominations[0], setup.committee[0], "for")
    db.session.commit()
    html = login(app.test_client(), setup.committee[0]).get("/").get_data(as_text=True)
    assert "待投票候选人 1 名" in html and f"/nominations/committee/{setup.programme.id}" in html

"""Expert review pages: the expert's queue, dossier and score form; the office's ranking and assignment."""

from __future__ import annotations

import pytest

from helpers import follow
from helpers.nominations import PHONE, add_photo, build


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    from nominations import review

    setup = build(db, make_user, make_unit, organiser, dossiers=3, experts=3)
    for n in setup.nominations:
        add_photo(db, n)
    review.assign_experts(setup.programme, organiser)
    db.session.commit()
    return setup


def _mine(setup, expert):
    return [r.nomination for n in setup.nominations for r in n.expert_reviews if r.expert_id == expert.id]


def _not_mine(setup, expert):
    return [n for n in setup.nominations if all(r.expert_id != expert.id for r in n.expert_reviews)]


def test_expert_sees_only_assigned_dossiers_without_private_fields(app, login, setup):
    expert = setup.experts[0]
    client = login(app.test_client(), expert)
    home = client.get("/nominations/review")
    assert home.status_code == 302 and home.headers["Location"].endswith(f"/nominations/review/{setup.programme.id}")
    html = client.get(home.headers["Location"]).get_data(as_text=True)
    mine, others = _mine(setup, expert), _not_mine(setup, expert)
    assert mine and others
    assert all(n.name in html for n in mine) and all(n.name not in html for n in others)
    dossier = client.get(f"/nominations/review/{setup.programme.id}/d/{mine[0].id}").get_data(as_text=True)
    assert mine[0].name in dossier and mine[0].deeds in dossier
    assert PHONE not in dossier and mine[0].resident_id not in dossier
    photo = client.get(f"/nominations/review/{setup.programme.id}/d/{mine[0].id}/photo")
    assert photo.status_code == 200 and mine[0].name not in photo.headers["Content-Disposition"]


def test_blind_review_shows_neither_name_unit_nor_photo(app, db, login, setup):
    setup.programme.blind_review = True
    db.session.commit()
    expert = setup.experts[0]
    n = _mine(setup, expert)[0]
    client = login(app.test_client(), expert)
    pages = [
        client.get(f"/nominations/review/{setup.programme.id}").get_data(as_text=True),
        client.get(f"/nominations/review/{setup.programme.id}/d/{n.id}").get_data(as_text=True),
    ]
    for html in pages:
        for secret in (n.name, n.unit.name, PHONE, n.resident_id):
            assert secret not in html
    assert client.get(f"/nominations/review/{setup.programme.id}/d/{n.id}/photo").status_code == 404


def test_scoring_draft_then_submit_locks(app, db, login, post, setup):
    expert = setup.experts[0]
    n = _mine(setup, expert)[0]
    url = f"/nominations/review/{setup.programme.id}/d/{n.id}"
    client = login(app.test_client(), expert)
    values = {f"c{c.id}": c.maximum - 1 for c in setup.programme.criteria}
    assert post(client, url, {**values, "action": "draft"}).status_code == 302
    bad = post(client, url, {**values, f"c{setup.programme.criteria[0].id}": 999, "action": "submit"})
    assert bad.status_code == 422
    done = post(client, url, {**values, "comment": "事迹突出", "action": "submit"})
    assert done.status_code == 302
    db.session.expire_all()
    review = next(r for r in n.expert_reviews if r.expert_id == expert.id)
    assert review.submitted_at is not None and review.total == 97 and review.comment == "事迹突出"
    again = post(client, url, {**{k: 0 for k in values}, "action": "submit"})
    assert "已提交，不能再修改" in follow(client, again)
    db.session.expire_all()
    assert review.total == 97


def test_refusals_for_the_expert_pages(app, login, make_user, setup):
    expert = setup.experts[0]
    other = _not_mine(setup, expert)[0]
    pid = setup.programme.id
    client = login(app.test_client(), expert)
    assert client.get(f"/nominations/review/{pid}/d/{other.id}").status_code == 404
    assert client.get(f"/nominations/review/{pid}/d/{other.id}/photo").status_code == 404
    assert client.get(f"/nominations/review/{pid + 1}").status_code == 404
    outsider = login(app.test_client(), make_user("judge"))
    assert "暂无您担任评审专家的评选项目" in outsider.get("/nominations/review").get_data(as_text=True)
    assert outsider.get(f"/nominations/review/{pid}").status_code == 404
    author = login(app.test_client(), make_user("author"))
    assert author.get("/nominations/review").status_code == 403
    assert author.get(f"/nominations/review/{pid}/d/{other.id}").status_code == 404
    anonymous = app.test_client()
    for url in ("/nominations/review", f"/nominations/review/{pid}", f"/nominations/review/{pid}/d/{other.id}"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_office_ranking_and_assignment(app, db, login, post, make_user, setup, organiser):
    from nominations.models import ExpertReview

    pid = setup.programme.id
    client = login(app.test_client(), organiser)
    html = client.get(f"/nominations/programmes/{pid}/review").get_data(as_text=True)
    assert all(n.name in html for n in setup.nominations) and "缺少专家评分" in html
    newcomer = make_user("judge")
    response = post(client, f"/nominations/programmes/{pid}/members", {"user_id": newcomer.id, "role": "expert"})
    assert response.status_code == 302
    before = db.session.query(ExpertReview).count()
    assert post(client, f"/nominations/programmes/{pid}/review/assign").status_code == 302
    assert db.session.query(ExpertReview).count() == before  # everyone already had two experts
    for who in (setup.experts[0], make_user("coordinator")):
        other = login(app.test_client(), who)
        assert other.get(f"/nominations/programmes/{pid}/review").status_code == 403
        assert post(other, f"/nominations/programmes/{pid}/review/assign", page="/").status_code == 403
    assert client.get("/nominations/programmes/999999/review").status_code == 404
    anonymous = app.test_client().get(f"/nominations/programmes/{pid}/review")
    assert "/login" in anonymous.headers["Location"]


def test_removing_an_expert_with_assignments_is_refused(app, db, login, post, setup, organiser):
    from nominations.models import ProgrammeMember

    member = next(m for m in setup.programme.members if m.user_id == setup.experts[0].id)
    client = login(app.test_client(), organiser)
    response = post(client, f"/nominations/programmes/{setup.programme.id}/members/{member.id}/remove", page="/")
    assert "不能移出专家组" in follow(client, response)
    assert db.session.get(ProgrammeMember, member.id) is not None


def test_expert_of_two_programmes_chooses_one(app, db, login, make_unit, setup, organiser):
    from helpers.nominations import add_member, make_programme

    expert = setup.experts[0]
    other = make_programme(db, organiser, title="2026年度最美科技工作者评选")
    add_member(db, other, expert, "expert")
    db.session.commit()
    html = login(app.test_client(), expert).get("/nominations/review").get_data(as_text=True)
    assert setup.programme.title in html and "2026年度最美科技工作者评选" in html


def test_ranking_downloads_as_a_sheet_with_chinese_headers(app, login, make_user, setup, organiser):
    import io

    from openpyxl import load_workbook

    pid = setup.programme.id
    client = login(app.test_client(), organiser)
    response = client.get(f"/nominations/programmes/{pid}/review/ranking.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "姓名" in cells and "推荐单位" in cells and setup.nominations[0].name in cells
    assert (
        login(app.test_client(), setup.experts[0]).get(f"/nominations/programmes/{pid}/review/ranking.xlsx").status_code
        == 403
    )
    assert client.get("/nominations/programmes/999999/review/ranking.xlsx").status_code == 404


def test_home_page_shows_the_experts_duties(app, login, setup):
    expert = setup.experts[0]
    html = login(app.test_client(), expert).get("/").get_data(as_text=True)
    pending = len(_mine(setup, expert))
    assert "先进典型评选" in html and f"待评分材料 {pending} 份" in html
    assert f"/nominations/review/{setup.programme.id}" in html

"""The 推荐表 for unit coordinators: drafts, autosave, submitting within quota and window,
duplicates, resident IDs, composition warnings, returns and resubmission, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from helpers import audit, follow
from helpers.dossiers import RESIDENT_ID, dossier_values, make_dossier, make_programme


@pytest.fixture
def unit(make_unit):
    return make_unit(name="区教育局")


@pytest.fixture
def other_unit(make_unit):
    return make_unit(name="区卫健局")


@pytest.fixture
def coord(make_user, unit):
    return make_user("coordinator", unit=unit, display_name="教育局联络员")


@pytest.fixture
def other_coord(make_user, other_unit):
    return make_user("coordinator", unit=other_unit)


@pytest.fixture
def programme(db, organiser, unit, other_unit):
    return make_programme(db, organiser, {unit: 1, other_unit: 1})


@pytest.fixture
def id_programme(db, organiser, unit, other_unit):
    return make_programme(db, organiser, {unit: 2, other_unit: 1}, title="身份证评选", required_fields=["resident_id"])


def _nominations(db):
    from nominations.models import Nomination

    db.session.expire_all()
    return db.session.scalars(select(Nomination).order_by(Nomination.id)).all()


def _new(client, post, programme, **kw):
    url = f"/nominations/programmes/{programme.id}/dossiers/new"
    return post(client, url, dossier_values(**kw))


# The unit's page ------------------------------------------------------------------


def test_unit_page_shows_quota_and_used_places(client, db, coord, login, programme):
    make_dossier(db, programme, coord, submit=True)
    login(client, coord)
    html = client.get("/nominations/unit").get_data(as_text=True)
    assert "2026年度临渭标杆评选" in html and "1 / 1" in html and "王建国" in html and "待审核" in html


def test_unit_pages_refuse_anonymous_and_other_roles(app, judge, organiser, login, programme):
    urls = ["/nominations/unit", f"/nominations/programmes/{programme.id}/dossiers/new"]
    for url in urls:
        r = app.test_client().get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
        for user in (judge, organiser):
            assert login(app.test_client(), user).get(url).status_code == 403


def test_a_programme_in_preparation_is_not_there_for_units(client, db, organiser, coord, login, unit):
    draft = make_programme(db, organiser, {unit: 1}, stage="draft")
    login(client, coord)
    assert client.get(f"/nominations/programmes/{draft.id}/dossiers/new").status_code == 404
    assert "2026年度临渭标杆评选" not in client.get("/nominations/unit").get_data(as_text=True)


# Drafts and submitting ------------------------------------------------------------


def test_save_a_draft_then_submit_it(client, db, coord, login, post, programme):
    login(client, coord)
    r = _new(client, post, programme, save="y")
    assert r.status_code == 302 and "/edit" in r.headers["Location"]
    (nomination,) = _nominations(db)
    assert nomination.status == "draft" and nomination.unit_id == coord.unit_id and nomination.version == 0
    assert audit(db, "nomination.draft_create")
    r = post(client, f"/nominations/dossiers/{nomination.id}/edit", dossier_values(submit="y"))
    html = follow(client, r)
    assert "推荐表已提交主办单位" in html and "单位推荐" in html and "情况属实，同意推荐。" in html
    (nomination,) = _nominations(db)
    assert nomination.status == "submitted" and nomination.version == 1 and nomination.submitted_at
    (step,) = nomination.steps
    assert step.kind == "submit" and step.actor_id == coord.id and step.signer == "区教育局"
    (entry,) = audit(db, "nomination.submit")
    assert entry.changes["status"] == ["draft", "submitted"]


def test_submitting_an_incomplete_dossier_says_what_is_missing(client, db, coord, login, post, programme):
    login(client, coord)
    r = _new(client, post, programme, submit="y", deeds="", integrity_confirmed=None)
    assert r.status_code == 422 and "请填写：主要事迹" in r.get_data(as_text=True)
    assert _nominations(db) == []  # nothing half-written
    r = _new(client, post, programme, submit="y", integrity_confirmed=None)
    assert r.status_code == 422 and "诚信承诺" in r.get_data(as_text=True)
    r = _new(client, post, programme, submit="y", summary="字" * 301)
    assert r.status_code == 422 and "超过 300 字" in r.get_data(as_text=True)
    assert _nominations(db) == []


def test_over_the_quota_is_refused_and_the_dossier_is_unchanged(client, db, coord, login, post, programme):
    make_dossier(db, programme, coord, submit=True)
    second = make_dossier(db, programme, coord, name="李梅", sex="female", birth_month=dt.date(1985, 5, 1))
    login(client, coord)
    r = post(client, f"/nominations/dossiers/{second.id}/edit", dossier_values(name="李梅改", submit="y"))
    assert r.status_code == 422 and "名额已用完" in r.get_data(as_text=True)
    db.session.expire_all()
    assert second.status == "draft" and second.name == "李梅" and second.steps == []
    assert len(audit(db, "nomination.submit")) == 1


def test_past_the_deadline_or_outside_the_stage_is_refused(client, db, coord, login, post, programme):
    from publishing.clock import today_local

    draft = make_dossier(db, programme, coord)
    programme.nominate_until = today_local() - dt.timedelta(days=1)
    db.session.commit()
    login(client, coord)
    r = post(client, f"/nominations/dossiers/{draft.id}/edit", dossier_values(submit="y"))
    assert r.status_code == 422 and "推荐截止日期" in r.get_data(as_text=True)
    programme.nominate_until = today_local()  # the deadline day itself is still open
    programme.stage = "checking"
    db.session.commit()
    r = post(client, f"/nominations/dossiers/{draft.id}/edit", dossier_values(submit="y"), page="/nominations/unit")
    assert "不再接受推荐" in follow(client, r)
    db.session.expire_all()
    assert draft.status == "draft"


def test_the_same_person_twice_is_refused(client, db, coord, login, post, programme):
    programme_quota_two(db, programme, coord)
    make_dossier(db, programme, coord, submit=True)
    login(client, coord)
    r = _new(client, post, programme, submit="y")  # same name, month of birth and unit
    assert r.status_code == 422 and "不能重复推荐" in r.get_data(as_text=True)
    r = _new(client, post, programme, submit="y", birth_month="1981-01")
    assert r.status_code == 302


def programme_quota_two(db, programme, coord):
    programme.quotas[0].places = 2
    db.session.commit()


def test_resident_id_is_checked_stored_upper_case_and_shown_masked(
    client, db, coord, organiser, login, post, id_programme
):
    login(client, coord)
    r = _new(client, post, id_programme, save="y", resident_id="610525198001010012")
    assert r.status_code == 422 and "身份证号码无效" in r.get_data(as_text=True)
    r = _new(client, post, id_programme, save="y", resident_id=RESIDENT_ID, birth_month="1980-02")
    assert r.status_code == 422 and "出生年月与身份证号码不一致" in r.get_data(as_text=True)
    r = _new(client, post, id_programme, save="y", resident_id=RESIDENT_ID, sex="female")
    assert r.status_code == 422 and "性别与身份证号码不一致" in r.get_data(as_text=True)
    assert _nominations(db) == []
    # A woman born December 1949 whose number ends in a lower-case x.
    values = dict(resident_id="11010519491231002x", sex="female", birth_month="1949-12", name="赵兰")
    r = _new(client, post, id_programme, submit="y", **values)
    (nomination,) = _nominations(db)
    assert nomination.resident_id == "11010519491231002X" and nomination.status == "submitted"
    for c in (client, login(client.application.test_client(), organiser)):
        html = c.get(f"/nominations/dossiers/{nomination.id}").get_data(as_text=True)
        assert "1101**********002X" in html and "11010519491231002" not in html


def test_the_same_resident_id_twice_is_refused(client, db, coord, login, post, id_programme):
    make_dossier(db, id_programme, coord, resident_id=RESIDENT_ID)
    login(client, coord)
    r = _new(client, post, id_programme, save="y", resident_id=RESIDENT_ID, name="另一人")
    assert r.status_code == 422 and "不能重复推荐" in r.get_data(as_text=True)
    assert len(_nominations(db)) == 1


def test_a_programme_without_resident_ids_keeps_none(client, db, coord, login, post, programme):
    login(client, coord)
    _new(client, post, programme, save="y", resident_id=RESIDENT_ID)
    (nomination,) = _nominations(db)
    assert nomination.resident_id is None


def test_a_broken_composition_rule_warns_but_does_not_refuse(client, db, coord, organiser, login, post, programme):
    from nominations import programmes

    programmes.add_rule(programme, "female", "ge", 50, organiser)
    db.session.commit()
    login(client, coord)
    html = follow(client, _new(client, post, programme, submit="y"))
    assert "结构要求" in html and "女性" in html and "不少于" in html and "推荐表已提交" in html
    (nomination,) = _nominations(db)
    assert nomination.status == "submitted"


# Autosave ------------------------------------------------------------------------


def test_autosave_creates_then_updates_one_draft(client, db, coord, login, post, programme, id_programme):
    login(client, coord)
    url = f"/nominations/programmes/{programme.id}/dossiers/autosave"
    page = f"/nominations/programmes/{programme.id}/dossiers/new"
    r = post(client, url, {**dossier_values(deeds="字" * 10), "nomination_id": ""}, page=page)
    data = r.get_json()
    assert r.status_code == 200 and data["ok"] and data["counts"]["deeds"] == 10
    r = post(client, url, {**dossier_values(name="王建国二"), "nomination_id": data["nomination_id"]}, page=page)
    assert r.get_json()["nomination_id"] == data["nomination_id"]
    (nomination,) = _nominations(db)
    assert nomination.name == "王建国二" and nomination.status == "draft"
    # A half-typed ID number does not stop the rest being saved.
    id_url = f"/nominations/programmes/{id_programme.id}/dossiers/autosave"
    r = post(client, id_url, {**dossier_values(name="钱七"), "resident_id": "6105"}, page=page)
    assert r.get_json()["ok"] and "身份证号码无效" in " ".join(r.get_json()["warnings"])
    assert _nominations(db)[-1].name == "钱七" and _nominations(db)[-1].resident_id is None


def test_autosave_refuses_anonymous_and_someone_elses_draft(
    app, client, db, coord, other_coord, login, post, programme
):
    theirs = make_dossier(db, programme, other_coord)
    url = f"/nominations/programmes/{programme.id}/dossiers/autosave"
    r = post(app.test_client(), url, dossier_values(), page="/login")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    login(client, coord)
    r = post(client, url, {**dossier_values(name="篡改"), "nomination_id": theirs.id}, page="/nominations/unit")
    assert r.status_code == 404
    db.session.expire_all()
    assert theirs.name == "王建国"


# Editing after submitting (returns and resubmission: test_nominations_office.py) -----


def test_a_submitted_dossier_cannot_be_edited(client, db, coord, login, post, programme):
    nomination = make_dossier(db, programme, coord, submit=True)
    login(client, coord)
    r = client.get(f"/nominations/dossiers/{nomination.id}/edit")
    assert "不能再修改" in follow(client, r)
    r = post(
        client, f"/nominations/dossiers/{nomination.id}/edit", dossier_values(name="改名"), page="/nominations/unit"
    )
    assert "不能再修改" in follow(client, r)
    db.session.expire_all()
    assert nomination.name == "王建国"


# Someone else's dossier -------------------------------------------------------------


def test_another_units_dossier_is_404(client, db, coord, other_coord, login, post, programme):
    theirs = make_dossier(db, programme, other_coord)
    login(client, coord)
    base = f"/nominations/dossiers/{theirs.id}"
    for url in (base, f"{base}/edit"):
        assert client.get(url).status_code == 404, url
    for url in (f"{base}/edit", f"{base}/delete", f"{base}/files"):
        assert post(client, url, dossier_values(), page="/nominations/unit").status_code == 404, url
    assert client.get(f"{base}/files/1").status_code == 404
    assert "王建国" not in client.get("/nominations/unit").get_data(as_text=True)


def test_delete_a_draft(client, db, coord, login, post, programme):
    draft = make_dossier(db, programme, coord)
    submitted = make_dossier(db, programme, coord, name="张三", submit=True)
    login(client, coord)
    assert post(client, f"/nominations/dossiers/{draft.id}/delete", page="/nominations/unit").status_code == 302
    r = post(client, f"/nominations/dossiers/{submitted.id}/delete", page="/nominations/unit")
    assert "只能删除草稿" in follow(client, r)
    assert [n.id for n in _nominations(db)] == [submitted.id]
    assert audit(db, "nomination.draft_delete")


def test_a_team_dossier_needs_the_team_fields(client, db, organiser, coord, login, post, unit):
    from nominations.models import Nomination

    team = make_programme(db, organiser, {unit: 1}, title="先进集体评选", kind="team")
    login(client, coord)
    values = dossier_values(name="某社区服务队", sex="", birth_month="", submit="y")
    r = post(client, f"/nominations/programmes/{team.id}/dossiers/new", values)
    assert r.status_code == 422 and "负责人" in r.get_data(as_text=True)
    values.update(leader_name="刘队长", member_count="12", members_text="甲\n乙\n丙")
    r = post(client, f"/nominations/programmes/{team.id}/dossiers/new", values)
    assert r.status_code == 302
    assert db.session.scalar(select(func.count(Nomination.id)).where(Nomination.status == "submitted")) == 1

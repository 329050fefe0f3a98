"""The organising office's eligibility check: the queue, pass / return / reject with a reason,
the unit's revision and resubmission with what changed, and revealing an ID number (logged)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import audit
from helpers.dossiers import RESIDENT_ID, RESIDENT_ID_F, dossier_values, make_dossier, make_programme


@pytest.fixture
def unit(make_unit):
    return make_unit(name="区教育局")


@pytest.fixture
def coord(make_user, unit):
    return make_user("coordinator", unit=unit, display_name="教育局联络员")


@pytest.fixture
def programme(db, organiser, unit):
    return make_programme(db, organiser, {unit: 2}, required_fields=["resident_id"])


@pytest.fixture
def submitted(db, programme, coord):
    return make_dossier(db, programme, coord, resident_id=RESIDENT_ID, submit=True)


def _check(client, post, nomination, decision, opinion=""):
    return post(
        client,
        f"/nominations/dossiers/{nomination.id}/check",
        {"decision": decision, "opinion": opinion},
        page=f"/nominations/dossiers/{nomination.id}",
    )


def test_the_queue_lists_dossiers_awaiting_the_check(client, db, organiser, coord, login, programme, submitted):
    make_dossier(db, programme, coord, name="草稿人")  # a draft is not the office's business
    login(client, organiser)
    html = client.get(f"/nominations/programmes/{programme.id}/dossiers?status=submitted").get_data(as_text=True)
    assert "王建国" in html and "区教育局" in html and "草稿人" not in html


def test_pass(client, db, organiser, login, post, submitted):
    login(client, organiser)
    r = _check(client, post, submitted, "pass")
    assert r.status_code == 302 and "status=submitted" in r.headers["Location"]
    db.session.expire_all()
    assert submitted.status == "eligible"
    step = submitted.steps[-1]
    assert step.kind == "pass" and step.opinion == "经审核，符合推荐条件。" and step.actor_id == organiser.id
    assert step.signer == "中共临渭区委宣传部"
    (entry,) = audit(db, "nomination.check_pass")
    assert entry.changes["status"] == ["submitted", "eligible"]


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_return_and_reject_need_a_reason(client, db, organiser, login, post, submitted, decision):
    login(client, organiser)
    r = _check(client, post, submitted, decision, "")
    assert r.status_code == 422 and "请填写理由" in r.get_data(as_text=True)
    db.session.expire_all()
    assert submitted.status == "submitted" and len(submitted.steps) == 1
    _check(client, post, submitted, decision, "缺少证明材料")
    db.session.expire_all()
    assert submitted.status == ("returned" if decision == "return" else "rejected")
    assert submitted.steps[-1].opinion == "缺少证明材料"
    assert audit(db, f"nomination.check_{decision}")[0].changes["reason"] == "缺少证明材料"


def test_a_decided_dossier_cannot_be_decided_again(client, db, organiser, login, post, submitted):
    login(client, organiser)
    _check(client, post, submitted, "reject", "不符合条件")
    r = _check(client, post, submitted, "pass")
    assert r.status_code == 422 and "只能审查待审核的推荐表" in r.get_data(as_text=True)
    db.session.expire_all()
    assert submitted.status == "rejected"


def test_returned_revised_resubmitted_with_the_chain_and_what_changed(
    client, db, app, organiser, coord, login, post, submitted
):
    office = login(client, organiser)
    _check(office, post, submitted, "return", "请补充主要事迹")
    unit_client = login(app.test_client(), coord)
    html = unit_client.get(f"/nominations/dossiers/{submitted.id}/edit").get_data(as_text=True)
    assert "退回修改：请补充主要事迹" in html
    values = dossier_values(deeds="补充后的主要事迹。该同志扎根社区二十年。", submit="y")
    r = post(unit_client, f"/nominations/dossiers/{submitted.id}/edit", values)
    assert r.status_code == 302
    db.session.expire_all()
    assert submitted.status == "submitted" and submitted.version == 2
    kinds = [s.kind for s in submitted.steps]
    assert kinds == ["submit", "return", "resubmit"]
    resubmit = submitted.steps[-1]
    assert list(resubmit.changes) == ["deeds"] and resubmit.changes["deeds"][1].startswith("补充后")
    assert audit(db, "nomination.resubmit")[0].changes["fields"] == ["deeds"]
    html = office.get(f"/nominations/dossiers/{submitted.id}").get_data(as_text=True)
    chain = ("单位推荐", "退回修改", "请补充主要事迹", "单位修改后重新提交", "主要事迹", "补充后的主要事迹", "第 2 版")
    for words in chain:
        assert words in html, words
    assert "教育局联络员" in html  # the actor of each step
    # The returned dossier kept its place: the resubmission was not refused for the quota.
    from nominations.programmes import used_places

    assert used_places(submitted.programme, submitted.unit_id) == 1


def test_a_resubmission_may_come_after_the_deadline_during_the_check(client, db, app, organiser, coord, login, post):
    from publishing.clock import today_local

    programme = make_programme(db, organiser, {coord.unit: 1}, title="另一评选")
    nomination = make_dossier(db, programme, coord, submit=True)
    login(client, organiser)
    _check(client, post, nomination, "return", "补充材料")
    programme.stage = "checking"
    programme.nominate_until = today_local() - dt.timedelta(days=3)
    db.session.commit()
    unit_client = login(app.test_client(), coord)
    r = post(unit_client, f"/nominations/dossiers/{nomination.id}/edit", dossier_values(submit="y"))
    assert r.status_code == 302
    db.session.expire_all()
    assert nomination.status == "submitted" and nomination.steps[-1].changes == {}
    assert "未作修改即重新提交" in unit_client.get(f"/nominations/dossiers/{nomination.id}").get_data(as_text=True)


def test_revealing_the_resident_id_is_logged_each_time(client, db, organiser, login, post, submitted):
    login(client, organiser)
    page = f"/nominations/dossiers/{submitted.id}"
    assert RESIDENT_ID not in client.get(page).get_data(as_text=True)
    for n in (1, 2):
        r = post(client, f"{page}/reveal-id", page=page)
        assert r.status_code == 200 and RESIDENT_ID in r.get_data(as_text=True)
        assert "no-store" in r.headers["Cache-Control"]
        assert len(audit(db, "nomination.reveal_id")) == n
    assert RESIDENT_ID not in client.get(page).get_data(as_text=True)


def test_office_routes_refuse_anonymous_and_other_roles(app, db, coord, judge, login, post, submitted):
    page = f"/nominations/dossiers/{submitted.id}"
    for url in (f"{page}/check", f"{page}/reveal-id"):
        r = post(app.test_client(), url, {"decision": "pass"}, page="/login")
        assert r.status_code == 302 and "/login" in r.headers["Location"]
        for user in (coord, judge):  # the nominating unit's own coordinator included
            c = login(app.test_client(), user)
            assert post(c, url, {"decision": "pass"}, page="/").status_code == 403
    db.session.expire_all()
    assert submitted.status == "submitted" and audit(db, "nomination.reveal_id") == []
    assert login(app.test_client(), judge).get(page).status_code == 403


def test_another_programmes_or_missing_dossier_is_404(client, organiser, login, post, submitted):
    login(client, organiser)
    assert client.get("/nominations/dossiers/999").status_code == 404
    assert post(client, "/nominations/dossiers/999/check", {"decision": "pass"}, page="/").status_code == 404
    assert post(client, "/nominations/dossiers/999/reveal-id", page="/").status_code == 404


def test_the_organiser_views_every_dossier(client, db, organiser, make_user, make_unit, login, programme):
    other = make_unit(name="区交通局")
    from nominations import programmes

    programmes.set_quotas(programme, {other.id: 1}, organiser)
    db.session.commit()
    values = dict(name="孙八", sex="female", birth_month=dt.date(1990, 2, 1), resident_id=RESIDENT_ID_F)
    theirs = make_dossier(db, programme, make_user("coordinator", unit=other), submit=True, **values)
    login(client, organiser)
    html = client.get(f"/nominations/dossiers/{theirs.id}").get_data(as_text=True)
    assert "孙八" in html and "资格审查" in html
    assert "孙八" in client.get(f"/nominations/programmes/{programme.id}/dossiers").get_data(as_text=True)

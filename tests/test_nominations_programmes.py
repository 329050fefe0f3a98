"""Programmes (organiser): create and edit, quotas as one table and from a sheet, rules, rubric,
people, 联审 departments, stages with their guards, the list and the overview."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from helpers import audit, follow
from helpers.dossiers import make_dossier, make_programme, quota_sheet


@pytest.fixture
def units(make_unit):
    return [make_unit(name=f"区{n}局") for n in ("教育", "卫健", "交通")]


@pytest.fixture
def programme(db, organiser, units):
    return make_programme(db, organiser, {units[0]: 2, units[1]: 1}, stage="draft")


def _form(**kw):
    data = {
        "title": "2026年度学习型干部评选",
        "honour_title": "学习型干部",
        "kind": "individual",
        "organiser_name": "中共临渭区委组织部",
        "eligibility": "在职干部。",
        "approval_ref": "渭组字〔2026〕3号",
        "year": "2026",
        "nominate_until": "2026-12-20",
        "total_places": "5",
        "required_fields": ["resident_id", "photo"],
        "deeds_limit": "2000",
        "summary_limit": "200",
        "experts_per_dossier": "3",
    }
    data.update(kw)
    return data


# Create, edit, list ------------------------------------------------------------


def test_organiser_creates_a_programme_and_it_is_audited(client, db, organiser, login, post):
    from nominations.models import Programme

    login(client, organiser)
    r = post(client, "/nominations/programmes/new", _form())
    assert r.status_code == 302 and "/quotas" in r.headers["Location"]
    programme = db.session.scalar(select(Programme))
    assert programme.honour_title == "学习型干部" and programme.required_fields == ["resident_id", "photo"]
    assert programme.stage == "draft" and programme.created_by_id == organiser.id
    (entry,) = audit(db, "nomination.programme_create")
    assert entry.changes["total_places"] == 5
    html = client.get("/nominations/programmes").get_data(as_text=True)
    assert "2026年度学习型干部评选" in html and "准备中" in html


def test_a_programme_form_with_errors_is_shown_again(client, db, organiser, login, post):
    from nominations.models import Programme

    login(client, organiser)
    r = post(client, "/nominations/programmes/new", _form(title="", total_places="-1"))
    assert r.status_code == 200 and db.session.scalar(select(func.count(Programme.id))) == 0


def test_editing_changes_only_what_changed(client, db, organiser, login, post, programme):
    login(client, organiser)
    url = f"/nominations/programmes/{programme.id}/edit"
    r = post(client, url, _form(title="新名称", total_places="10"))
    assert r.status_code == 302
    db.session.expire_all()
    assert programme.title == "新名称"
    (entry,) = audit(db, "nomination.programme_update")
    assert entry.changes["title"][1] == "新名称"


def test_total_places_below_the_quotas_is_refused(client, db, organiser, login, post, programme):
    login(client, organiser)
    r = post(client, f"/nominations/programmes/{programme.id}/edit", _form(total_places="2"))
    assert r.status_code == 200 and "超过" in r.get_data(as_text=True)
    db.session.expire_all()
    assert programme.total_places == 10


def test_programme_pages_refuse_anonymous_and_other_roles(app, client, db, coordinator, judge, login, post, programme):
    pid = programme.id
    pages = [
        "/nominations/programmes",
        "/nominations/programmes/new",
        f"/nominations/programmes/{pid}",
        f"/nominations/programmes/{pid}/edit",
        f"/nominations/programmes/{pid}/quotas",
        f"/nominations/programmes/{pid}/setup",
        f"/nominations/programmes/{pid}/dossiers",
    ]
    for url in pages:
        r = app.test_client().get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url
    for user in (coordinator, judge):
        c = login(app.test_client(), user)
        for url in pages:
            assert c.get(url).status_code == 403, url
        assert post(c, f"/nominations/programmes/{pid}/advance", page="/").status_code == 403
    anonymous = app.test_client()
    r = post(anonymous, f"/nominations/programmes/{pid}/advance", page="/login")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    db.session.expire_all()
    assert programme.stage == "draft"


def test_a_missing_programme_is_404(client, organiser, login):
    login(client, organiser)
    assert client.get("/nominations/programmes/999").status_code == 404


# Quotas ------------------------------------------------------------------------


def _quota_rows(client, url):
    html = client.get(url).get_data(as_text=True)
    ids = re.findall(r'name="(rows-\d+-unit_id)"[^>]*value="(\d+)"', html) or [
        (m[1], m[0]) for m in re.findall(r'value="(\d+)"[^>]*name="(rows-\d+-unit_id)"', html)
    ]
    return dict(ids)


def test_quotas_are_edited_as_one_table(client, db, organiser, login, post, programme, units):
    login(client, organiser)
    url = f"/nominations/programmes/{programme.id}/quotas"
    rows = _quota_rows(client, url)
    assert len(rows) == 3 + 1  # every active unit, the organiser's own included
    by_unit = {int(v): k.replace("unit_id", "places") for k, v in rows.items()}
    data = dict(rows)
    data[by_unit[units[0].id]] = "3"
    data[by_unit[units[1].id]] = ""  # empty: no places
    data[by_unit[units[2].id]] = "4"
    r = post(client, url, data)
    assert r.status_code == 302
    db.session.expire_all()
    assert {q.unit_id: q.places for q in programme.quotas} == {units[0].id: 3, units[2].id: 4}
    (entry,) = audit(db, "nomination.quotas_set")[-1:]
    assert entry.changes["places"][str(units[1].id)] == [1, 0]


def test_quotas_over_the_total_are_refused_and_nothing_changes(client, db, organiser, login, post, programme, units):
    login(client, organiser)
    url = f"/nominations/programmes/{programme.id}/quotas"
    rows = _quota_rows(client, url)
    data = dict(rows)
    for key in rows:
        data[key.replace("unit_id", "places")] = "4"
    r = post(client, url, data)
    assert r.status_code == 200 and "超过" in r.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(q.places for q in programme.quotas) == [1, 2]


def test_quotas_import_from_a_sheet(client, db, organiser, login, post, programme, units):
    login(client, organiser)
    sheet = quota_sheet([("区教育局", 1), ("区交通局", 3)])
    r = post(
        client,
        f"/nominations/programmes/{programme.id}/quotas/import",
        {"sheet": (io.BytesIO(sheet), "名额.xlsx")},
        page=f"/nominations/programmes/{programme.id}/quotas",
        content_type="multipart/form-data",
    )
    assert "2 个单位" in follow(client, r)
    db.session.expire_all()
    assert {q.unit_id: q.places for q in programme.quotas} == {units[0].id: 1, units[1].id: 1, units[2].id: 3}
    assert audit(db, "nomination.quotas_import")


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([("区教育局", 1), ("不存在的局", 2)], "不存在的局"),
        ([("区教育局", "两个")], "两个"),
        ([("区教育局", 9), ("区交通局", 9)], "超过"),
    ],
)
def test_a_bad_quota_sheet_changes_nothing(client, db, organiser, login, post, programme, rows, words):
    login(client, organiser)
    r = post(
        client,
        f"/nominations/programmes/{programme.id}/quotas/import",
        {"sheet": (io.BytesIO(quota_sheet(rows)), "名额.xlsx")},
        page=f"/nominations/programmes/{programme.id}/quotas",
        content_type="multipart/form-data",
    )
    assert words in follow(client, r)
    db.session.expire_all()
    assert sorted(q.places for q in programme.quotas) == [1, 2]
    assert audit(db, "nomination.quotas_import") == []


# Rules, rubric, people, 联审 ------------------------------------------------------


def test_setup_lists_are_added_and_removed(client, db, organiser, judge, login, post, programme, units):
    login(client, organiser)
    base = f"/nominations/programmes/{programme.id}"
    page = f"{base}/setup"
    r = post(client, f"{base}/rules", {"subject": "female", "op": "ge", "percent": "30"}, page=page)
    assert r.status_code == 302
    post(client, f"{base}/criteria", {"name": "先进事迹", "maximum": "40", "guidance": "事迹突出"}, page=page)
    post(client, f"{base}/members", {"user_id": judge.id, "role": "expert"}, page=page)
    post(client, f"{base}/joint-units", {"unit_id": units[2].id}, page=page)
    html = client.get(page).get_data(as_text=True)
    assert "女性" in html and "先进事迹" in html and judge.display_name in html and "区交通局" in html
    db.session.expire_all()
    assert programme.rules[0].percent == 30 and programme.criteria[0].maximum == 40
    assert programme.members[0].user_id == judge.id and programme.joint_units[0].unit_id == units[2].id
    for part, item in (("rules", programme.rules[0]), ("criteria", programme.criteria[0])):
        assert post(client, f"{base}/{part}/{item.id}/delete", page=page).status_code == 302
    for part, item in (("members", programme.members[0]), ("joint-units", programme.joint_units[0])):
        removed = post(client, f"{base}/{part}/{item.id}/remove", {"back": "setup"}, page=page)
        assert removed.headers["Location"].endswith(page)
    db.session.expire_all()
    assert not (programme.rules or programme.criteria or programme.members or programme.joint_units)
    for action in ("rule_add", "rule_remove", "criterion_add", "member_add", "member_remove", "joint_unit_remove"):
        assert audit(db, f"nomination.{action}"), action


def test_a_rule_out_of_range_and_a_part_of_another_programme(client, db, organiser, login, post, programme, units):
    from nominations import programmes

    other = make_programme(db, organiser, {units[2]: 1}, title="另一评选")
    rule = programmes.add_rule(other, "leader", "le", 20, organiser)
    db.session.commit()
    login(client, organiser)
    base = f"/nominations/programmes/{programme.id}"
    r = post(client, f"{base}/rules", {"subject": "female", "op": "ge", "percent": "130"}, page=f"{base}/setup")
    assert r.status_code == 302 and not programme.rules
    assert post(client, f"{base}/rules/{rule.id}/delete", page=f"{base}/setup").status_code == 404
    db.session.expire_all()
    assert len(other.rules) == 1


# Stages ------------------------------------------------------------------------


def test_stages_advance_with_their_guards(client, db, organiser, judge, make_user, login, post, programme, units):
    from nominations import checks, panels, programmes

    login(client, organiser)
    url = f"/nominations/programmes/{programme.id}/advance"
    page = f"/nominations/programmes/{programme.id}"
    programme.nominate_until = None
    db.session.commit()
    assert "推荐截止日期" in follow(client, post(client, url, page=page))
    from publishing.clock import today_local

    programme.nominate_until = today_local()
    db.session.commit()
    assert "推荐中" in follow(client, post(client, url, page=page))
    db.session.expire_all()
    assert programme.stage == "nominating"
    # Nothing submitted yet: the check cannot start.
    assert "尚无单位" in follow(client, post(client, url, page=page))
    coordinator = make_user("coordinator", unit=units[0])
    nomination = make_dossier(db, programme, coordinator, submit=True)
    post(client, url, page=page)
    db.session.expire_all()
    assert programme.stage == "checking"
    # The dossier still awaits its check; then experts and criteria are missing.
    assert "等待资格审查" in follow(client, post(client, url, page=page))
    checks.check_nomination(nomination, "pass", "", organiser)
    db.session.commit()
    assert "评分标准" in follow(client, post(client, url, page=page))
    programmes.add_criterion(programme, "事迹", 10, "", organiser)
    panels.add_member(programme, judge, "expert", organiser)
    db.session.commit()
    post(client, url, page=page)
    db.session.expire_all()
    assert programme.stage == "expert_review"
    stages = [e.changes["stage"] for e in audit(db, "nomination.programme_stage")]
    assert stages == [["draft", "nominating"], ["nominating", "checking"], ["checking", "expert_review"]]


def test_without_joint_units_the_joint_review_is_skipped(db, organiser, programme):
    """After the ballot, a programme without 联审 departments goes straight to the notice:
    moving on closes nothing while the ballot is open, then hands the candidates over."""
    from core.db import utcnow
    from core.errors import UserError
    from nominations import programmes
    from nominations.models import NominationStatus

    programme.stage = "ballot"
    db.session.commit()
    assert programmes.next_stage(programme) == "notice"
    with pytest.raises(UserError):  # the ballot has not been held
        programmes.advance_stage(programme, organiser)
    unit = programme.quotas[0].unit_id
    from nominations.models import Nomination

    db.session.add(Nomination(programme=programme, unit_id=unit, name="李秀英", status=NominationStatus.PASSED))
    programme.ballot_opened_at = programme.ballot_closed_at = utcnow()
    programmes.advance_stage(programme, organiser)
    assert programme.stage == "notice"
    assert [n.status for n in programme.nominations] == ["on_notice"]
    assert audit(db, "nomination.hand_over")


# Overview ------------------------------------------------------------------------


def test_overview_counts_dossiers_per_unit_and_status(client, db, organiser, make_user, login, programme, units):
    programme.stage = "nominating"
    db.session.commit()
    coordinator = make_user("coordinator", unit=units[0])
    make_dossier(db, programme, coordinator, submit=True)
    make_dossier(db, programme, coordinator, name="李梅", sex="female")
    login(client, organiser)
    html = client.get(f"/nominations/programmes/{programme.id}").get_data(as_text=True)
    assert "区教育局" in html and "区卫健局" in html and "待审核" in html and "草稿" in html
    assert "funnel chart (n3)" not in html  # the placeholder is a template comment


def test_overview_queries_do_not_grow_with_the_dossiers(app, client, db, organiser, make_user, make_unit, login):
    from sqlalchemy import event

    from nominations import programmes

    units = [make_unit(name=f"镇{n}") for n in range(6)]
    programme = make_programme(db, organiser, {u: 3 for u in units}, total_places=30)
    coordinators = [make_user("coordinator", unit=u) for u in units]
    login(client, organiser)
    statements = []

    def count(*_args, **_kw):
        statements.append(1)

    def queries() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/nominations/programmes/{programme.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    make_dossier(db, programme, coordinators[0], submit=True)
    few = queries()
    for i, coordinator in enumerate(coordinators):
        for month in (2, 3):
            make_dossier(db, programme, coordinator, name=f"候选人{i}{month}", birth_month=dt.date(1980, month, 1))
    programmes.add_rule(programme, "female", "ge", 30, organiser)
    db.session.commit()
    assert queries() == few


def test_home_pages_lead_to_the_nomination_pages(app, organiser, coordinator, author, login):
    assert "/nominations/programmes" in login(app.test_client(), organiser).get("/").get_data(as_text=True)
    assert "/nominations/unit" in login(app.test_client(), coordinator).get("/").get_data(as_text=True)
    assert "/nominations/" not in login(app.test_client(), author).get("/").get_data(as_text=True)


def test_the_quota_sheet_downloads_and_imports_back(client, db, organiser, login, post, programme, units):
    from openpyxl import load_workbook

    login(client, organiser)
    r = client.get(f"/nominations/programmes/{programme.id}/quotas.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("单位", "名额") and ("区教育局", 2) in rows and ("区交通局", 0) in rows
    sheet = quota_sheet([(name, 1 if name == "区交通局" else places) for name, places in rows[1:]])
    r = post(
        client,
        f"/nominations/programmes/{programme.id}/quotas/import",
        {"sheet": (io.BytesIO(sheet), "名额.xlsx")},
        page=f"/nominations/programmes/{programme.id}/quotas",
        content_type="multipart/form-data",
    )
    assert "1 个单位" in follow(client, r)
    db.session.expire_all()
    assert programmes_places(programme) == {units[0].id: 2, units[1].id: 1, units[2].id: 1}


def programmes_places(programme):
    return {q.unit_id: q.places for q in programme.quotas}

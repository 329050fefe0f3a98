"""Entry fields the organiser defines: the editor, the author's submit page, drafts, the export,
the judge's projection and the 优秀指导教师 hand-over to publishing."""

from __future__ import annotations

import io

import pytest

from helpers import LONG_TEXT, NO_ROUND, form_token, make_entry, post_entry, refused

FIELDS = [
    {"label": "指导教师", "type": "people", "required": True, "teacher": True},
    {"label": "联系地址", "type": "text"},
    {"label": "年级", "type": "choice", "choices": ["七年级", "八年级"], "judge_visible": True, "no_identity": True},
    {"label": "年龄", "type": "number"},
]


@pytest.fixture
def fcomp(make_competition):
    return make_competition(entry_fields=FIELDS)


def _keys(comp):
    return {d["label"]: f"xf_{d['key']}" for d in comp.entry_fields}


# Definitions ------------------------------------------------------------------


def test_definitions_are_checked_with_clear_messages():
    from core.errors import UserError
    from essays.entry_fields import normalise_definitions

    defs = normalise_definitions(FIELDS + [{"label": "  "}])
    assert [d["key"] for d in defs] == ["f1", "f2", "f3", "f4"]
    assert defs[0]["judge_visible"] is False and defs[2]["judge_visible"] is True
    # Keys stay stable when a field is removed and another added.
    again = normalise_definitions([defs[1], {"label": "学校"}], defs)
    assert [d["key"] for d in again] == ["f2", "f5"]
    bad = [
        ([{"label": "年级", "judge_visible": True}], "no identity"),
        ([{"label": "合作者", "type": "people", "judge_visible": True, "no_identity": True}], "cannot be shown"),
        ([{"label": "年级", "type": "choice", "choices": ["一"]}], "two choices"),
        ([{"label": "简介", "type": "long_text", "teacher": True}], "name teachers"),
        ([{"label": "学校"}, {"label": "学校"}], "different"),
    ]
    for rows, words in bad:
        with pytest.raises(UserError, match=words):
            normalise_definitions(rows)


def test_values_are_checked_and_people_parsed():
    from core.errors import UserError
    from essays.entry_fields import clean_values, judge_visible_fields, normalise_definitions, teachers

    defs = normalise_definitions(FIELDS)
    values = clean_values(defs, {"f1": "王老师，实验中学\n李老师", "f3": "七年级", "f4": "13"})
    assert values == {
        "f1": [{"name": "王老师", "unit": "实验中学"}, {"name": "李老师", "unit": ""}],
        "f3": "七年级",
        "f4": 13,
    }
    assert judge_visible_fields(defs, values) == (("年级", "七年级"),)
    assert teachers(defs, values) == [("王老师", "实验中学"), ("李老师", "")]
    with pytest.raises(UserError, match="Please fill in"):
        clean_values(defs, {"f3": "七年级"})
    assert clean_values(defs, {"f3": "七年级"}, complete=False) == {"f3": "七年级"}  # a draft
    with pytest.raises(UserError, match="listed options"):
        clean_values(defs, {"f1": "王老师", "f3": "九年级"})
    with pytest.raises(UserError, match="number"):
        clean_values(defs, {"f1": "王老师", "f4": "十三"})


# The organiser's editor --------------------------------------------------------


def test_organiser_defines_fields_on_the_edit_page(client, login, organiser, comp, csrf, db):
    from helpers import audit

    login(client, organiser)
    path = f"/essays/manage/{comp.id}/edit"
    html = client.get(path).get_data(as_text=True)
    assert "entry_fields-0-label" in html
    data = _competition_form_data(comp)
    data.update(
        {
            "entry_fields-0-label": "指导教师",
            "entry_fields-0-type": "people",
            "entry_fields-0-required": "y",
            "entry_fields-0-teacher": "y",
            "entry_fields-1-label": "年级",
            "entry_fields-1-type": "choice",
            "entry_fields-1-choices": "七年级，八年级",
            "entry_fields-1-judge_visible": "y",
            "entry_fields-1-no_identity": "y",
        }
    )
    data["csrf_token"] = csrf(client, path)
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    assert [(d["label"], d["type"], d["judge_visible"]) for d in comp.entry_fields] == [
        ("指导教师", "people", False),
        ("年级", "choice", True),
    ]
    assert comp.entry_fields[1]["choices"] == ["七年级", "八年级"]
    assert audit(db, "competition.update")
    # The page shows them again, with spare rows.
    html = client.get(path).get_data(as_text=True)
    assert 'value="指导教师"' in html and "entry_fields-3-label" in html
    # Judge-visible without the no-identity tick is refused with the reason.
    data["entry_fields-1-no_identity"] = ""
    data["csrf_token"] = csrf(client, path)
    response = client.post(path, data=data)
    assert response.status_code in (200, 400, 422)
    assert "不含身份信息" in response.get_data(as_text=True)


def _competition_form_data(comp):
    from essays.forms import CompetitionForm, fill_competition_form

    form = CompetitionForm(meta={"csrf": False})
    fill_competition_form(form, comp)
    data = {}
    for f in form:
        if f.type == "FieldList":
            for row in f:
                for sub in row.form:
                    if sub.data not in (None, False, ""):
                        data[sub.name] = (
                            "y" if sub.data is True else sub._value() if hasattr(sub, "_value") else sub.data
                        )
        elif f.type == "MultiCheckboxField":
            data[f.name] = list(f.data)
        elif f.type == "BooleanField":
            if f.data:
                data[f.name] = "y"
        elif f.type != "CSRFTokenField" and f.data is not None:
            data[f.name] = f._value()
    return data


def test_editor_refusals(app, login, csrf, organiser, author, comp):
    path = f"/essays/manage/{comp.id}/edit"
    refused(
        app,
        login,
        csrf,
        {"author": author, "organiser": organiser},
        [(None, path, 302), ("author", path, 403), ("organiser", "/essays/manage/999999/edit", 404)],
        method="get",
    )


# The author's submit page ----------------------------------------------------


def test_author_fills_the_fields_and_a_missing_one_is_refused(client, login, author, fcomp, csrf, db):
    from essays.models import Submission

    login(client, author)
    keys = _keys(fcomp)
    html = client.get(f"/essays/c/{fcomp.id}/submit").get_data(as_text=True)
    assert keys["指导教师"] in html and "七年级" in html
    response = post_entry(client, fcomp, csrf, **{keys["年级"]: "七年级", keys["联系地址"]: "渭南市临渭区"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写指导教师" in page and "渭南市临渭区" in page  # what was typed stays
    assert db.session.query(Submission).count() == 0
    response = post_entry(
        client, fcomp, csrf, **{keys["指导教师"]: "王老师，实验中学", keys["年级"]: "七年级", keys["年龄"]: "13"}
    )
    assert response.status_code == 302
    entry = db.session.query(Submission).one()
    assert entry.field_values[fcomp.entry_fields[0]["key"]] == [{"name": "王老师", "unit": "实验中学"}]
    # The edit page shows the values again; the entry page lists them.
    edit = client.get(f"/essays/entry/{entry.id}/edit").get_data(as_text=True)
    assert "王老师，实验中学" in edit
    assert "王老师（实验中学）" in client.get(f"/essays/entry/{entry.id}").get_data(as_text=True)


def test_drafts_keep_the_fields(client, login, author, fcomp, csrf, db):
    from essays.models import Submission

    login(client, author)
    keys = _keys(fcomp)
    path = f"/essays/c/{fcomp.id}/submit"
    token = form_token(client.get(path).get_data(as_text=True))
    response = client.post(
        f"/essays/c/{fcomp.id}/autosave",
        json={"token": token, "title": "草稿", "body": "春风", "fields": {keys["联系地址"]: "渭南市"}},
        headers={"X-CSRFToken": csrf(client, path)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    draft = db.session.get(Submission, response.get_json()["entry_id"])
    assert draft.field_values == {fcomp.entry_fields[1]["key"]: "渭南市"}
    assert "渭南市" in client.get(f"/essays/entry/{draft.id}/edit").get_data(as_text=True)
    bad = client.post(
        f"/essays/c/{fcomp.id}/autosave",
        json={"token": token, "entry_id": draft.id, "title": "草稿", "fields": {keys["年龄"]: "十三"}},
        headers={"X-CSRFToken": csrf(client, path)},
    )
    assert bad.status_code == 409 and "数字" in bad.get_json()["message"]


# The organiser's export ------------------------------------------------------------


def test_export_has_the_private_fields(app, client, login, author, organiser, fcomp, csrf):
    from openpyxl import load_workbook

    keys = _keys(fcomp)
    login(client, author)
    assert (
        post_entry(
            client, fcomp, csrf, **{keys["指导教师"]: "王老师，实验中学", keys["联系地址"]: "渭南市"}
        ).status_code
        == 302
    )
    client = login(app.test_client(), organiser)
    xlsx = client.get(f"/essays/manage/{fcomp.id}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    assert {"指导教师", "联系地址", "年级", "年龄"} <= set(header)
    assert rows[1][header.index("指导教师")] == "王老师（实验中学）"
    assert rows[1][header.index("联系地址")] == "渭南市"


# The judge's projection -------------------------------------------------------------


def test_blind_projection_keeps_only_judge_visible_fields(db, author, fcomp):
    from essays.blind import project

    entry = make_entry(db, fcomp, author)
    f = {d["label"]: d["key"] for d in fcomp.entry_fields}
    entry.field_values = {
        f["指导教师"]: [{"name": "王老师", "unit": "实验中学"}],
        f["联系地址"]: "渭南市",
        f["年级"]: "八年级",
    }
    db.session.commit()
    blind = project(entry)
    assert blind.fields == (("年级", "八年级"),)
    assert "王老师" not in repr(blind) and "渭南市" not in repr(blind)


# 优秀指导教师 -------------------------------------------------------------------------


@pytest.fixture
def awarded(db, make_user, make_unit, organiser, fcomp):
    """A round of ``fcomp`` whose two entries have awards, one naming two teachers."""
    from judging import round_services
    from judging.models import Award

    keys = {d["label"]: d["key"] for d in fcomp.entry_fields}
    school = make_unit(name="实验中学")
    first = make_entry(db, fcomp, make_user("author", unit=school), title="春")
    second = make_entry(db, fcomp, make_user("author", unit=make_unit()), title="秋")
    third = make_entry(db, fcomp, make_user("author", unit=make_unit()), title="冬")
    first.field_values = {keys["指导教师"]: [{"name": "王老师", "unit": ""}, {"name": "李老师", "unit": "二中"}]}
    second.field_values = {keys["指导教师"]: [{"name": "王老师", "unit": "实验中学"}]}
    third.field_values = {keys["指导教师"]: [{"name": "赵老师", "unit": "三中"}]}  # no award
    round_ = round_services.create_round(fcomp, actor=organiser, name="初评", k=1)
    db.session.add_all(
        [
            Award(round_id=round_.id, submission_id=first.id, level="first", position=1),
            Award(round_id=round_.id, submission_id=second.id, level="second", position=1),
        ]
    )
    db.session.commit()
    return round_


def test_teachers_of_awarded_entries_go_to_publishing(client, login, post, organiser, awarded, db):
    from helpers import audit
    from publishing.models import RecipientKind, ResultSet, SourceType

    login(client, organiser)
    page = client.get(f"/judging/rounds/{awarded.id}/awards").get_data(as_text=True)
    assert "优秀指导教师" in page and f"/judging/rounds/{awarded.id}/awards/teachers" in page
    response = post(
        client,
        f"/judging/rounds/{awarded.id}/awards/teachers",
        {"level_text": "优秀指导教师"},
        page=f"/judging/rounds/{awarded.id}/awards",
    )
    assert response.status_code == 302 and "/publishing/" in response.headers["Location"]
    rs = db.session.query(ResultSet).filter_by(source_type=SourceType.COMPETITION_TEACHERS).one()
    assert rs.source_id == awarded.competition_id
    got = [(h.recipient_name, h.recipient_unit, h.level_text, h.recipient_kind) for h in rs.honours]
    # 王老师 of the first entry takes the author's unit; the same teacher is named once.
    assert got == [
        ("王老师", "实验中学", "优秀指导教师", RecipientKind.PERSON),
        ("李老师", "二中", "优秀指导教师", RecipientKind.PERSON),
    ]
    assert audit(db, "results.import")
    # The publishing page takes it from here like any result set.
    assert "优秀指导教师" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_teacher_hand_over_refusals(
    app, login, csrf, post, organiser, author, judge, awarded, client, db, make_competition
):
    path = f"/judging/rounds/{awarded.id}/awards/teachers"
    refused(
        app,
        login,
        csrf,
        {"author": author, "judge": judge, "organiser": organiser},
        [
            (None, path, 302),
            ("author", path, 403),
            ("judge", path, 403),
            ("organiser", f"/judging/rounds/{NO_ROUND}/awards/teachers", 404),
        ],
        data={"level_text": "优秀指导教师"},
    )
    # An activity without a teacher field is told so.
    from judging import round_services

    plain = make_competition()
    round_ = round_services.create_round(plain, actor=organiser, name="初评", k=1)
    db.session.commit()
    login(client, organiser)
    response = post(client, f"/judging/rounds/{round_.id}/awards/teachers", {"level_text": ""}, page="/")
    assert response.status_code == 302
    assert "没有填写指导教师" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_submission_without_field_values_keeps_old_ones(db, author, fcomp):
    """Callers that send no field values (imports, older code) leave the entry's values alone."""
    from helpers import submit

    result = submit(fcomp, author, text=LONG_TEXT)
    assert result.entry.field_values in ({}, None)


def test_a_field_with_values_cannot_be_removed(db, organiser, author, fcomp):
    from core.errors import UserError
    from essays import competitions

    entry = make_entry(db, fcomp, author)
    entry.field_values = {fcomp.entry_fields[1]["key"]: "渭南市"}
    db.session.commit()
    others = [d for d in fcomp.entry_fields if d["label"] != "联系地址"]
    with pytest.raises(UserError, match="cannot be removed"):
        competitions.update_competition(fcomp, actor=organiser, entry_fields=others)
    db.session.rollback()
    # A field nobody filled in may go.
    kept = [d for d in fcomp.entry_fields if d["label"] != "年龄"]
    competitions.update_competition(fcomp, actor=organiser, entry_fields=kept)
    assert [d["label"] for d in fcomp.entry_fields] == ["指导教师", "联系地址", "年级"]

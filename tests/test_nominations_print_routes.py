"""Routes of printing and downloads: the 推荐表 PDF, the 推荐汇总表 .xlsx, the PDF batch job."""

from __future__ import annotations

import io

import pytest

from helpers import PASSWORD
from helpers.nomprint import DEEDS_END, add_step, make_nomination, make_programme, pdf_text


@pytest.fixture
def setup(db, make_unit, make_user):
    from accounts.models import Role

    unit, other_unit = make_unit("区科技局"), make_unit("区教育局")
    users = {
        "organiser": make_user("organiser", unit=make_unit("区委宣传部")),
        "coordinator": make_user("coordinator", unit=unit),
        "other_coordinator": make_user("coordinator", unit=other_unit),
        "author": make_user("author", unit=unit),
        "expert": make_user("judge", unit=other_unit),
    }
    assert users["coordinator"].has_role(Role.COORDINATOR)
    programme = make_programme(db, units=[unit, other_unit], required_fields=["resident_id"])
    submitted = make_nomination(db, programme, unit, name="李静怡", resident_id="610502199001010013")
    add_step(db, submitted, "submit")
    draft = make_nomination(db, programme, unit, status="draft", name="赵草稿")
    theirs = make_nomination(db, programme, other_unit, name="钱教师", phone="=HYPERLINK(1)")
    db.session.commit()
    return dict(
        users=users,
        programme=programme,
        unit=unit,
        other_unit=other_unit,
        submitted=submitted,
        draft=draft,
        theirs=theirs,
    )


def _client(app, login, user=None):
    client = app.test_client()
    if user is not None:
        login(client, user, PASSWORD)
    return client


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_dossier_pdf_for_the_unit_and_the_office(app, login, setup):
    s = setup
    for who in ("coordinator", "organiser"):
        response = _client(app, login, s["users"][who]).get(f"/nominations/dossiers/{s['submitted'].id}.pdf")
        assert response.status_code == 200, who
        assert response.mimetype == "application/pdf"
        text = pdf_text(response.data)
        assert "李静怡" in text and DEEDS_END in text and "6105**********0013" in text
        assert "610502199001010013" not in text


def test_dossier_pdf_refusals(app, login, setup, db):
    from nominations.models import ExpertReview

    s = setup
    url = f"/nominations/dossiers/{s['submitted'].id}.pdf"
    response = _client(app, login).get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for who in ("author", "other_coordinator", "expert"):
        assert _client(app, login, s["users"][who]).get(url).status_code == 404, who
    # The office does not see a unit's draft; the unit does.
    draft_url = f"/nominations/dossiers/{s['draft'].id}.pdf"
    assert _client(app, login, s["users"]["organiser"]).get(draft_url).status_code == 404
    assert _client(app, login, s["users"]["coordinator"]).get(draft_url).status_code == 200
    assert _client(app, login, s["users"]["organiser"]).get("/nominations/dossiers/999999.pdf").status_code == 404
    # An assigned expert sees the form, unless the programme is blind.
    db.session.add(ExpertReview(nomination_id=s["submitted"].id, expert_id=s["users"]["expert"].id))
    db.session.commit()
    assert _client(app, login, s["users"]["expert"]).get(url).status_code == 200
    s["programme"].blind_review = True
    db.session.commit()
    assert _client(app, login, s["users"]["expert"]).get(url).status_code == 404


def test_programme_summary_xlsx(app, login, setup):
    s = setup
    response = _client(app, login, s["users"]["organiser"]).get(
        f"/nominations/programmes/{s['programme'].id}/summary.xlsx"
    )
    assert response.status_code == 200
    rows = _xlsx_rows(response.data)
    assert rows[0][0] == "寻找最美科技工作者推荐汇总表"
    header = rows[1]
    assert header[:9] == ["序号", "推荐单位", "姓名", "性别", "出生年月", "民族", "政治面貌", "学历", "工作单位及职务"]
    assert "状态" in header and "身份证号" in header
    body = rows[2:]
    names = [r[2] for r in body]
    assert names == ["李静怡", "钱教师"]  # the draft stays out
    first = dict(zip(header, body[0]))
    assert first["推荐单位"] == "区科技局" and first["状态"] == "待审核" and first["身份证号"] == "6105**********0013"
    assert first["序号"] == 1
    # The formula guard: a phone typed as a formula stays text.
    assert dict(zip(header, body[1]))["联系电话"] == "=HYPERLINK(1)"
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws.cell(row=4, column=header.index("联系电话") + 1).data_type == "s"


def test_programme_summary_refusals(app, login, setup):
    s = setup
    url = f"/nominations/programmes/{s['programme'].id}/summary.xlsx"
    assert "/login" in _client(app, login).get(url).headers["Location"]
    for who in ("coordinator", "author", "expert"):
        assert _client(app, login, s["users"][who]).get(url).status_code == 404, who
    assert (
        _client(app, login, s["users"]["organiser"]).get("/nominations/programmes/999/summary.xlsx").status_code == 404
    )


def test_unit_summary(app, login, setup):
    s = setup
    url = f"/nominations/programmes/{s['programme'].id}/units/{s['unit'].id}/summary.xlsx"
    own = _xlsx_rows(_client(app, login, s["users"]["coordinator"]).get(url).data)
    assert [r[2] for r in own[2:]] == ["李静怡", "赵草稿"]  # the unit's own list keeps its draft
    assert "区科技局" in own[0][0]
    office = _xlsx_rows(_client(app, login, s["users"]["organiser"]).get(url).data)
    assert [r[2] for r in office[2:]] == ["李静怡"]
    assert "/login" in _client(app, login).get(url).headers["Location"]
    for who in ("other_coordinator", "author", "expert"):
        assert _client(app, login, s["users"][who]).get(url).status_code == 404, who


def test_batch_job_makes_one_pdf(app, login, setup, csrf, monkeypatch):
    from pypdf import PdfReader

    from nominations import printing

    monkeypatch.setattr(printing, "BATCH_CHUNK", 1)  # two chunks joined into one file
    s = setup
    page_url = f"/nominations/programmes/{s['programme'].id}/dossiers/batch"
    client = _client(app, login, s["users"]["organiser"])
    page = client.get(page_url)
    assert page.status_code == 200 and "2" in page.get_data(as_text=True)
    response = client.post(page_url, data={"csrf_token": csrf(client, page_url)})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    status = client.get(f"/jobs/{job_id}.json").get_json()
    assert status["status"] == "done", status
    download = client.get(status["download_url"])
    assert download.status_code == 200
    reader = PdfReader(io.BytesIO(download.data))
    text = pdf_text(download.data)
    assert "李静怡" in text and "钱教师" in text and "赵草稿" not in text
    assert text.count("推荐表") >= 2 and len(reader.pages) >= 2
    assert str(reader.metadata.get("/Title")) == "寻找最美科技工作者"
    # Another person cannot fetch the result.
    other = _client(app, login, s["users"]["coordinator"])
    assert other.get(status["download_url"]).status_code == 404


def test_batch_refusals(app, login, setup, csrf):
    s = setup
    url = f"/nominations/programmes/{s['programme'].id}/dossiers/batch"
    anonymous = _client(app, login)
    assert "/login" in anonymous.get(url).headers["Location"]
    assert anonymous.post(url).status_code == 400  # no CSRF token
    for who in ("coordinator", "author", "expert"):
        client = _client(app, login, s["users"][who])
        assert client.get(url).status_code == 404, who
        assert client.post(url, data={"csrf_token": csrf(client, "/")}).status_code == 404, who


def test_batch_without_dossiers_fails_with_a_message(app, login, db, make_unit, make_user, csrf):
    organiser = make_user("organiser", unit=make_unit())
    programme = make_programme(db, units=[make_unit()])
    db.session.commit()
    client = _client(app, login, organiser)
    url = f"/nominations/programmes/{programme.id}/dossiers/batch"
    response = client.post(url, data={"csrf_token": csrf(client, url)})
    status = client.get(response.headers["Location"] + ".json").get_json()
    assert status["status"] == "failed" and status["error"]

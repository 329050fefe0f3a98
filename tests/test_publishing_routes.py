"""Public pages, API against its OpenAPI document, organiser pages and their refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import EMAIL, PHONE, import_honours
from publishing.certificates import revoke_certificate
from publishing.clock import today_local
from publishing.models import Certificate, Objection, ResultState
from publishing.notice import start_notice
from publishing.objections import file_objection

# --- public pages ------------------------------------------------------------------


def test_nothing_public_before_notice(client, draft):
    assert "2026年科技征文活动" not in client.get("/public").get_data(as_text=True)
    for url in (
        f"/public/activities/{draft.id}/notice",
        f"/public/activities/{draft.id}/results",
        f"/api/v1/activities/{draft.id}",
        f"/api/v1/activities/{draft.id}/results",
    ):
        assert client.get(url).status_code == 404, url


def test_notice_page_shows_window_list_and_form_without_contacts(client, on_notice):
    html = client.get(f"/public/activities/{on_notice.id}/notice").get_data(as_text=True)
    assert "李秀英" in html and "科技之光" in html and "区教育局" in html
    assert "实名来电 0913-2123456" in html
    assert on_notice.notice_last_day.strftime("%Y-%m-%d") in html
    assert PHONE not in html and EMAIL not in html
    assert 'name="real_name"' in html and 'name="phone"' in html
    # Final results are not out yet.
    assert client.get(f"/public/activities/{on_notice.id}/results").status_code == 302


def test_objection_filed_and_throttled_per_address(app, client, db, on_notice, csrf):
    url = f"/public/activities/{on_notice.id}/notice"
    app.config["OBJECTION_LIMIT_PER_ADDRESS"] = "2 per hour"
    try:
        statuses = []
        for n in range(3):
            token = csrf(client, url)
            r = client.post(
                url,
                data={
                    "csrf_token": token,
                    "honour_id": on_notice.honours[0].id,
                    "real_name": "王小明",
                    "phone": "13912345678",
                    "content": f"该作品涉嫌抄袭网络文章，请核查（补充材料{n}）。",
                },
            )
            statuses.append(r.status_code)
    finally:
        app.config.pop("OBJECTION_LIMIT_PER_ADDRESS")
    assert statuses == [302, 302, 429]
    assert db.session.query(Objection).count() == 2


def test_objection_without_phone_is_refused(client, db, on_notice, post):
    url = f"/public/activities/{on_notice.id}/notice"
    r = post(client, url, {"honour_id": 0, "real_name": "王小明", "phone": "", "content": "该作品涉嫌抄袭网络文章。"})
    assert r.status_code == 200
    assert db.session.query(Objection).count() == 0


def test_results_page_grouped_without_contacts(client, published):
    html = client.get(f"/public/activities/{published.id}/results").get_data(as_text=True)
    assert html.index("一等奖") < html.index("二等奖")
    assert "李秀英" in html and "区农业局" in html
    assert PHONE not in html and EMAIL not in html
    home = client.get("/public").get_data(as_text=True)
    assert "2026年科技征文活动" in home


@pytest.mark.parametrize(
    "suffix, mimetype",
    [("pdf", "application/pdf"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
)
def test_winner_list_downloads(client, published, suffix, mimetype):
    r = client.get(f"/public/activities/{published.id}/results.{suffix}")
    assert r.status_code == 200 and r.mimetype == mimetype


def test_verify_page_shows_valid_then_revoked(client, db, published, organiser):
    cert = published.honours[0].certificate
    html = client.get(f"/verify/{cert.token}").get_data(as_text=True)
    assert "李秀英" in html and cert.number in html and "一等奖" in html and "2026年科技征文活动" in html
    assert "verify-ok" in html
    revoke_certificate(cert, "获奖资格被取消", organiser)
    db.session.commit()
    html = client.get(f"/verify/{cert.token}").get_data(as_text=True)
    assert "verify-bad" in html and "获奖资格被取消" in html
    assert client.get("/verify/not-a-token").status_code == 404


# --- API -----------------------------------------------------------------------------


@pytest.fixture
def openapi(client):
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    return doc


def _check(doc, data, schema_name):
    import jsonschema

    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_openapi_document_is_valid(openapi):
    assert openapi["openapi"].startswith("3.1")
    assert "/api/v1/certificates/{token}" in openapi["paths"]


def test_api_responses_match_the_document(client, openapi, published, on_notice_other):
    data = client.get("/api/v1/activities").get_json()
    _check(openapi, data, "ActivityList")
    assert {a["state"] for a in data["activities"]} == {"notice", "published"}
    one = client.get(f"/api/v1/activities/{published.id}").get_json()
    _check(openapi, one, "Activity")
    results = client.get(f"/api/v1/activities/{published.id}/results").get_json()
    _check(openapi, results, "Results")
    assert [lv["level_text"] for lv in results["levels"]] == ["一等奖", "二等奖"]
    text = str(results)
    assert PHONE not in text and EMAIL not in text
    cert = published.honours[0].certificate
    verification = client.get(f"/api/v1/certificates/{cert.token}").get_json()
    _check(openapi, verification, "Verification")
    assert verification["valid"] is True and verification["number"] == cert.number
    missing = client.get("/api/v1/certificates/nope")
    assert missing.status_code == 404
    _check(openapi, missing.get_json(), "Error")
    # Results of an activity still on notice are not in the API.
    assert client.get(f"/api/v1/activities/{on_notice_other.id}/results").status_code == 404


@pytest.fixture
def on_notice_other(db, organiser, winner):
    rs = import_honours(db, organiser, winner, source_id=2)
    start_notice(rs, start=today_local(), length=5, unit="calendar", how_to_object="来电", actor=organiser)
    db.session.commit()
    return rs


# --- authors' certificates -----------------------------------------------------------------


def test_author_downloads_own_certificate_only(client, db, published, winner, make_user, login):
    cert = published.honours[0].certificate
    other = db.session.get(Certificate, published.honours[1].certificate.id)
    login(client, winner)
    home = client.get("/").get_data(as_text=True)
    assert f"/publishing/my/certificates/{cert.id}.pdf" in home
    r = client.get(f"/publishing/my/certificates/{cert.id}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert client.get(f"/publishing/my/certificates/{other.id}.pdf").status_code == 404
    stranger = make_user("author")
    client.post("/logout", data={})
    client2 = client.application.test_client()
    login(client2, stranger)
    assert client2.get(f"/publishing/my/certificates/{cert.id}.pdf").status_code == 404


def test_revoked_certificate_not_downloadable_by_author(client, db, published, winner, organiser, login):
    cert = published.honours[0].certificate
    revoke_certificate(cert, "撤销", organiser)
    db.session.commit()
    login(client, winner)
    assert client.get(f"/publishing/my/certificates/{cert.id}.pdf").status_code == 404


def test_anonymous_download_goes_to_login(client, published):
    cert = published.honours[0].certificate
    r = client.get(f"/publishing/my/certificates/{cert.id}.pdf")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# --- organiser pages ----------------------------------------------------------------------

MANAGE_PAGES = [
    "/publishing/manage",
    "/publishing/manage/{id}",
    "/publishing/manage/{id}/template",
    "/publishing/manage/{id}/outbox",
    "/publishing/manage/workdays",
]


@pytest.mark.parametrize("path", MANAGE_PAGES)
@pytest.mark.parametrize(
    "who, expected", [(None, 302), ("author", 403), ("judge", 403), ("organiser", 200), ("admin", 200)]
)
def test_manage_pages_by_role(client, request, draft, login, path, who, expected):
    if who:
        login(client, request.getfixturevalue(who))
    r = client.get(path.format(id=draft.id))
    assert r.status_code == expected


@pytest.mark.parametrize(
    "path",
    [
        "/publishing/manage/{id}/publish",
        "/publishing/manage/{id}/certificates",
        "/publishing/manage/{id}/outbox/prepare",
    ],
)
def test_manage_actions_refused_to_authors(client, draft, author, login, csrf, path):
    login(client, author)
    token = csrf(client, "/")
    assert client.post(path.format(id=draft.id), data={"csrf_token": token}).status_code == 403


def test_organiser_notice_objection_publish_flow(client, db, draft, organiser, login, post):
    login(client, organiser)
    url = f"/publishing/manage/{draft.id}"
    fields = {
        "n-start": today_local().isoformat(),
        "n-length": 5,
        "n-unit": "working",
        "n-how_to_object": "实名来电",
    }
    r = post(client, f"{url}/notice", fields, page=url)
    assert r.status_code == 200 and "notice-window" in r.get_data(as_text=True)  # confirm the window first
    r = post(client, f"{url}/notice", {**fields, "n-confirmed": "1"}, page=url)
    assert r.status_code == 302
    db.session.refresh(draft)
    assert draft.state == ResultState.NOTICE
    obj = file_objection(
        draft,
        real_name="王小明",
        phone="13912345678",
        content="该作品涉嫌抄袭网络文章。",
        honour_id=draft.honours[1].id,
    )
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "王小明" in page
    # Publishing is refused while the window is open.
    r = post(client, f"{url}/publish", page=url)
    db.session.refresh(draft)
    assert draft.state == ResultState.NOTICE
    r = post(
        client,
        f"/publishing/manage/objections/{obj.id}",
        {"status": "upheld", "honour_id": draft.honours[1].id, "outcome": "查实抄袭，取消获奖资格。"},
    )
    assert r.status_code == 302
    db.session.refresh(obj)
    assert obj.status == "upheld" and obj.honour.withdrawn


def test_organiser_revokes_and_regenerates(client, db, published, organiser, login, post):
    login(client, organiser)
    cert = published.honours[0].certificate
    url = f"/publishing/manage/{published.id}"
    r = post(client, f"/publishing/manage/certificates/{cert.id}/regenerate", page=url)
    assert r.status_code == 302
    db.session.refresh(cert)
    assert cert.file_id is not None
    post(client, f"/publishing/manage/certificates/{cert.id}/revoke", {"reason": ""}, page=url)
    db.session.refresh(cert)
    assert not cert.revoked
    post(client, f"/publishing/manage/certificates/{cert.id}/revoke", {"reason": "资格取消"}, page=url)
    db.session.refresh(cert)
    assert cert.revoked and cert.revoked_reason == "资格取消"


def test_template_preview_reports_missing_glyphs(client, draft, organiser, login, post):
    login(client, organiser)
    url = f"/publishing/manage/{draft.id}/template"
    r = post(
        client,
        f"{url}/preview",
        {
            "title": "荣誉证书",
            "activity_name": "测试\U0010fffd活动",
            "closing": "特发此证",
            "issuers": "区委宣传部",
            "date_style": "arabic",
            "page_size": "A4",
            "orientation": "landscape",
            "style": "classic",
            "activity_code": "ZP",
            "number_pattern": "{code}-{serial:03d}",
        },
        page=url,
    )
    data = r.get_json()
    assert data["missing"] and "U+10FFFD" in data["missing"][0]
    assert "荣誉证书" in data["html"]


def test_public_call_for_essays_is_readable_without_signing_in(app, db, organiser):
    """The public site lists open calls; drafts stay hidden."""

    from core.db import utcnow
    from essays.models import Competition, CompetitionStatus, Genre

    now = utcnow()
    open_call = Competition(
        code="ZW2027",
        title="“书香临渭”全民阅读征文",
        notice_html="<p>欢迎投稿</p>",
        status=CompetitionStatus.OPEN,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=20),
    )
    open_call.genres = [Genre(name="散文", max_length=3000, count_rule="word")]
    draft = Competition(
        code="ZW2028",
        title="尚未发布的征文",
        status=CompetitionStatus.DRAFT,
        opens_at=now,
        closes_at=now + dt.timedelta(days=30),
    )
    db.session.add_all([open_call, draft])
    db.session.commit()
    client = app.test_client()
    home = client.get("/public").get_data(as_text=True)
    assert "“书香临渭”全民阅读征文" in home and "尚未发布的征文" not in home
    page = client.get(f"/public/calls/{open_call.id}").get_data(as_text=True)
    assert "欢迎投稿" in page and "散文" in page and "注册后投稿" in page
    assert client.get(f"/public/calls/{draft.id}").status_code == 404
    assert client.get("/public/calls/999999").status_code == 404

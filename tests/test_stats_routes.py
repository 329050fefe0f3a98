"""Statistics pages: figures by unit, town, genre and group, the .xlsx workbook, and the
优秀组织奖 hand-over to publishing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import event, select

from helpers.stats import add_entries, give_awards
from publishing.models import RecipientKind, ResultSet, ResultState, SourceType


@pytest.fixture
def district(make_unit):
    town = make_unit(name="城关街道", kind="town")
    return {
        "town": town,
        "community": make_unit(name="城关一社区", kind="community", parent=town),
        "bureau": make_unit(name="区教育局", kind="bureau"),
        "idle": make_unit(name="区卫健局", kind="bureau"),
    }


@pytest.fixture
def figures(db, make_competition, make_user, district):
    """One activity, quota 2: 城关一社区 recommends 2 (a first prize); 区教育局 recommends 1 and its
    authors send 2 more, one disqualified (a second prize, an excellence award); drafts and withdrawn don't count."""
    comp = make_competition(unit_quota=2)
    author = make_user("author")
    community = add_entries(db, comp, author, district["community"], 2)
    bureau = add_entries(db, comp, author, district["bureau"], 1, genre=1, group=1)
    bureau += add_entries(db, comp, author, district["bureau"], 1, genre=1, group=1, recommended=False)
    bureau += add_entries(db, comp, author, district["bureau"], 1, status="disqualified", recommended=False)
    add_entries(db, comp, author, district["bureau"], 1, status="draft")
    add_entries(db, comp, author, district["bureau"], 1, status="withdrawn")
    give_awards(db, comp, [(community[0], "second"), (bureau[0], "third")], position=1)
    give_awards(db, comp, [(community[0], "first"), (bureau[0], "second"), (bureau[1], "excellence")], position=2)
    db.session.commit()
    return comp


SENTENCE = "共收到来自2个单位的投稿5篇，其中合格作品4篇；评出一等奖1篇、二等奖1篇、优秀奖1篇。"


def test_activity_page_shows_the_sentence_and_figures(client, login, organiser, figures):
    login(client, organiser)
    html = client.get(f"/judging/stats/{figures.id}").get_data(as_text=True)
    assert SENTENCE in html
    assert "城关街道" in html  # the town line, which adds up its community
    assert "区卫健局" in html and "0%" in html  # owes its quota, sent nothing
    assert "100%" in html  # the community recommended 2 of 2
    assert html.count("<svg") >= 3 and "散文" in html and "青少年组" in html


def test_overview_adds_activities_and_filters_by_year(
    db, client, login, organiser, figures, make_competition, make_user, district
):
    other = make_competition(title="清廉家风征文", unit_quota=0, unit_recommendation_enabled=False)
    add_entries(db, other, make_user("author"), district["idle"], 3, recommended=False)
    db.session.commit()
    login(client, organiser)
    html = client.get("/judging/stats").get_data(as_text=True)
    assert "共收到来自3个单位的投稿8篇" in html and "清廉家风征文" in html and SENTENCE in html
    year = figures.opens_at.year
    assert "清廉家风征文" in client.get(f"/judging/stats?year={year}").get_data(as_text=True)
    assert "清廉家风征文" not in client.get(f"/judging/stats?year={year - 5}").get_data(as_text=True)


def test_xlsx_export_by_content(client, login, organiser, figures):
    from openpyxl import load_workbook

    login(client, organiser)
    response = client.get(f"/judging/stats/{figures.id}/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["总体情况", "按单位", "按镇（街道）", "按体裁", "按组别"]
    summary = list(wb["总体情况"].values)
    assert summary[2][-1] == SENTENCE
    units = {row[0]: row for row in list(wb["按单位"].values)[1:]}
    header = next(wb["按单位"].values)
    assert header[:6] == ("单位", "作品数", "合格", "已用名额", "名额", "参与率")
    assert units["城关一社区"][1:6] == (2, 2, 2, 2, "100%")
    assert units["区教育局"][1:6] == (3, 2, 1, 2, "50%") and units["区教育局"][-1] == 2
    assert units["区卫健局"][5] == "0%"
    towns = list(wb["按镇（街道）"].values)
    assert towns[1][:3] == ("城关街道", 2, 2)
    overview = load_workbook(io.BytesIO(client.get("/judging/stats/export.xlsx").data))
    assert list(overview["总体情况"].values)[2][1] == figures.title


def test_query_count_does_not_grow_with_data(
    db, client, login, organiser, figures, make_competition, make_user, make_unit
):
    login(client, organiser)
    statements = []

    def count(*_args, **_kw):
        statements.append(1)

    def queries(path) -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    few = (
        queries("/judging/stats"),
        queries(f"/judging/stats/{figures.id}"),
        queries(f"/judging/stats/{figures.id}/organisation"),
    )
    for n in range(3):
        comp = make_competition(title=f"征文{n}")
        town = make_unit(name=f"新镇{n}", kind="town")
        for k in range(3):
            unit = make_unit(name=f"新镇{n}单位{k}", parent=town)
            subs = add_entries(db, comp, make_user("author"), unit, 3, genre=k % 2)
            add_entries(db, figures, make_user("author"), unit, 2)
            give_awards(db, comp, [(subs[0], "first")], position=k + 1)
    db.session.commit()
    many = (
        queries("/judging/stats"),
        queries(f"/judging/stats/{figures.id}"),
        queries(f"/judging/stats/{figures.id}/organisation"),
    )
    assert many == few


def test_organisation_ranking_shows_the_rule(client, login, organiser, figures):
    login(client, organiser)
    html = client.get(f"/judging/stats/{figures.id}/organisation").get_data(as_text=True)
    assert "所用规则：先比参与率，再比获奖作品数，再比投稿数。参与率＝单位推荐作品数÷推荐名额（2篇）。" in html
    body = html[html.index("<tbody") :]
    assert body.index("城关一社区") < body.index("区教育局")  # 100 % before 50 %
    html = client.get(f"/judging/stats/{figures.id}/organisation?rule=awards").get_data(as_text=True)
    body = html[html.index("<tbody") :]
    assert body.index("区教育局") < body.index("城关一社区")  # 2 awards before 1
    assert "先比获奖作品数" in html


def test_unit_honours_go_to_publishing(db, client, login, organiser, post, figures, district):
    login(client, organiser)
    path = f"/judging/stats/{figures.id}/organisation"
    ids = [district["community"].id, district["bureau"].id]
    response = post(client, path, {"unit_ids": ids, "level_text": "优秀组织奖"})
    assert response.status_code == 302
    rs = db.session.scalar(select(ResultSet).where(ResultSet.source_type == SourceType.COMPETITION_UNITS))
    assert response.headers["Location"].endswith(f"/publishing/manage/{rs.id}")
    assert rs.source_id == figures.id and rs.state == ResultState.DRAFT
    assert [(h.recipient_name, h.recipient_kind, h.level_text) for h in rs.honours] == [
        ("城关一社区", RecipientKind.UNIT, "优秀组织奖"),
        ("区教育局", RecipientKind.UNIT, "优秀组织奖"),
    ]
    assert rs.template.activity_name == figures.title
    page = client.get(f"/publishing/manage/{rs.id}").get_data(as_text=True)
    assert "城关一社区" in page
    # Again while a draft: the list is refilled, not doubled; the competition's own results are untouched.
    post(client, path, {"unit_ids": [district["bureau"].id]})
    db.session.expire_all()
    assert [h.recipient_name for h in rs.honours] == ["区教育局"]
    assert db.session.scalar(select(ResultSet).where(ResultSet.source_type == SourceType.COMPETITION)) is None
    assert "城关一社区" in client.get(path).get_data(as_text=True)


def test_unit_honours_need_a_unit(db, client, login, organiser, post, figures):
    login(client, organiser)
    response = post(
        client, f"/judging/stats/{figures.id}/organisation", {"level_text": "优秀组织奖"}, follow_redirects=True
    )
    assert "请至少选择一个单位" in response.get_data(as_text=True)
    assert db.session.scalar(select(ResultSet)) is None


PAGES = [
    "/judging/stats",
    "/judging/stats/export.xlsx",
    "/judging/stats/{id}",
    "/judging/stats/{id}/export.xlsx",
    "/judging/stats/{id}/organisation",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(client, figures, path):
    response = client.get(path.format(id=figures.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["author", "coordinator", "judge", "committee"])
def test_other_roles_are_refused(client, login, make_user, figures, role, post, organiser):
    login(client, make_user(role))
    for path in PAGES:
        assert client.get(path.format(id=figures.id)).status_code == 403
    response = post(client, f"/judging/stats/{figures.id}/organisation", {"unit_ids": [1]}, page="/")
    assert response.status_code == 403


def test_admin_sees_statistics_and_unknown_activity_is_404(client, login, admin, figures):
    login(client, admin)
    assert client.get(f"/judging/stats/{figures.id}").status_code == 200
    assert client.get("/judging/stats/99999").status_code == 404
    assert client.get("/judging/stats/99999/export.xlsx").status_code == 404
    assert client.get("/judging/stats/99999/organisation").status_code == 404


def test_links_from_navigation_and_the_competition_page(client, login, organiser, figures):
    login(client, organiser)
    assert 'href="/judging/stats"' in client.get("/").get_data(as_text=True)
    html = client.get(f"/essays/manage/{figures.id}").get_data(as_text=True)
    assert f'href="/judging/stats/{figures.id}"' in html


def test_unit_honours_publish_and_certify_as_any_result_set(db, client, organiser, figures, district):
    from judging.unit_honours import award_unit_honours
    from publishing.certificate_template import ensure_template
    from publishing.certificates import issue_certificates, page_for
    from publishing.demo import replay_closed_notice
    from publishing.results import publish_results

    rs = award_unit_honours(figures, [district["community"].id], "", actor=organiser)
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    publish_results(rs, organiser)
    issue_certificates(rs, organiser)
    db.session.commit()
    honour = rs.honours[0]
    assert honour.level_text == "优秀组织奖" and honour.level_code == "organisation"
    page = page_for(honour.certificate, ensure_template(rs))
    assert page["recipient"] == "城关一社区："  # a unit: no 同志
    assert page["sentence"] == f"在{figures.title}中，荣获优秀组织奖。"
    html = client.get(f"/public/activities/{rs.id}/results").get_data(as_text=True)
    assert "城关一社区" in html and "优秀组织奖" in html

"""Per-activity access (承办/协办) on every publishing organiser page.

A result set belongs to the activity it publishes (``source_type``/``source_id``: a
competition, its unit or teacher honours, or a programme). A co-organising department's
account not listed on that activity gets 404 on the result set's pages, certificates,
objections and outbox; once listed it gets them. Site-wide pages (working days) are refused
(403). The endpoints are read from the URL map: a new publishing endpoint open to organisers
without a row here (or in GLOBAL) fails ``test_every_organiser_endpoint_has_a_row``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from accounts import activity_access as access
from accounts.models import OrganiserPart
from helpers import import_honours
from helpers.access import ask, assert_every_endpoint_has_a_row, url_of


@dataclass(frozen=True)
class Row:
    method: str = "GET"
    ok: int = 200  # the status once the account is listed
    data: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


ROWS: dict[str, Row] = {
    "publishing.manage_result": Row(),
    "publishing.start_notice": Row("POST", 302),
    "publishing.cancel_notice": Row("POST", 302, data={"reason": "名单有误"}),
    "publishing.unpublish": Row("POST", 302, data={"reason": "名单有误"}),
    "publishing.publish": Row("POST", 302),
    "publishing.edit_honour": Row(),
    "publishing.withdraw_honour": Row("POST", 302, data={"reason": "经核实不符合条件"}),
    "publishing.objection": Row(),
    "publishing.template": Row(),
    "publishing.template_preview": Row("POST", 200),
    "publishing.template_preview_pdf": Row(),
    "publishing.generate_certificates": Row("POST", 302),
    "publishing.certificates_file": Row(values={"kind": "pdf"}),
    "publishing.certificate_file": Row(),
    "publishing.revoke_certificate": Row("POST", 302, data={"reason": "证书信息有误"}),
    "publishing.regenerate_certificate": Row("POST", 302),
    "publishing.outbox": Row(),
    "publishing.outbox_action": Row("POST", 302, values={"action": "prepare"}),
    "publishing.outbox_message": Row(),
}

# Organiser endpoints that touch no one activity, and what a limited account gets there.
GLOBAL = {
    "publishing.manage": "200, listing only the result sets of the account's activities (test below)",
    "publishing.workdays": "403: the district's working-day calendar serves every activity's notice",
    "publishing.delete_workday": "403, as above",
}


@pytest.fixture
def world(db, comp, organiser, winner):
    from core.storage import store_bytes
    from publishing.certificates import issue_certificates
    from publishing.demo import replay_closed_notice
    from publishing.models import Objection
    from publishing.outbox import prepare_result_messages
    from publishing.results import publish_results

    rs = import_honours(db, organiser, winner, source_id=comp.id)
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    publish_results(rs, organiser)
    (cert, *_rest) = issue_certificates(rs, organiser)
    pdf = store_bytes(b"%PDF-1.4", content_type="application/pdf")
    db.session.flush()
    rs.certificates_pdf_id = pdf.id
    objection = Objection(result_set=rs, real_name="张三", phone="13800000000", content="对获奖名单有异议，请核实。")
    db.session.add(objection)
    (message, *_more) = prepare_result_messages(rs, organiser)
    db.session.commit()
    return {
        "comp": comp.id,
        "values": {
            "rs_id": rs.id,
            "honour_id": rs.honours[1].id,
            "objection_id": objection.id,
            "cert_id": cert.id,
            "message_id": message.id,
        },
    }


@pytest.mark.parametrize("endpoint", sorted(ROWS))
def test_a_co_organiser_is_refused_on_another_activity_and_served_on_theirs(
    app, db, client, login, csrf, world, organiser, co_organiser, endpoint
):
    row = ROWS[endpoint]
    url = url_of(app, endpoint, {**world["values"], **row.values})
    login(client, co_organiser)
    assert ask(client, csrf, url, row.method, row.data).status_code == 404, url
    access.add_organiser(access.COMPETITION, world["comp"], co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    db.session.commit()
    response = ask(client, csrf, url, row.method, row.data)
    assert response.status_code == row.ok, (url, response.status_code)


def test_every_organiser_endpoint_has_a_row(app):
    assert_every_endpoint_has_a_row(app, ("publishing",), ROWS, GLOBAL)


@pytest.mark.parametrize(
    "source_type, activity_type",
    [
        ("competition", access.COMPETITION),
        ("competition_units", access.COMPETITION),
        ("competition_teachers", access.COMPETITION),
        ("programme", access.PROGRAMME),
    ],
)
def test_a_result_set_belongs_to_the_activity_it_publishes(db, organiser, co_organiser, source_type, activity_type):
    from publishing.models import ResultSet
    from publishing.permissions import can_manage_result_set

    rs = ResultSet(source_type=source_type, source_id=41, title="名单", organiser="区委宣传部")
    assert can_manage_result_set(organiser, rs)
    assert not can_manage_result_set(co_organiser, rs)
    other = access.PROGRAMME if activity_type == access.COMPETITION else access.COMPETITION
    access.add_organiser(other, 41, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    assert not can_manage_result_set(co_organiser, rs)  # the same id of the other kind opens nothing
    access.add_organiser(activity_type, 41, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    assert can_manage_result_set(co_organiser, rs)


def test_the_result_list_and_desk_show_only_their_activities(
    app, db, client, login, make_competition, organiser, co_organiser, winner
):
    from publishing.clock import today_local
    from publishing.notice import start_notice

    ours, theirs = make_competition(title="教育局读书征文"), make_competition(title="文广局摄影征文")
    for comp, title in ((ours, "教育局读书征文获奖名单"), (theirs, "文广局摄影征文获奖名单")):
        rs = import_honours(db, organiser, winner, source_id=comp.id)
        rs.title = title
        start_notice(rs, start=today_local(), length=5, unit="working", how_to_object="实名来电", actor=organiser)
    access.add_organiser(access.COMPETITION, ours.id, co_organiser, OrganiserPart.CO_ORGANISER, actor=organiser)
    db.session.commit()
    login(client, co_organiser)
    for page in (client.get("/publishing/manage"), client.get("/")):
        html = page.get_data(as_text=True)
        assert "教育局读书征文获奖名单" in html and "文广局摄影征文获奖名单" not in html
    html = login(app.test_client(), organiser).get("/publishing/manage").get_data(as_text=True)
    assert "教育局读书征文获奖名单" in html and "文广局摄影征文获奖名单" in html


def test_working_days_are_the_district_departments(app, db, client, login, csrf, organiser, co_organiser):
    login(client, co_organiser)
    assert client.get("/publishing/manage/workdays").status_code == 403
    token = csrf(client, "/")
    response = client.post("/publishing/manage/workdays", data={"csrf_token": token, "day": "2026-10-08"})
    assert response.status_code == 403
    assert "/publishing/manage/workdays" not in client.get("/publishing/manage").get_data(as_text=True)
    assert login(app.test_client(), organiser).get("/publishing/manage/workdays").status_code == 200

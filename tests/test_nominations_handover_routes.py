"""The office's hand-over to publishing and approval pages."""

from __future__ import annotations

import pytest

from helpers import follow
from helpers.nominations import build


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    from core.db import utcnow

    setup = build(
        db, make_user, make_unit, organiser, dossiers=2, experts=0, committee=0, stage="ballot", status="passed"
    )
    setup.programme.ballot_opened_at = setup.programme.ballot_closed_at = utcnow()
    db.session.commit()
    return setup


def test_hand_over_then_approve_after_the_notice(app, db, login, post, setup, organiser):
    from nominations import handover
    from publishing import clock as publishing_clock
    from publishing import notice as publishing_notice
    from publishing.demo import replay_closed_notice

    pid = setup.programme.id
    client = login(app.test_client(), organiser)
    response = post(client, f"/nominations/programmes/{pid}/advance", page="/")
    rs = handover.result_set(setup.programme)
    assert response.headers["Location"].endswith(f"/publishing/manage/{rs.id}")
    db.session.expire_all()
    assert [n.status for n in setup.nominations] == ["on_notice", "on_notice"]
    page = client.get(f"/nominations/programmes/{pid}/handover").get_data(as_text=True)
    assert f"/publishing/manage/{rs.id}" in page
    early = post(client, f"/nominations/programmes/{pid}/advance", page="/")
    assert "请先在结果发布中开始公示" in follow(client, early)
    publishing_notice.start_notice(
        rs, start=publishing_clock.today_local(), length=5, unit="working", how_to_object="来电", actor=organiser
    )
    db.session.commit()
    running = post(client, f"/nominations/programmes/{pid}/advance", page="/")
    assert "公示期尚未结束" in follow(client, running)
    publishing_notice.cancel_notice(rs, "公示期设置有误", organiser)
    replay_closed_notice(rs, days_ago=20, length=5, unit="working", how_to_object="来电", actor=organiser)
    db.session.commit()
    assert post(client, f"/nominations/programmes/{pid}/advance", page="/").status_code == 302
    db.session.expire_all()
    assert setup.programme.stage == "approved"
    assert [n.status for n in setup.nominations] == ["approved", "approved"]


def test_refusals_for_the_office_pages(app, db, login, post, make_user, setup):
    pid = setup.programme.id
    for role in ("coordinator", "judge", "committee"):
        client = login(app.test_client(), make_user(role))
        assert client.get(f"/nominations/programmes/{pid}/handover").status_code == 403
        assert post(client, f"/nominations/programmes/{pid}/advance", page="/").status_code == 403
    anonymous = app.test_client()
    assert "/login" in anonymous.get(f"/nominations/programmes/{pid}/handover").headers["Location"]
    assert anonymous.post(f"/nominations/programmes/{pid}/advance").status_code == 400
    office = login(app.test_client(), setup.organiser)
    assert office.get("/nominations/programmes/999999/handover").status_code == 404
    db.session.expire_all()
    assert [n.status for n in setup.nominations] == ["passed", "passed"]

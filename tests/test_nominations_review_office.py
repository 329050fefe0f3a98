"""Every office page of the later stages refuses the anonymous, the wrong roles and unknown programmes."""

from __future__ import annotations

import pytest

from helpers import refused
from helpers.nominations import build

OFFICE_GETS = [
    "/nominations/programmes/{pid}/review",
    "/nominations/programmes/{pid}/review/ranking.xlsx",
    "/nominations/programmes/{pid}/ballot",
    "/nominations/programmes/{pid}/joint",
    "/nominations/programmes/{pid}/handover",
]
OFFICE_POSTS = [
    "/nominations/programmes/{pid}/review/assign",
    "/nominations/programmes/{pid}/members",
    "/nominations/programmes/{pid}/ballot/open",
    "/nominations/programmes/{pid}/ballot/close",
    "/nominations/programmes/{pid}/joint-units",
    "/nominations/programmes/{pid}/advance",
]


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    return build(db, make_user, make_unit, organiser, dossiers=2, experts=2, committee=2)


@pytest.fixture
def users(setup, make_user, organiser):
    return {
        "organiser": organiser,
        "expert": setup.experts[0],
        "committee": setup.committee[0],
        "coordinator": make_user("coordinator", unit=setup.units[0]),
        "author": make_user("author"),
    }


def test_office_pages_refuse_others(app, login, csrf, users, setup):
    pid = setup.programme.id
    get_cases, post_cases = [], []
    for who in (None, "expert", "committee", "coordinator", "author"):
        expected = 302 if who is None else 403
        get_cases += [(who, url.format(pid=pid), expected) for url in OFFICE_GETS]
        post_cases += [(who, url.format(pid=pid), expected) for url in OFFICE_POSTS]
    get_cases += [("organiser", url.format(pid=999999), 404) for url in OFFICE_GETS]
    post_cases += [("organiser", url.format(pid=999999), 404) for url in OFFICE_POSTS]
    refused(app, login, csrf, users, get_cases, method="get")
    refused(app, login, csrf, users, post_cases)


def test_office_pages_open_for_the_organiser_at_every_stage(app, db, login, users, setup):
    pid = setup.programme.id
    client = login(app.test_client(), users["organiser"])
    for stage in ("expert_review", "ballot", "joint_review", "notice", "approved"):
        setup.programme.stage = stage
        db.session.commit()
        for url in OFFICE_GETS:
            assert client.get(url.format(pid=pid)).status_code == 200, (stage, url)


def test_expert_pages_refuse_the_anonymous(app, setup):
    pid, nid = setup.programme.id, setup.nominations[0].id
    client = app.test_client()
    for url in (f"/nominations/review/{pid}/d/{nid}/photo", f"/exemplars/{pid}/photo/{nid}"):
        response = client.get(url)
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]

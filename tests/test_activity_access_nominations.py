"""Per-activity access (承办/协办) in nominations: a co-organising department's account manages
the programmes that list it, and no other.

Every endpoint of the nominations blueprint is in one of three tables: ``ROWS`` (the office's
pages and actions on one programme or its dossiers: the co-organiser, listed on a programme
of its own, gets 404 on another department's; once listed the GET pages open and the POST
actions are no longer refused), ``GLOBAL`` (office pages naming no programme, with what a
limited account gets, tested below) and ``NOT_OFFICE`` (pages of units, experts, committee
members, 联审 departments and the public, decided by who the person is, not by the office's
rights). Every endpoint whose view requires the organiser role must be in ROWS or GLOBAL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from helpers.access import check_refused_until_listed
from helpers.nominations import add_joint_unit, add_photo, build, make_programme


@dataclass(frozen=True)
class Row:
    values: dict = field(default_factory=dict)
    listed: int = 200  # the GET page once the co-organiser is listed
    post_opens: bool = True  # once listed, the POST is checked to be no longer refused


ROWS: dict[str, Row] = {
    # The programme and its set-up
    "nominations.programme": Row(),
    "nominations.edit_programme": Row(),
    "nominations.quotas": Row(),
    "nominations.import_quotas": Row(),
    "nominations.quota_sheet": Row(),
    "nominations.programme_setup": Row(),
    "nominations.add_rule": Row(),
    "nominations.add_criterion": Row(),
    "nominations.remove_part": Row(),
    "nominations.add_member": Row(),
    "nominations.remove_member": Row(),
    "nominations.add_joint_unit": Row(),
    "nominations.remove_joint_unit": Row(),
    "nominations.advance_stage": Row(),
    # Dossiers and the eligibility check
    "nominations.programme_dossiers": Row(),
    "nominations.dossier": Row(),
    "nominations.dossier_file": Row(),
    "nominations.check_dossier": Row(),
    "nominations.reveal_resident_id": Row(),
    # The later stages
    "nominations.stage_review": Row(),
    "nominations.stage_review_export": Row({"fmt": "xlsx"}),
    "nominations.stage_assign": Row(),
    "nominations.stage_ballot": Row(),
    "nominations.stage_ballot_action": Row({"action": "open"}),
    "nominations.stage_ballot_export": Row({"fmt": "xlsx"}),
    "nominations.stage_joint": Row(),
    "nominations.stage_handover": Row(),
    # Printing and downloads
    "nominations.print_batch": Row(),
    "nominations.start_print_batch": Row(post_opens=False),  # (a batch job of every dossier's PDF: slow)
    "nominations.programme_summary": Row(),
    "nominations.unit_summary": Row(),
    "nominations.dossier_pdf": Row(),
}

# Office pages that name no programme: what a limited account gets (tested below).
GLOBAL: dict[str, str] = {
    "nominations.programmes": "the programmes listing the account only",
    "nominations.create_programme": "any organiser creates a programme; a limited account's lists its creator",
}

# Not the office's pages: the person's own unit, assignment, seat or department decides.
NOT_OFFICE: dict[str, str] = {
    "nominations.unit_home": "a unit coordinator's own dossiers",
    "nominations.new_dossier": "a unit coordinator",
    "nominations.autosave_dossier": "a unit coordinator",
    "nominations.edit_dossier": "the unit's coordinator",
    "nominations.delete_dossier": "the unit's coordinator",
    "nominations.upload_file": "the unit's coordinator",
    "nominations.delete_file": "the unit's coordinator",
    "nominations.review_home": "an expert's assignments",
    "nominations.review_queue": "an expert of the programme",
    "nominations.review_dossier": "the assigned expert",
    "nominations.review_photo": "the assigned expert",
    "nominations.committee_home": "a committee member's programmes",
    "nominations.committee_ballot": "a committee member of the programme",
    "nominations.committee_candidate": "a committee member of the programme",
    "nominations.committee_vote": "a committee member of the programme",
    "nominations.committee_recuse": "a committee member of the programme",
    "nominations.joint_home": "a 联审 department's coordinator",
    "nominations.joint_programme": "a 联审 department of the programme",
    "nominations.joint_decide": "a 联审 department of the programme",
    "nominations.exemplars": "the public",
    "nominations.exemplar_programme": "the public",
    "nominations.exemplar_photo": "the public",
    "nominations.exemplar_api": "the public",
}


def test_every_endpoint_is_in_one_table(app):
    from accounts.models import Role

    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("nominations.")}
    tables = [set(ROWS), set(GLOBAL), set(NOT_OFFICE)]
    assert sorted(endpoints - set().union(*tables)) == [], "a nominations endpoint in no per-activity table"
    assert sorted(set().union(*tables) - endpoints) == []
    assert sum(len(t) for t in tables) == len(set().union(*tables)), "an endpoint in two tables"
    office = {e for e in endpoints if Role.ORGANISER in getattr(app.view_functions[e], "required_roles", ())}
    assert sorted(office & set(NOT_OFFICE)) == [], "an organiser page must be checked per programme"


@pytest.fixture
def world(db, make_user, make_unit, organiser, co_organiser):
    """Another department's programme P at the ballot (closed), with dossiers, a photo, a rule,
    an expert, a committee member and a 联审 department; the co-organiser listed on programme Q."""
    from accounts import activity_access as access
    from accounts.models import OrganiserPart
    from core.db import utcnow
    from nominations import programmes

    setup = build(db, make_user, make_unit, organiser, dossiers=2, experts=1, committee=1, stage="ballot")
    p, a = setup.programme, setup.nominations[0]
    p.ballot_opened_at = p.ballot_closed_at = utcnow()
    add_photo(db, a)
    rule = programmes.add_rule(p, "female", "ge", 30, organiser)
    joint = add_joint_unit(db, p, make_unit(name="区纪委监委"))
    own = make_programme(db, organiser, stage="nominating", title="承办单位自己的评选")
    access.add_organiser(access.PROGRAMME, own.id, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    db.session.commit()
    values = {
        "programme_id": p.id,
        "nomination_id": a.id,
        "file_id": a.files[0].id,
        "part": "rules",
        "part_id": rule.id,
        "member_id": p.members[0].id,
        "row_id": joint.id,
        "unit_id": setup.units[0].id,
    }
    return {"programme": p, "own": own, "values": values}


def _list_on(db, programme, user, organiser):
    from accounts import activity_access as access
    from accounts.models import OrganiserPart

    access.add_organiser(access.PROGRAMME, programme.id, user, OrganiserPart.CO_ORGANISER, actor=organiser)
    db.session.commit()


def test_a_co_organiser_is_refused_on_another_departments_programme_until_listed(
    app, db, login, csrf, organiser, co_organiser, world
):
    client = login(app.test_client(), co_organiser)
    check_refused_until_listed(
        app,
        client,
        csrf(client, "/"),
        ROWS,
        lambda row: {**world["values"], **row.values},
        lambda: _list_on(db, world["programme"], co_organiser, organiser),
        posts_last=lambda endpoint: "advance" in endpoint,  # the stage moves after every other action
    )


def test_the_district_organiser_still_opens_every_programme(app, login, organiser, world):
    client = login(app.test_client(), organiser)
    for programme in (world["programme"], world["own"]):
        assert client.get(f"/nominations/programmes/{programme.id}").status_code == 200


def test_the_programme_list_and_home_show_own_programmes_only(app, login, co_organiser, world):
    client = login(app.test_client(), co_organiser)
    page = client.get("/nominations/programmes").get_data(as_text=True)
    assert world["own"].title in page and world["programme"].title not in page
    home = client.get("/").get_data(as_text=True)
    assert world["own"].title in home and world["programme"].title not in home


def test_a_programme_created_by_a_co_organiser_lists_its_creator(app, db, login, post, co_organiser, organiser):
    from accounts import activity_access as access
    from accounts.models import OrganiserPart
    from nominations.models import Programme

    data = {"title": "承办单位新建的评选", "honour_title": "最美志愿者", "kind": "individual", "year": 2026}
    data.update({"total_places": 5, "deeds_limit": 3000, "summary_limit": 300, "experts_per_dossier": 3})
    client = login(app.test_client(), co_organiser)
    response = post(client, "/nominations/programmes/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    programme = db.session.scalar(select(Programme).where(Programme.title == data["title"]))
    ((row),) = access.organisers_of(access.PROGRAMME, programme.id)
    assert row.user_id == co_organiser.id and row.part == OrganiserPart.UNDERTAKER
    page = client.get(f"/nominations/programmes/{programme.id}").get_data(as_text=True)
    assert f"{co_organiser.display_name}（承办）" in page
    # The district department's organiser creates one that lists nobody, and manages it all the same.
    other = login(app.test_client(), organiser)
    assert post(other, "/nominations/programmes/new", {**data, "title": "区级评选"}).status_code == 302
    mine = db.session.scalar(select(Programme).where(Programme.title == "区级评选"))
    assert access.organisers_of(access.PROGRAMME, mine.id) == []
    assert client.get(f"/nominations/programmes/{mine.id}").status_code == 404


def test_the_programme_page_names_its_organisers_and_links_to_their_page(app, db, login, organiser, world):
    client = login(app.test_client(), organiser)
    own = world["own"]
    page = client.get(f"/nominations/programmes/{own.id}").get_data(as_text=True)
    assert "区教育局承办人" in page and "承办" in page
    assert f'href="/activities/programme/{own.id}/organisers"' in page
    page = client.get(f"/nominations/programmes/{world['programme'].id}").get_data(as_text=True)
    assert "由区级主管部门管理" in page


def test_accounts_pages_can_name_a_programme(app, world):
    from accounts import activity_access as access

    with app.test_request_context():
        title, url = access.describe(access.PROGRAMME, world["own"].id)
        assert title == "承办单位自己的评选" and url == f"/nominations/programmes/{world['own'].id}"
        assert access.describe(access.PROGRAMME, 999999) is None

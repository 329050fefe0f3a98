"""Per-activity access (承办/协办) in judging: a co-organising department's account manages the
rounds of the competitions that list it, and no other.

Every organiser endpoint of the judging blueprint (found in the URL map by the roles its
view requires) has a row: the co-organiser, listed on a competition of its own, gets 404 on
another department's round or competition; once listed there (``add_organiser``) the GET
pages open and the POST actions are no longer refused. Pages that name no activity are in
``GLOBAL`` with what they do for a limited account, each tested below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from helpers import judging_competition, make_entry, setup_round
from helpers.access import assert_every_endpoint_has_a_row, check_refused_until_listed


@dataclass(frozen=True)
class Row:
    values: dict = field(default_factory=dict)  # URL values besides round_id / competition_id
    listed: int = 200  # the GET page once the co-organiser is listed
    post_opens: bool = True  # once listed, the POST is checked to be no longer refused


NO_BATCH = {"batch_id": 999999}  # refused before the batch is looked up

ROWS: dict[str, Row] = {
    # Round set-up, judges, assignment
    "judging.round_setup": Row(),
    "judging.rubric": Row(),
    "judging.add_judge": Row(),
    "judging.record_conflict": Row(),
    "judging.remove_judge": Row({"user_id": "judge"}),
    "judging.assign": Row(),
    "judging.entries": Row(),
    "judging.entry_add_judge": Row({"submission_id": "entry"}),
    "judging.entry_remove_judge": Row({"assignment_id": "assignment"}),
    "judging.remind": Row(),
    "judging.change_state": Row({"action": "close"}),
    "judging.scores": Row(),
    # Offline key-in
    "judging.keyin": Row(),
    "judging.keyin_template": Row(),
    "judging.keyin_upload": Row({"which": "first"}),
    "judging.keyin_apply": Row(NO_BATCH, post_opens=False),
    "judging.keyin_discard": Row(NO_BATCH, post_opens=False),
    # Packets printed by the organisers
    "judging.judge_packet": Row({"judge_id": "judge"}),
    "judging.all_packets": Row(post_opens=False),  # (a batch job of every judge's PDF: slow)
    # Results, awards, arbitration, the round's committee
    "judging.awards": Row(),
    "judging.adjust": Row(),
    "judging.award_teachers": Row(),
    "judging.accept_short": Row(),
    "judging.arbitration_assign": Row({"submission_id": "entry"}),
    "judging.arbitration_accept": Row({"submission_id": "entry"}),
    "judging.committee_add": Row(),
    "judging.committee_remove": Row({"user_id": "judge"}),
    "judging.export": Row({"fmt": "xlsx"}),
    "judging.compute_results": Row(),
    # Statistics of one competition, the 优秀组织奖 helper
    "judging.stats_activity": Row(),
    "judging.stats_activity_export": Row(),
    "judging.stats_organisation": Row(),
    "judging.stats_award_units": Row(),
}

# Organiser pages that name no activity: what a limited account gets (tested below).
GLOBAL: dict[str, str] = {
    "judging.rounds": "the rounds of its competitions only; a round is created only in one of them",
    "judging.stats_overview": "the figures of its competitions only",
    "judging.stats_overview_export": "the workbook of its competitions only",
    "judging.notice_list": "the notices the account drafted (as for every organiser)",
    "judging.notice_new": "its competitions and rounds only; another's answers nothing is drafted",
    "judging.notice_review": "a notice is reviewed by the organiser who drafted it (can_manage_notice)",
    "judging.notice_action": "a notice is sent or discarded by the organiser who drafted it",
}


def test_every_organiser_endpoint_has_a_row(app):
    assert_every_endpoint_has_a_row(app, ("judging",), ROWS, GLOBAL)


@pytest.fixture
def world(db, make_user, make_unit, organiser, co_organiser):
    """Another department's round (open, judges assigned); the co-organiser listed on a competition of its own."""
    from accounts import activity_access as access
    from accounts.models import OrganiserPart
    from judging.models import Assignment

    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=3, n_judges=2)
    own = judging_competition(db, organiser)
    own.title = "承办单位自己的征文"
    access.add_organiser(access.COMPETITION, own.id, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    assignment = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).first()
    db.session.commit()
    ids = {"judge": judges[0].id, "entry": entries[0].id, "assignment": assignment.id}
    return {"round": round_, "comp": comp, "own": own, "ids": ids}


def _list_on(db, comp, user, organiser):
    from accounts import activity_access as access
    from accounts.models import OrganiserPart

    access.add_organiser(access.COMPETITION, comp.id, user, OrganiserPart.CO_ORGANISER, actor=organiser)
    db.session.commit()


def _values(world, values) -> dict:
    chosen = {"round_id": world["round"].id, "competition_id": world["comp"].id}
    chosen.update({k: world["ids"].get(v, v) if isinstance(v, str) else v for k, v in values.items()})
    return chosen


def test_a_co_organiser_is_refused_on_another_departments_round_until_listed(
    app, db, login, csrf, organiser, co_organiser, world
):

    client = login(app.test_client(), co_organiser)
    check_refused_until_listed(
        app,
        client,
        csrf(client, "/"),
        ROWS,
        lambda row: _values(world, row.values),
        lambda: _list_on(db, world["comp"], co_organiser, organiser),
    )


def test_the_district_organiser_still_opens_every_round(app, login, organiser, world):
    client = login(app.test_client(), organiser)
    rid = world["round"].id
    assert client.get(f"/judging/rounds/{rid}").status_code == 200
    assert client.get(f"/judging/stats/{world['own'].id}").status_code == 200


def test_the_rounds_list_and_new_round_cover_own_competitions_only(app, db, login, post, co_organiser, world):
    from judging.models import Round

    client = login(app.test_client(), co_organiser)
    page = client.get("/judging/rounds").get_data(as_text=True)
    assert f'/judging/rounds/{world["round"].id}"' not in page  # another department's round is not listed
    assert world["own"].code in page and world["comp"].code not in page  # the competitions to choose from
    before = db.session.scalar(select(func.count(Round.id)))
    response = post(client, "/judging/rounds", {"competition_id": world["comp"].id, "name": "复评"})
    assert response.status_code == 200  # the form refuses a competition not offered
    assert db.session.scalar(select(func.count(Round.id))) == before
    response = post(client, "/judging/rounds", {"competition_id": world["own"].id, "name": "初评"})
    assert response.status_code == 302
    created = db.session.scalar(select(Round).where(Round.competition_id == world["own"].id))
    assert client.get(f"/judging/rounds/{created.id}").status_code == 200
    page = client.get("/judging/rounds").get_data(as_text=True)
    assert f'/judging/rounds/{created.id}"' in page


def test_district_statistics_count_own_competitions_only(app, db, login, make_user, make_unit, co_organiser, world):
    make_entry(db, world["own"], make_user("author", unit=make_unit()))
    client = login(app.test_client(), co_organiser)
    page = client.get("/judging/stats").get_data(as_text=True)
    assert world["own"].title in page and world["comp"].title not in page
    assert client.get("/judging/stats/export.xlsx").status_code == 200


def test_notices_reach_own_competitions_only(app, db, login, post, co_organiser, world):
    from accounts.messages import Notice

    client = login(app.test_client(), co_organiser)
    page = client.get("/judging/notices/new").get_data(as_text=True)
    assert world["own"].title in page and world["comp"].title not in page
    data = {"audience": "activity", "competition_id": world["comp"].id, "subject": "通知", "body": "请查收。"}
    post(client, "/judging/notices/new", data)
    assert db.session.scalar(select(func.count(Notice.id))) == 0
    data = {"audience": "behind", "round_id": world["round"].id, "subject": "提醒", "body": "请尽快评分。"}
    post(client, "/judging/notices/new", data)
    assert db.session.scalar(select(func.count(Notice.id))) == 0


def test_the_home_page_shows_own_rounds_only(app, db, login, co_organiser, organiser, world):

    client = login(app.test_client(), co_organiser)
    name = world["round"].competition.title
    assert f"{name} · " not in client.get("/").get_data(as_text=True)
    _list_on(db, world["comp"], co_organiser, organiser)
    assert f"/judging/rounds/{world['round'].id}#progress" in client.get("/").get_data(as_text=True)

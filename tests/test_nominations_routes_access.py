"""Every ``nominations.*`` endpoint: its happy path (GET pages open for the rightful user),
anonymous (sign-in page, or 400 for a POST without a CSRF token), a wrong role, and someone
else's object (another unit's dossier, another expert's assignment, a programme the person
does not serve, a part of another programme: 404).

The endpoints are read from the URL map: a new endpoint without a row here fails the test.
The POST happy paths are in the feature tests (test_nominations_*_routes.py and friends).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from helpers.nominations import add_joint_unit, add_photo, approve_all, build, make_nomination


@dataclass(frozen=True)
class Row:
    owner: str | None  # who opens the GET page (None: anyone, the public pages)
    wrong: tuple[str, int] | None = ("author", 403)  # (user, status) of a wrong role
    # (user, URL values replacing the defaults): someone else's object → 404
    other: tuple[str, dict] | None = None
    stage: str = "ballot"
    values: dict = field(default_factory=dict)
    closed: bool = False  # the ballot has closed
    happy: int = 200  # a home page with one programme leads straight to it


ORG = ("organiser", {"programme_id": 999999})  # the office sees every programme: an unknown one
NOBODY = None

ROWS: dict[str, Row] = {
    # The office: programmes, set-up, stages (organisers and admins; 403 for other roles)
    "nominations.programmes": Row("organiser"),
    "nominations.create_programme": Row("organiser"),
    "nominations.programme": Row("organiser", other=ORG),
    "nominations.edit_programme": Row("organiser", other=ORG),
    "nominations.quotas": Row("organiser", other=ORG),
    "nominations.import_quotas": Row("organiser", other=ORG),
    "nominations.quota_sheet": Row("organiser", other=ORG),
    "nominations.programme_setup": Row("organiser", other=ORG),
    "nominations.add_rule": Row("organiser", other=ORG),
    "nominations.add_criterion": Row("organiser", other=ORG),
    "nominations.remove_part": Row("organiser", other=("organiser", {"part_id": "rule2"})),
    "nominations.add_member": Row("organiser", other=ORG),
    "nominations.remove_member": Row("organiser", other=("organiser", {"member_id": "member2"})),
    "nominations.add_joint_unit": Row("organiser", other=ORG),
    "nominations.remove_joint_unit": Row("organiser", other=("organiser", {"row_id": "joint2"})),
    "nominations.advance_stage": Row("organiser", other=ORG),
    "nominations.programme_dossiers": Row("organiser", other=ORG),
    "nominations.check_dossier": Row("organiser", other=("organiser", {"nomination_id": 999999})),
    "nominations.reveal_resident_id": Row("organiser", other=("organiser", {"nomination_id": 999999})),
    "nominations.stage_review": Row("organiser", other=ORG, stage="expert_review"),
    "nominations.stage_review_export": Row("organiser", other=ORG, values={"fmt": "xlsx"}),
    "nominations.stage_assign": Row("organiser", other=ORG),
    "nominations.stage_ballot": Row("organiser", other=ORG),
    "nominations.stage_ballot_action": Row("organiser", other=ORG, values={"action": "open"}),
    "nominations.stage_ballot_export": Row("organiser", other=ORG, values={"fmt": "xlsx"}, closed=True),
    "nominations.stage_joint": Row("organiser", other=ORG),
    "nominations.stage_handover": Row("organiser", other=ORG),
    # Printing: whoever may not see the papers gets a 404
    "nominations.print_batch": Row("organiser", wrong=("author", 404), other=ORG),
    "nominations.start_print_batch": Row("organiser", wrong=("author", 404), other=ORG),
    "nominations.programme_summary": Row("organiser", wrong=("coordinator_a", 404), other=ORG),
    "nominations.unit_summary": Row("coordinator_a", wrong=("author", 404), other=("coordinator_b", {})),
    "nominations.dossier_pdf": Row("coordinator_a", wrong=("author", 404), other=("coordinator_b", {})),
    # The units: their own dossiers only
    "nominations.unit_home": Row("coordinator_a"),
    "nominations.new_dossier": Row(
        "coordinator_a", other=("coordinator_a", {"programme_id": 999999}), stage="nominating"
    ),
    "nominations.autosave_dossier": Row("coordinator_a", other=("coordinator_a", {"programme_id": 999999})),
    "nominations.dossier": Row("coordinator_a", other=("coordinator_b", {})),
    "nominations.edit_dossier": Row(
        "coordinator_a", other=("coordinator_b", {}), values={"nomination_id": "draft"}, stage="nominating"
    ),
    "nominations.delete_dossier": Row("coordinator_a", other=("coordinator_b", {}), values={"nomination_id": "draft"}),
    "nominations.upload_file": Row("coordinator_a", other=("coordinator_b", {}), values={"nomination_id": "draft"}),
    "nominations.delete_file": Row("coordinator_a", other=("coordinator_b", {})),
    "nominations.dossier_file": Row("coordinator_a", other=("coordinator_b", {})),
    # Experts: only their own assignments
    "nominations.review_home": Row("expert_a", happy=302),
    "nominations.review_queue": Row("expert_a", wrong=("author", 404), other=("expert_x", {}), stage="expert_review"),
    "nominations.review_dossier": Row(
        "expert_a", wrong=("author", 404), other=("expert_a", {"nomination_id": "b"}), stage="expert_review"
    ),
    "nominations.review_photo": Row(
        "expert_a", wrong=("author", 404), other=("expert_a", {"nomination_id": "b"}), stage="expert_review"
    ),
    # Committee members: the programmes they serve, from the ballot on
    "nominations.committee_home": Row("member"),
    "nominations.committee_ballot": Row("member", wrong=("author", 404), other=("member_x", {})),
    "nominations.committee_candidate": Row("member", wrong=("author", 404), other=("member_x", {})),
    "nominations.committee_vote": Row("member", wrong=("author", 404), other=("member_x", {})),
    "nominations.committee_recuse": Row("member", wrong=("author", 404), other=("member_x", {})),
    # 联审 departments: at the joint review stage only
    "nominations.joint_home": Row("joint"),
    "nominations.joint_programme": Row("joint", other=("coordinator_a", {}), stage="joint_review"),
    "nominations.joint_decide": Row("joint", other=("coordinator_a", {}), stage="joint_review"),
    # The public: approved, consenting honourees only
    "nominations.exemplars": Row(NOBODY, wrong=None),
    "nominations.exemplar_programme": Row(
        NOBODY, wrong=None, other=(NOBODY, {"programme_id": "p"}), values={"programme_id": "public"}
    ),
    "nominations.exemplar_photo": Row(
        NOBODY,
        wrong=None,
        other=(NOBODY, {"programme_id": "p", "nomination_id": "a"}),
        values={"programme_id": "public", "nomination_id": "honoured"},
    ),
    "nominations.exemplar_api": Row(
        NOBODY, wrong=None, other=(NOBODY, {"programme_id": "p"}), values={"programme_id": "public"}
    ),
}


@pytest.fixture
def world(db, make_user, make_unit, organiser):
    """Programme P (two units, an expert each, one committee member, a 联审 department), a
    second programme with parts of its own, and an approved programme for the public pages."""
    from core.db import utcnow
    from nominations import programmes, review
    from nominations.models import NominationStatus

    setup = build(db, make_user, make_unit, organiser, dossiers=2, experts=2, committee=1)
    p, (a, b) = setup.programme, setup.nominations
    p.experts_per_dossier = 1
    for n in (a, b):
        n.is_frontline = True
    review.assign_experts(p, organiser)  # at the expert review stage
    reviews = {r.nomination_id: r.expert for n in (a, b) for r in n.expert_reviews}
    photo_a = add_photo(db, a)
    file_a = a.files[0]
    draft = make_nomination(db, p, setup.units[0], status="draft")
    add_photo(db, draft)
    dept = make_unit(name="区纪委监委")
    joint_row = add_joint_unit(db, p, dept)
    rule = programmes.add_rule(p, "female", "ge", 30, organiser)

    other = build(db, make_user, make_unit, organiser, dossiers=1, experts=0, committee=1, stage="draft")
    rule2 = programmes.add_rule(other.programme, "female", "ge", 30, organiser)
    joint2 = add_joint_unit(db, other.programme, make_unit())

    public = build(db, make_user, make_unit, organiser, dossiers=1, experts=0, committee=0, stage="ballot")
    honoured = public.nominations[0]
    add_photo(db, honoured)
    approve_all(db, public, organiser)
    assert honoured.status == NominationStatus.APPROVED
    users = {
        "organiser": organiser,
        "author": make_user("author"),
        "coordinator_a": make_user("coordinator", unit=setup.units[0]),
        "coordinator_b": make_user("coordinator", unit=setup.units[1]),
        "expert_a": reviews[a.id],
        "expert_x": make_user("judge"),
        "member": setup.committee[0],
        "member_x": make_user("committee"),
        "joint": make_user("coordinator", unit=dept),
    }
    ids = {
        "p": p.id,
        "public": public.programme.id,
        "a": a.id,
        "b": b.id,
        "draft": draft.id,
        "honoured": honoured.id,
        "rule2": rule2.id,
        "member2": other.programme.members[0].id,
        "joint2": joint2.id,
    }
    defaults = {
        "programme_id": p.id,
        "nomination_id": a.id,
        "file_id": file_a.id,
        "part": "rules",
        "part_id": rule.id,
        "member_id": next(m.id for m in p.members if m.user_id == setup.committee[0].id),
        "row_id": joint_row.id,
        "unit_id": setup.units[0].id,
    }
    assert photo_a is not None and utcnow()
    return {"programme": p, "users": users, "ids": ids, "defaults": defaults}


def _url(app, rule, world, values):
    from flask import url_for

    chosen = {**world["defaults"], **values}
    resolved = {k: world["ids"].get(v, v) if isinstance(v, str) else v for k, v in chosen.items()}
    with app.test_request_context():
        return url_for(rule.endpoint, **{k: resolved[k] for k in rule.arguments})


def test_every_endpoint_has_a_row(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("nominations.")}
    assert sorted(endpoints - set(ROWS)) == [], "a nominations endpoint without its refusal cases"
    assert sorted(set(ROWS) - endpoints) == []


def test_every_endpoint_refuses_and_opens(app, db, login, csrf, world):
    from core.db import utcnow

    clients, tokens = {}, {}

    def client_of(who):
        if who not in clients:
            client = app.test_client()
            if who is not None:
                login(client, world["users"][who])
            clients[who] = client
            tokens[who] = csrf(client, "/login" if who is None else "/")
        return clients[who]

    def request(who, method, url):
        client = client_of(who)
        if method == "POST":
            return client.post(url, data={"csrf_token": tokens[who]})
        return client.get(url)

    programme = world["programme"]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if not rule.endpoint.startswith("nominations."):
            continue
        row = ROWS[rule.endpoint]
        programme.stage = row.stage
        programme.ballot_opened_at = programme.ballot_closed_at = utcnow() if row.closed else None
        db.session.commit()
        url = _url(app, rule, world, row.values)
        methods = sorted(rule.methods & {"GET", "POST"})
        for method in methods:
            label = (rule.endpoint, method, url)
            if row.owner is not None or row.wrong is not None:
                response = request(None, method, url)
                assert response.status_code == 302 and "/login" in response.headers["Location"], label
                if method == "POST":
                    assert app.test_client().post(url).status_code == 400, label  # no CSRF token
            if row.wrong is not None:
                who, status = row.wrong
                assert request(who, method, url).status_code == status, (*label, who)
            if row.other is not None:
                who, values = row.other
                other_url = _url(app, rule, world, {**row.values, **values})
                assert request(who, method, other_url).status_code == 404, (*label, who, other_url)
        if "GET" in methods:
            response = request(row.owner, "GET", url)
            assert response.status_code == row.happy, (rule.endpoint, url, row.owner, response.status_code)

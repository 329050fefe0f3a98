"""Per-activity access (承办/协办) on accounts' and core's organiser pages: an activity's
retention and erasure, the activity's organisers page (district organisers change it, a
listed co-organiser reads it), the site-wide pages refused to a limited account (audit log,
mail outbox), the home page's timeline, and the administrator setting an account's scope.

A new organiser endpoint of accounts/admin/core without a row here (or in GLOBAL, with its
documented behaviour) fails ``test_every_organiser_endpoint_has_a_row``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from accounts import activity_access as access
from accounts.models import ActivityOrganiser, ActivityScope, OrganiserPart
from helpers import audit
from helpers.access import ask, assert_every_endpoint_has_a_row, url_of


@dataclass(frozen=True)
class Row:
    method: str = "GET"
    ok: int = 200  # the status once the account is listed
    data: dict = field(default_factory=dict)


ROWS: dict[str, Row] = {
    "privacy.retention": Row(),
    "privacy.erase": Row("POST", 302),  # refused with a message: the activity is not archived
    "accounts.activity_organisers": Row(),  # read-only for a listed co-organiser
    # Changing the list is the district department's: 403 for a listed co-organiser
    "accounts.remove_activity_organiser": Row("POST", 403),
}

# Organiser endpoints that touch no one activity, and the status a limited account gets there.
GLOBAL = {
    "core.audit_log": 403,  # the whole site's log
    "core.audit_export": 403,
    # The one outbox lists only what the account may send (tests/test_outbox.py): its own
    # activities' result e-mails; sending every message's e-mail copy is the district's.
    "accounts.message_outbox": 200,
    "accounts.message_outbox_send": 404,
    "accounts.message_outbox_send_one": 404,
}


@pytest.fixture
def world(db, comp, organiser, make_user):
    other = make_user("organiser")
    access.add_organiser(access.COMPETITION, comp.id, other, OrganiserPart.HOST, actor=organiser)
    db.session.commit()
    return {"competition_id": comp.id, "activity_id": comp.id, "activity_type": "competition", "user_id": other.id}


@pytest.mark.parametrize("endpoint", sorted(ROWS))
def test_a_co_organiser_is_refused_on_another_activity_and_served_on_theirs(
    app, db, client, login, csrf, world, organiser, co_organiser, endpoint
):
    row = ROWS[endpoint]
    url = url_of(app, endpoint, world)
    login(client, co_organiser)
    assert ask(client, csrf, url, row.method, row.data).status_code == 404, url
    access.add_organiser(
        access.COMPETITION, world["activity_id"], co_organiser, OrganiserPart.UNDERTAKER, actor=organiser
    )
    db.session.commit()
    response = ask(client, csrf, url, row.method, row.data)
    assert response.status_code == row.ok, (url, response.status_code)


@pytest.mark.parametrize("endpoint", sorted(GLOBAL))
def test_site_wide_pages_are_refused_to_a_limited_account(
    app, db, client, login, csrf, organiser, co_organiser, endpoint
):
    url = url_of(app, endpoint, {"kind": "notice", "item_id": 1})
    post = "POST" in next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint).methods
    method = "POST" if post else "GET"
    login(client, co_organiser)
    assert ask(client, csrf, url, method).status_code == GLOBAL[endpoint]
    if GLOBAL[endpoint] == 403:
        assert ask(login(app.test_client(), organiser), csrf, url, method).status_code in (200, 302)


def test_every_organiser_endpoint_has_a_row(app):
    assert_every_endpoint_has_a_row(app, ("accounts", "admin", "core", "privacy"), ROWS, GLOBAL)


def test_the_audit_log_is_not_in_a_limited_accounts_menu(app, client, login, organiser, co_organiser):
    assert 'href="/audit"' not in login(client, co_organiser).get("/").get_data(as_text=True)
    assert 'href="/audit"' in login(app.test_client(), organiser).get("/").get_data(as_text=True)


def test_a_district_organiser_lists_and_removes_a_co_organiser(db, client, login, post, comp, organiser, co_organiser):
    page_url = f"/activities/competition/{comp.id}/organisers"
    login(client, organiser)
    page = client.get(page_url).get_data(as_text=True)
    assert comp.title in page and "本活动尚未列出组织单位账号" in page
    response = post(client, page_url, {"user_id": co_organiser.id, "part": "co_organiser"})
    assert response.status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert co_organiser.display_name in page and "协办" in page and 'class="table stack"' in page
    (entry,) = audit(db, "activity.organiser_added")
    assert entry.object_type == "competitions" and entry.object_id == str(comp.id)
    assert entry.changes == {"user": co_organiser.display_name, "part": "co_organiser"}
    # The co-organiser now reaches the competition's pages.
    assert access.can_organise(co_organiser, access.COMPETITION, comp.id)
    response = post(client, f"{page_url}/{co_organiser.id}/remove", page=page_url)
    assert response.status_code == 302
    assert db.session.scalars(select(ActivityOrganiser)).all() == []
    assert len(audit(db, "activity.organiser_removed")) == 1


def test_only_organiser_accounts_can_be_picked(db, client, login, post, comp, organiser, judge):
    page_url = f"/activities/competition/{comp.id}/organisers"
    login(client, organiser)
    page = client.get(page_url).get_data(as_text=True)
    assert judge.display_name not in page
    response = post(client, page_url, {"user_id": judge.id, "part": "host"})
    assert response.status_code == 200  # the choice is refused by the form
    assert db.session.scalars(select(ActivityOrganiser)).all() == []


def test_a_listed_co_organiser_reads_the_list_without_changing_it(
    app, db, client, login, csrf, comp, organiser, co_organiser, make_user
):
    access.add_organiser(access.COMPETITION, comp.id, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    db.session.commit()
    page_url = f"/activities/competition/{comp.id}/organisers"
    login(client, co_organiser)
    page = client.get(page_url).get_data(as_text=True)
    assert co_organiser.display_name in page and "承办" in page
    assert 'name="user_id"' not in page and "/remove" not in page
    stranger = make_user("organiser")
    response = client.post(
        page_url, data={"user_id": stranger.id, "part": "host", "csrf_token": csrf(client, page_url)}
    )
    assert response.status_code == 403
    assert [r.user_id for r in access.organisers_of(access.COMPETITION, comp.id)] == [co_organiser.id]


@pytest.mark.parametrize("path", ["/activities/competition/999999/organisers", "/activities/unknown/1/organisers"])
def test_an_unknown_activity_is_not_found(client, login, organiser, path):
    assert login(client, organiser).get(path).status_code == 404


def test_the_competition_page_links_to_its_organisers(client, login, comp, organiser):
    page = login(client, organiser).get(f"/essays/manage/{comp.id}").get_data(as_text=True)
    assert f"/activities/competition/{comp.id}/organisers" in page


def test_the_administrator_sets_an_organisers_scope_and_it_is_audited(db, client, login, post, admin, make_user):
    user = make_user("organiser")
    login(client, admin)
    form = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "仅限列为组织单位的活动" in form and "全部活动" in form
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "phone": "",
        "email": user.email,
        "unit_id": "0",
        "roles": ["organiser"],
        "activity_scope": "own",
        "password": "",
    }
    assert post(client, f"/admin/users/{user.id}", data).status_code == 302
    db.session.expire_all()
    assert user.activity_scope == ActivityScope.OWN
    assert audit(db, "user.update")[-1].changes == {"activity_scope": ["all", "own"]}
    audit_page = client.get("/audit").get_data(as_text=True)
    assert "可管理的活动" in audit_page and "仅限列为组织单位的活动" in audit_page


def test_the_home_timeline_shows_a_limited_account_only_its_activities(app, db, monkeypatch, organiser, co_organiser):
    from core import dashboard

    rows = [
        dashboard.TimelineRow("征文", "教育局读书征文", "/a", (), activity=(access.COMPETITION, 5)),
        dashboard.TimelineRow("征文", "文广局摄影征文", "/b", (), activity=(access.COMPETITION, 6)),
        dashboard.TimelineRow("评选", "教育局评选", "/c", (), activity=(access.PROGRAMME, 5)),
        dashboard.TimelineRow("其他", "未注明活动", "/d", ()),
    ]
    monkeypatch.setattr(dashboard, "_TIMELINES", [lambda: rows])
    access.add_organiser(access.COMPETITION, 5, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    db.session.commit()
    assert [r.title for r in dashboard.timeline_rows(access.organised_by_type(co_organiser))] == ["教育局读书征文"]
    assert len(dashboard.timeline_rows(access.organised_by_type(organiser))) == 4


def test_the_demo_seeds_a_listed_co_organiser(db, make_user, make_unit):
    from core.seed import DEMO_ACCOUNTS, LIMITED_ORGANISERS
    from essays import demo
    from essays.models import Competition

    (row,) = [a for a in DEMO_ACCOUNTS if a[0] in LIMITED_ORGANISERS]
    assert row[0] == "coorganiser" and row[2] == ["organiser"]
    coorganiser = make_user("organiser", username="coorganiser")
    coorganiser.activity_scope = ActivityScope.OWN
    accounts = {"organiser": make_user("organiser"), "coorganiser": coorganiser}
    demo.seed(accounts)
    comp = db.session.scalars(select(Competition)).one()
    assert access.organised_ids(coorganiser, access.COMPETITION) == {comp.id}
    assert access.organisers_of(access.COMPETITION, comp.id)[0].part == OrganiserPart.UNDERTAKER

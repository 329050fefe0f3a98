"""Every route of the programme, unit and office pages: anonymous → sign-in page, an author → 403.

The routes are read from the URL map, so a new route cannot be left out of this table.
"""

from __future__ import annotations

from helpers.dossiers import make_dossier, make_programme

MODULES = ("nominations.routes_programmes", "nominations.routes_unit", "nominations.routes_office")


def _routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if view.__module__ in MODULES:
            yield rule


def _url(rule, ids):
    values = {name: ids.get(name, 1) for name in rule.arguments}
    if "part" in values:
        values["part"] = "rules"
    return rule.build(values)[1]


def test_every_route_refuses_anonymous_and_a_wrong_role(app, db, organiser, author, make_user, make_unit, login, csrf):
    from nominations import programmes

    unit = make_unit(name="区教育局")
    programme = make_programme(db, organiser, {unit: 1})
    rule = programmes.add_rule(programme, "female", "ge", 30, organiser)
    nomination = make_dossier(db, programme, make_user("coordinator", unit=unit))
    ids = {"programme_id": programme.id, "nomination_id": nomination.id, "part_id": rule.id, "file_id": 1}
    rules = list(_routes(app))
    assert len(rules) >= 25
    anonymous = app.test_client()
    token = csrf(anonymous, "/login")
    wrong = login(app.test_client(), author)
    wrong_token = csrf(wrong, "/profile")
    for rule in rules:
        url = _url(rule, ids)
        if "GET" in rule.methods:
            r = anonymous.get(url)
            assert r.status_code == 302 and "/login" in r.headers["Location"], url
            assert wrong.get(url).status_code == 403, url
        if "POST" in rule.methods:
            r = anonymous.post(url, data={"csrf_token": token})
            assert r.status_code == 302 and "/login" in r.headers["Location"], url
            assert wrong.post(url, data={"csrf_token": wrong_token}).status_code == 403, url
    db.session.expire_all()
    assert nomination.status == "draft" and len(programme.rules) == 1

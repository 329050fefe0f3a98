"""Shared scaffolding of the per-activity access tests (``tests/test_activity_access_*.py``).

Each package's test module keeps its own table of rows (one per organiser endpoint);
these functions walk the URL map, build the URLs and ask them.
"""

from __future__ import annotations

from collections.abc import Callable


def organiser_endpoints(app, *blueprints: str) -> set[str]:
    """The endpoints of ``blueprints`` whose view requires the organiser role."""
    from accounts.models import Role

    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in blueprints
        and Role.ORGANISER in getattr(app.view_functions[rule.endpoint], "required_roles", ())
    }


def assert_every_endpoint_has_a_row(app, blueprints: tuple[str, ...], rows, site_wide) -> None:
    """Every organiser endpoint is in exactly one of the tables, and no row names a gone endpoint."""
    endpoints = organiser_endpoints(app, *blueprints)
    assert sorted(endpoints - set(rows) - set(site_wide)) == [], "an organiser page without its per-activity row"
    assert sorted((set(rows) | set(site_wide)) - endpoints) == []
    assert not set(rows) & set(site_wide)


def url_of(app, endpoint: str, values: dict) -> str:
    """The URL of ``endpoint`` with the values its rule takes."""
    from flask import url_for

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


def ask(client, csrf, url: str, method: str = "GET", data: dict | None = None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={**(data or {}), "csrf_token": csrf(client, "/")})


def check_refused_until_listed(
    app,
    client,
    token: str,
    rows: dict,
    values_of: Callable[[object], dict],
    list_on: Callable[[], None],
    *,
    posts_last: Callable[[str], bool] = lambda endpoint: False,
) -> None:
    """Every GET and POST of ``rows`` answers 404 to the signed-in co-organiser; once
    ``list_on()`` lists it, GETs answer ``row.listed`` and POSTs (``row.post_opens``) are
    no longer refused. ``posts_last`` orders the POSTs that change the activity's stage."""
    cases = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in rows:
            row = rows[rule.endpoint]
            for method in sorted(rule.methods & {"GET", "POST"}):
                cases.append((rule.endpoint, method, url_of(app, rule.endpoint, values_of(row)), row))
    assert {c[0] for c in cases} == set(rows)

    def send(method, url):
        return client.post(url, data={"csrf_token": token}) if method == "POST" else client.get(url)

    for endpoint, method, url, _row in cases:
        assert send(method, url).status_code == 404, (endpoint, method, url, "not listed")
    list_on()
    for endpoint, method, url, row in [c for c in cases if c[1] == "GET"]:
        response = send(method, url)
        assert response.status_code == row.listed, (endpoint, url, "listed", response.status_code)
    posts = sorted((c for c in cases if c[1] == "POST" and c[3].post_opens), key=lambda c: posts_last(c[0]))
    for endpoint, _method, url, _row in posts:
        response = send("POST", url)
        assert response.status_code not in (403, 404) and response.status_code < 500, (endpoint, url, "listed")

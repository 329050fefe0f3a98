"""Helpers shared by the test_results_* modules (no tests here)."""
from __future__ import annotations

from sqlalchemy import select

NO_ROUND = 999999


def audit(db, action):
    from core.audit import AuditEntry

    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def follow(client, response):
    """The page a redirect lands on (where the flash message shows)."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def refused(app, login, csrf, users, cases, data=None, method="post"):
    """Run (who, url, expected status) rows, each in a fresh client; ``who`` None is anonymous
    (a POST without a CSRF token is a 400; with one, or a GET, goes to the login page)."""
    for who, url, expected in cases:
        client = app.test_client()
        if who is None and method == "post":
            assert client.post(url, data=data or {}).status_code == 400, (who, url)
        if who is not None:
            login(client, users[who])
        if method == "post":
            response = client.post(url, data=dict(data or {}, csrf_token=csrf(client, "/login" if who is None else "/")))
        else:
            response = client.get(url)
        assert response.status_code == expected, (who, url, response.status_code)
        if who is None:
            assert "/login" in response.headers["Location"]

"""/healthz: what a load balancer or monitoring probe relies on."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("signed_in", [False, True])
def test_healthz_answers_ok_without_a_login(client, login, admin, signed_in):
    if signed_in:
        login(client, admin)
    response = client.get("/healthz")
    assert response.status_code == 200  # never a redirect to /login
    assert response.is_json and response.json == {"status": "ok"}


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code in (400, 405)  # CSRF or method check, never a 200
    assert client.head("/healthz").status_code == 200


def test_healthz_fails_loudly_when_the_database_is_down(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from core.extensions import db

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/healthz")
    assert response.status_code >= 500
    assert b'"ok"' not in response.data

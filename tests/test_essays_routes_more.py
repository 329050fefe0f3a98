"""Duplicate check pages: the similarity list and starting the background check.

Planted pairs (a near-copy and a half-copy) must show up as "推定抄袭" and
"待复核"; unrelated entries and other competitions must not; only organisers
may look or start the check.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpers import han_text, make_entry

NO_COMP = 999999


@pytest.fixture(autouse=True)
def _one_hash_per_password(monkeypatch):
    """Hash each test password once: Argon2 would otherwise dominate these tests."""
    from accounts import services

    real, seen = services.hash_password, {}
    monkeypatch.setattr(services, "hash_password", lambda pw: seen.get(pw) or seen.setdefault(pw, real(pw)))


@pytest.fixture
def planted(db, make_user, make_unit, comp):
    """Entries of one competition: a near-copy pair, a half-copy pair and an unrelated essay."""
    original, other_original = han_text(400, seed=11), han_text(400, seed=13)
    texts = {
        "original": original,
        "copy": original[:380] + han_text(20, seed=12),
        "source": other_original,
        "half": other_original[:210] + han_text(190, seed=14),  # about half shared: to review
        "unrelated": han_text(400, seed=15),
    }
    return {
        name: make_entry(db, comp, make_user("author", unit=make_unit()), title=f"作品{name}", text=text)
        for name, text in texts.items()
    }


def _flags(db, comp_id):
    from essays.models import SimilarityFlag

    db.session.expire_all()
    return {
        (f.submission_id, f.other_id): f
        for f in db.session.scalars(select(SimilarityFlag).where(SimilarityFlag.competition_id == comp_id))
    }


def _jobs(db):
    from core.jobs import Job

    db.session.expire_all()
    return db.session.scalar(select(func.count(Job.id)).where(Job.kind == "essays.similarity"))


def test_duplicate_check_flags_the_planted_pairs(client, login, post, db, organiser, comp, planted):
    from essays.models import SubmissionStatus

    login(client, organiser)
    page = f"/essays/manage/{comp.id}/similarity"
    before = client.get(page).get_data(as_text=True)
    assert "相似稿件" in before and "未发现相似作品。" in before and "重新查重" in before

    response = post(client, f"{page}/run", page=page)
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"])
    assert job_page.status_code == 200 and f"{comp.code} 查重" in job_page.get_data(as_text=True)
    status = client.get(response.headers["Location"] + ".json").json
    assert status["status"] == "done" and status["finished"] and status["percent"] == 100
    assert status["result_url"].endswith(page) and not status["error"]

    e = planted
    flags = _flags(db, comp.id)

    def pair(a, b):
        return (min(e[a].id, e[b].id), max(e[a].id, e[b].id))

    assert set(flags) == {pair("original", "copy"), pair("source", "half")}
    assert flags[pair("original", "copy")].level == "copy"
    assert flags[pair("source", "half")].level == "review"
    shown = client.get(page).get_data(as_text=True)
    assert "未发现相似作品。" not in shown
    assert '<span class="badge danger">推定抄袭</span>' in shown
    assert '<span class="badge warn">待复核</span>' in shown
    for name in ("original", "copy", "source", "half"):
        assert e[name].receipt_number in shown, name
    assert e["unrelated"].receipt_number not in shown

    # Running again does not duplicate flags; a withdrawn copy drops its flag.
    e["copy"].status = SubmissionStatus.WITHDRAWN
    db.session.commit()
    post(client, f"{page}/run", page=page)
    assert set(_flags(db, comp.id)) == {pair("source", "half")}
    shown = client.get(page).get_data(as_text=True)
    assert e["copy"].receipt_number not in shown and '<span class="badge danger">' not in shown
    assert e["half"].receipt_number in shown


def test_flags_stay_with_their_competition(
    client, login, post, db, make_user, make_unit, organiser, comp, planted, make_competition
):
    later = make_competition()
    make_entry(db, later, make_user("author", unit=make_unit()), text=han_text(400, seed=21))
    login(client, organiser)
    post(client, f"/essays/manage/{comp.id}/similarity/run", page=f"/essays/manage/{comp.id}/similarity")
    assert _flags(db, comp.id) and not _flags(db, later.id)
    shown = client.get(f"/essays/manage/{later.id}/similarity").get_data(as_text=True)
    assert "未发现相似作品。" in shown and planted["copy"].receipt_number not in shown


def test_someone_elses_check_is_not_visible(app, client, login, post, db, make_user, admin, organiser, comp, planted):
    login(client, organiser)
    response = post(client, f"/essays/manage/{comp.id}/similarity/run", page=f"/essays/manage/{comp.id}/similarity")
    job_url = response.headers["Location"]
    colleague = login(app.test_client(), make_user("organiser"))
    assert colleague.get(job_url).status_code == 404
    assert colleague.get(job_url + ".json").status_code == 404
    assert login(app.test_client(), admin).get(job_url + ".json").json["status"] == "done"


@pytest.mark.parametrize("method", ["get", "post"])
def test_similarity_refusals(app, login, csrf, db, make_user, organiser, comp, method):
    page = f"/essays/manage/{comp.id}/similarity"
    url = page if method == "get" else f"{page}/run"
    cases = [
        (None, url, 302),
        ("author", url, 403),
        ("judge", url, 403),
        ("coordinator", url, 403),
        ("committee", url, 403),
        ("organiser", url.replace(f"/{comp.id}/", f"/{NO_COMP}/"), 404),
    ]
    users = {role: make_user(role) for role in ("author", "judge", "coordinator", "committee")}
    users["organiser"] = organiser
    for who, target, expected in cases:
        client = app.test_client()
        if who is None and method == "post":
            assert client.post(target).status_code == 400  # no CSRF token
        if who is not None:
            login(client, users[who])
        if method == "get":
            response = client.get(target)
        else:
            response = client.post(target, data={"csrf_token": csrf(client, "/login" if who is None else "/")})
        assert response.status_code == expected, (who, target, response.status_code)
        if who is None:
            assert "/login" in response.headers["Location"]
    assert _jobs(db) == 0 and not _flags(db, comp.id)

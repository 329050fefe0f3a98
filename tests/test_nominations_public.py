"""The public exemplar gallery and its JSON API: consented, approved honourees, public fields only."""

from __future__ import annotations

import pytest

from helpers.nominations import BIRTH, MEMBERS_PRIVATE, PHONE, POLITICS, add_photo, approve_all, build


@pytest.fixture
def gallery(db, make_user, make_unit, organiser):
    """Four approved honourees: full consent, profile only, no consent; one later withdrawn."""
    setup = build(db, make_user, make_unit, organiser, dossiers=4, experts=0, committee=0, stage="ballot")
    full, profile_only, none, withdrawn = setup.nominations
    profile_only.consent_deeds = False
    profile_only.deeds = "仅内部可见的主要事迹"
    none.consent_profile = none.consent_deeds = False
    for n in setup.nominations:
        n.members_text = MEMBERS_PRIVATE
        add_photo(db, n)
    rs = approve_all(db, setup, organiser)
    from publishing import results as publishing_results

    honour = next(h for h in rs.honours if h.source_item_id == withdrawn.id)
    publishing_results.withdraw_honour(honour, "经核实撤销", organiser)
    db.session.commit()
    return setup


def _private(setup):
    out = [PHONE, POLITICS, MEMBERS_PRIVATE, "1979", f"{BIRTH.year}年", "610502"]
    out += [n.resident_id for n in setup.nominations]
    return out


def test_gallery_lists_the_programme_by_year_and_shows_consenting_honourees(client, gallery):
    full, profile_only, none, withdrawn = gallery.nominations
    index = client.get("/exemplars").get_data(as_text=True)
    assert gallery.programme.title in index and "2026" in index
    page = client.get(f"/exemplars/{gallery.programme.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert full.name in html and profile_only.name in html and "临渭标杆" in html
    assert full.summary in html and full.deeds in html
    assert "仅内部可见的主要事迹" not in html
    assert none.name not in html and withdrawn.name not in html
    for secret in _private(gallery):
        assert secret not in html, secret


def test_api_has_the_same_public_fields_only(client, gallery):
    full, profile_only, none, withdrawn = gallery.nominations
    response = client.get(f"/exemplars/api/{gallery.programme.id}.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    people = {p["name"]: p for p in data["honourees"]}
    assert set(people) == {full.name, profile_only.name}
    assert set(people[full.name]) == {"id", "name", "honour", "unit", "kind", "summary", "deeds", "photo_url"}
    assert people[profile_only.name]["deeds"] is None and people[full.name]["deeds"] == full.deeds
    assert people[full.name]["photo_url"].endswith(f"/exemplars/{gallery.programme.id}/photo/{full.id}")
    text = response.get_data(as_text=True)
    for secret in _private(gallery):
        assert secret not in text, secret


def test_photos_only_for_consenting_approved_honourees(client, gallery):
    full, profile_only, none, withdrawn = gallery.nominations
    pid = gallery.programme.id
    ok = client.get(f"/exemplars/{pid}/photo/{full.id}")
    assert ok.status_code == 200 and ok.mimetype == "image/png"
    assert full.name not in ok.headers.get("Content-Disposition", "")
    for n in (none, withdrawn):
        assert client.get(f"/exemplars/{pid}/photo/{n.id}").status_code == 404
    assert client.get(f"/exemplars/{pid + 1}/photo/{full.id}").status_code == 404


def test_programmes_not_approved_are_not_public(client, db, make_user, make_unit, organiser):
    setup = build(db, make_user, make_unit, organiser, dossiers=1, experts=0, committee=0, stage="notice")
    n = setup.nominations[0]
    n.status = "on_notice"
    add_photo(db, n)
    db.session.commit()
    pid = setup.programme.id
    assert client.get(f"/exemplars/{pid}").status_code == 404
    assert client.get(f"/exemplars/api/{pid}.json").status_code == 404
    assert client.get(f"/exemplars/{pid}/photo/{n.id}").status_code == 404
    assert setup.programme.title not in client.get("/exemplars").get_data(as_text=True)
    assert client.get("/exemplars/999999").status_code == 404

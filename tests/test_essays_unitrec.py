"""Unit recommendation: endorsing a member's entry, withdrawing, inviting, per-unit quotas."""

from __future__ import annotations

import datetime as dt
import io
import re

from helpers import audit, follow, submit, submit_as
from helpers.dossiers import quota_sheet


def _entry(db, entry_id):
    from essays.models import Submission

    db.session.expire_all()
    return db.session.get(Submission, entry_id)


def _member_entry(client, login, make_user, unit, comp, csrf, title="我的家乡"):
    member = make_user("author", unit=unit)
    return member, submit_as(client, login, member, comp, csrf, title=title)


def test_coordinator_endorses_a_members_entry_within_the_quota(
    app, client, login, post, csrf, make_user, coordinator, comp, db
):
    _, first = _member_entry(app.test_client(), login, make_user, coordinator.unit, comp, csrf, title="第一篇")
    _, second = _member_entry(app.test_client(), login, make_user, coordinator.unit, comp, csrf, title="第二篇")
    login(client, coordinator)
    page = client.get(f"/essays/unit/c/{comp.id}").get_data(as_text=True)
    assert "第一篇" in page and "第二篇" in page
    r = post(client, f"/essays/unit/entry/{first}/endorse", page=f"/essays/unit/c/{comp.id}")
    assert "本单位已推荐" in follow(client, r)
    assert _entry(db, first).recommending_unit_id == coordinator.unit_id
    assert audit(db, "essay.endorse")[-1].changes["recommended_by"] == [None, coordinator.unit.name]
    assert "第一篇" in client.get("/essays/unit").get_data(as_text=True)
    # The quota (1) is used: the unit is told, as the unit, and nothing changes.
    r = post(client, f"/essays/unit/entry/{second}/endorse", page=f"/essays/unit/c/{comp.id}")
    assert "本单位推荐名额已用满" in follow(client, r)
    assert _entry(db, second).recommending_unit_id is None


def test_a_units_own_quota_replaces_the_default(app, client, login, post, csrf, make_user, coordinator, comp, db):
    from essays import recommendations

    recommendations.set_unit_quotas(comp, {coordinator.unit_id: 2}, coordinator)
    db.session.commit()
    ids = [_member_entry(app.test_client(), login, make_user, coordinator.unit, comp, csrf)[1] for _ in range(3)]
    login(client, coordinator)
    assert "已推荐 0 个，共 2 个名额" in client.get(f"/essays/unit/c/{comp.id}").get_data(as_text=True)
    for entry_id in ids:
        post(client, f"/essays/unit/entry/{entry_id}/endorse", page=f"/essays/unit/c/{comp.id}")
    assert [_entry(db, i).recommending_unit_id for i in ids] == [coordinator.unit_id] * 2 + [None]


def test_withdrawing_a_recommendation_frees_the_place(app, client, login, post, csrf, make_user, coordinator, comp, db):
    _, first = _member_entry(app.test_client(), login, make_user, coordinator.unit, comp, csrf, title="第一篇")
    _, second = _member_entry(app.test_client(), login, make_user, coordinator.unit, comp, csrf, title="第二篇")
    login(client, coordinator)
    unit_page = f"/essays/unit/c/{comp.id}"
    post(client, f"/essays/unit/entry/{first}/endorse", page=unit_page)
    assert client.get(f"/essays/entry/{first}/edit").status_code == 200  # the unit may edit what it recommends
    r = post(client, f"/essays/unit/entry/{first}/unrecommend", page=unit_page)
    assert "名额已释放" in follow(client, r)
    entry = _entry(db, first)
    assert entry.recommending_unit_id is None and entry.status == "submitted"  # still the author's entry
    assert audit(db, "essay.recommendation_withdraw")[-1].changes["recommended_by"] == [coordinator.unit.name, None]
    assert client.get(f"/essays/entry/{first}/edit").status_code == 404
    post(client, f"/essays/unit/entry/{second}/endorse", page=unit_page)
    assert _entry(db, second).recommending_unit_id == coordinator.unit_id


def test_after_the_deadline_a_recommendation_stays(app, client, login, post, csrf, make_user, coordinator, comp, db):
    _, first = _member_entry(app.test_client(), login, make_user, coordinator.unit, comp, csrf)
    login(client, coordinator)
    post(client, f"/essays/unit/entry/{first}/endorse", page=f"/essays/unit/c/{comp.id}")
    comp.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    db.session.commit()
    r = post(client, f"/essays/unit/entry/{first}/unrecommend", page="/essays/unit")
    assert "截止" in follow(client, r)
    assert _entry(db, first).recommending_unit_id == coordinator.unit_id


def test_refusals(app, client, login, post, csrf, make_user, make_unit, coordinator, author, comp, db):
    other_unit = make_unit(name="另一单位")
    _, foreign = _member_entry(app.test_client(), login, make_user, other_unit, comp, csrf)
    _, own = _member_entry(app.test_client(), login, make_user, coordinator.unit, comp, csrf)
    # Another unit's entry: as if it did not exist.
    login(client, coordinator)
    assert post(client, f"/essays/unit/entry/{foreign}/endorse", page="/essays/unit").status_code == 404
    assert post(client, f"/essays/unit/entry/{foreign}/unrecommend", page="/essays/unit").status_code == 404
    assert post(client, f"/essays/unit/entry/{own}/unrecommend", page="/essays/unit").status_code == 404
    # An author is not a unit.
    author_client = app.test_client()
    login(author_client, author)
    for path in (f"/essays/unit/entry/{own}/endorse", f"/essays/unit/entry/{own}/unrecommend"):
        assert post(author_client, path, page="/").status_code == 403
    for path in (f"/essays/unit/c/{comp.id}", f"/essays/unit/c/{comp.id}/invite", f"/essays/c/{comp.id}/unit-quotas"):
        assert author_client.get(path).status_code == 403
    # Anonymous: to the sign-in page.
    anonymous = app.test_client()
    assert anonymous.get(f"/essays/unit/c/{comp.id}").status_code == 302
    assert _entry(db, own).recommending_unit_id is None


def test_coordinator_invites_someone_without_an_account(app, client, login, post, csrf, coordinator, comp, db):
    from accounts.models import User

    login(client, coordinator)
    path = f"/essays/unit/c/{comp.id}/invite"
    r = post(client, path, {"display_name": "赵新人", "phone": "13912345678", "email": ""})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    html = r.get_data(as_text=True)
    url = re.search(r'id="invite-url" value="([^"]+)"', html).group(1)
    person = db.session.scalar(db.select(User).where(User.phone == "13912345678"))
    assert person.unit_id == coordinator.unit_id and person.has_role("author")
    assert audit(db, "user.invite") and audit(db, "password.invitation_link")
    # The coordinator submits the entry for them.
    submit_path = re.search(r'href="(/essays/unit/c/\d+/submit\?member=\d+)"', html).group(1)
    form_page = client.get(submit_path).get_data(as_text=True)
    assert re.search(
        rf'<option[^>]*selected[^>]*value="{person.id}"|<option[^>]*value="{person.id}"[^>]*selected', form_page
    )
    entry = submit(comp, person, actor=coordinator, recommending_unit=coordinator.unit, token="invited")
    db.session.commit()
    # The person confirms with the link, sets a password, signs in and may edit the entry.
    person_client = app.test_client()
    reset_path = url.split("://", 1)[1].split("/", 1)[1]
    r = post(person_client, "/" + reset_path, {"new": "Xin-ren-2026!", "confirm": "Xin-ren-2026!"})
    assert r.status_code == 302
    login(person_client, person, password="Xin-ren-2026!")
    assert person_client.get(f"/essays/entry/{entry.entry.id}/edit").status_code == 200
    # The link works once.
    assert person_client.get("/" + reset_path).status_code == 404


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _signs_in(app, csrf, username: str, password: str) -> bool:
    c = app.test_client()
    r = c.post("/login", data={"login": username, "password": password, "csrf_token": csrf(c, "/login")})
    return r.status_code == 302


def test_an_invited_account_is_unusable_until_the_person_confirms(
    app, client, login, post, csrf, coordinator, comp, db
):
    from accounts.models import PasswordReset, User

    login(client, coordinator)
    r = post(client, f"/essays/unit/c/{comp.id}/invite", {"display_name": "孙新人", "phone": "13900001111"})
    first = re.search(r'id="invite-url" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    person = db.session.scalar(db.select(User).where(User.phone == "13900001111"))
    # The coordinator sees the account waiting, and cannot take it over with a reset link.
    members = client.get("/unit/members").get_data(as_text=True)
    assert "待确认" in members and f"/unit/members/{person.id}/reset-link" not in members
    assert post(client, f"/unit/members/{person.id}/reset-link", page="/unit/members").status_code == 404
    assert not _signs_in(app, csrf, "13900001111", "")
    # The invitation expires; the coordinator issues a new one (audited), the old link stays dead.
    db.session.execute(db.update(PasswordReset).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    db.session.commit()
    assert app.test_client().get(_path(first)).status_code == 404
    r = post(client, f"/unit/members/{person.id}/invitation", page="/unit/members")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    url = re.search(r'id="invite-url" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    assert audit(db, "password.invitation_reissue")
    # The person confirms their details and sets a password: from then on the account works.
    person_client = app.test_client()
    page = person_client.get(_path(url)).get_data(as_text=True)
    assert "确认邀请" in page and "孙新人" in page and "13900001111" in page
    assert post(person_client, _path(url), {"new": "Sun-xin-2026!", "confirm": "Sun-xin-2026!"}).status_code == 302
    assert audit(db, "user.invitation_confirm")
    assert _signs_in(app, csrf, "13900001111", "Sun-xin-2026!")
    assert "待确认" not in client.get("/unit/members").get_data(as_text=True)
    assert post(client, f"/unit/members/{person.id}/invitation", page="/unit/members").status_code == 404


def test_invitation_needs_a_way_to_sign_in(client, login, post, coordinator, comp, db):
    login(client, coordinator)
    r = post(client, f"/essays/unit/c/{comp.id}/invite", {"display_name": "赵新人", "phone": "", "email": ""})
    assert r.status_code == 200 and "手机号或电子邮箱" in r.get_data(as_text=True)


def _quota_rows(client, url):
    html = client.get(url).get_data(as_text=True)
    ids = re.findall(r'name="(rows-\d+-unit_id)"[^>]*value="(\d+)"', html) or [
        (m[1], m[0]) for m in re.findall(r'value="(\d+)"[^>]*name="(rows-\d+-unit_id)"', html)
    ]
    return {key: int(value) for key, value in ids}


def test_organiser_sets_units_quotas_as_one_table(client, login, post, organiser, coordinator, comp, db):
    login(client, organiser)
    url = f"/essays/c/{comp.id}/unit-quotas"
    rows = _quota_rows(client, url)
    data = {key: str(unit_id) for key, unit_id in rows.items()}
    for key, unit_id in rows.items():
        data[key.replace("unit_id", "places")] = "3" if unit_id == coordinator.unit_id else ""
    assert post(client, url, data).status_code == 302
    db.session.expire_all()
    assert {q.unit_id: q.places for q in comp.unit_quotas} == {coordinator.unit_id: 3}
    assert audit(db, "competition.unit_quotas")
    # Emptied again: the competition's default applies.
    data[next(k for k, v in rows.items() if v == coordinator.unit_id).replace("unit_id", "places")] = ""
    post(client, url, data)
    db.session.expire_all()
    assert comp.unit_quotas == []


def test_organiser_imports_units_quotas_from_a_sheet(client, login, post, organiser, coordinator, comp, db):
    login(client, organiser)
    page = f"/essays/c/{comp.id}/unit-quotas"
    sheet = quota_sheet([(coordinator.unit.name, 4)])
    r = post(
        client,
        f"/essays/c/{comp.id}/unit-quotas/import",
        {"sheet": (io.BytesIO(sheet), "名额.xlsx")},
        page=page,
        content_type="multipart/form-data",
    )
    assert "1 个单位" in follow(client, r)
    db.session.expire_all()
    assert {q.unit_id: q.places for q in comp.unit_quotas} == {coordinator.unit_id: 4}
    bad = quota_sheet([("不存在的局", 2)])
    r = post(
        client,
        f"/essays/c/{comp.id}/unit-quotas/import",
        {"sheet": (io.BytesIO(bad), "名额.xlsx")},
        page=page,
        content_type="multipart/form-data",
    )
    assert "不存在的局" in follow(client, r)
    assert client.get(f"/essays/c/{comp.id}/unit-quotas.xlsx").status_code == 200


def test_coordinator_cannot_set_quotas(client, login, coordinator, comp):
    login(client, coordinator)
    assert client.get(f"/essays/c/{comp.id}/unit-quotas").status_code == 403
    assert client.get(f"/essays/c/{comp.id}/unit-quotas.xlsx").status_code == 403


def test_unit_places_sheet_parsing_is_shared():
    from accounts.unit_places import parse_unit_places

    places, problems = parse_unit_places(
        [["单位", "名额"], ["区教育局", "2"], ["区教育局", "3"], ["x", "1"]], {"区教育局": 7}
    )
    assert places == {7: 2} and [p.line for p in problems] == [3, 4]


def test_an_authors_limit_is_told_to_the_unit_about_the_author(client, login, csrf, make_user, coordinator, comp, db):
    from helpers import post_entry

    member = make_user("author", unit=coordinator.unit)
    submit(comp, member, token="own-1")
    submit(comp, member, token="own-2", title="第二篇")
    db.session.commit()
    login(client, coordinator)
    r = post_entry(client, comp, csrf, path=f"/essays/unit/c/{comp.id}/submit", member_id=member.id)
    html = r.get_data(as_text=True)
    assert r.status_code in (409, 422) and "该作者在本次征文的投稿已达2篇上限" in html and "您在本次征文" not in html


def test_the_invitation_is_emailed_when_smtp_is_configured(app, client, login, post, coordinator, comp, monkeypatch):
    import smtplib

    sent = []

    class FakeSMTP:
        def __init__(self, *a, **kw):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, email):
            sent.append(email)

    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.cn")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    login(client, coordinator)
    r = post(client, f"/essays/unit/c/{comp.id}/invite", {"display_name": "钱新人", "email": "qian@example.cn"})
    html = r.get_data(as_text=True)
    r.close()  # the mail goes out once the response has been sent
    url = re.search(r'id="invite-url" value="([^"]+)"', html).group(1)
    assert "qian@example.cn" in html
    assert [m["To"] for m in sent] == ["qian@example.cn"] and url in sent[0].get_content()

"""Privacy: consent at registration, the personal-data download, erasure after the retention period."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile

from sqlalchemy import func, select, text

from accounts.privacy import NOTICE_VERSION
from helpers import PASSWORD, follow, make_entry, setup_round
from publishing.clock import today_local

NAME, PHONE, TITLE = "赵小明", "13912345678", "渭水秋思录"


def _register(client, post, **over):
    data = {
        "username": "zhaoxm",
        "display_name": NAME,
        "phone": PHONE,
        "unit_id": "0",
        "password": "Spring-Rain-42",
        "confirm": "Spring-Rain-42",
        "consent": "y",
        "notice_version": NOTICE_VERSION,
    }
    data.update(over)
    return post(client, "/register", data)


def test_registration_shows_the_notice_and_records_consent_with_its_version(client, post, db):
    from accounts.models import Consent, User

    page = client.get("/register").get_data(as_text=True)
    assert "个人信息保护告知书" in page and NOTICE_VERSION in page
    assert _register(client, post).status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zhaoxm"))
    consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
    assert consent.notice_version == NOTICE_VERSION and consent.given_at is not None


def test_registration_without_consent_or_with_an_old_notice_is_refused(app, post, db):
    from accounts.models import User

    r = _register(app.test_client(), post, consent="")
    assert r.status_code == 200 and "请阅读个人信息保护告知书并同意" in r.get_data(as_text=True)
    r = _register(app.test_client(), post, notice_version="2020-01-01")
    assert r.status_code == 200 and "告知书已更新" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "zhaoxm")) == 0


def test_privacy_notice_page_is_public(client):
    assert "您的权利" in client.get("/privacy").get_data(as_text=True)


def test_people_download_their_own_data_and_nothing_of_others(app, db, make_user, login, csrf, organiser):
    from core.storage import store_bytes
    from helpers import judging_competition

    comp = judging_competition(db, organiser)
    me = make_user("author", display_name=NAME, phone=PHONE)
    other = make_user("author")
    mine = make_entry(db, comp, me, title=TITLE, text="我的正文。")
    make_entry(db, comp, other, title="别人的作品", text="别人的正文。")
    upload = store_bytes(b"my upload", content_type="text/plain", original_name="a.txt")
    db.session.flush()
    mine.original_file_id = upload.id
    mine.original_name = "a.txt"
    db.session.commit()
    client = login(app.test_client(), me)
    r = client.post("/profile/my-data", data={"csrf_token": csrf(client, "/profile")})
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        data = json.loads(z.read("data.json"))
        names = z.namelist()
        assert "data.xlsx" in names and "privacy-notice.txt" in names
        assert [z.read(n) for n in names if n.startswith("files/")] == [b"my upload"]
    assert data["account"]["phone"] == PHONE and data["sessions"]
    assert [e["title"] for e in data["entries"]] == [TITLE] and data["entries"][0]["text"] == "我的正文。"
    assert "别人" not in r.data.decode("utf-8", "ignore") and other.display_name not in json.dumps(data)
    # Anonymous: refused without a token, sent to sign in with one.
    assert app.test_client().post("/profile/my-data").status_code == 400


def _archived_round(db, make_user, make_unit, organiser):
    from accounts import services
    from essays.models import CompetitionStatus
    from judging.models import Award

    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2)
    winner, loser = entries
    services.update_user(loser.author, actor=organiser, display_name=NAME, phone=PHONE)
    loser.title = loser.judge_title = TITLE
    loser.body_text = loser.judge_text = f"作者{NAME}，电话{PHONE}。"
    db.session.add(Award(round_id=round_.id, submission_id=winner.id, level="一等奖"))
    comp.status = CompetitionStatus.ARCHIVED
    db.session.commit()
    return comp, winner, loser


def test_erasure_leaves_nothing_personal_of_a_non_winner(app, db, make_user, make_unit, organiser, login, post):
    from accounts.models import Retention
    from core.audit import AuditEntry
    from core.jobs import Job
    from core.storage import store_bytes
    from judging.models import Assignment

    comp, winner, loser = _archived_round(db, make_user, make_unit, organiser)
    upload = store_bytes(PHONE.encode(), content_type="text/plain", original_name=f"{NAME}.txt")
    db.session.flush()
    loser.original_file_id = upload.id
    loser.original_name = f"{NAME}.txt"
    export = store_bytes(f"{NAME},{PHONE}".encode(), content_type="text/csv", original_name="entries.csv")
    db.session.flush()  # an entry list made earlier, kept as a finished job's download
    db.session.add(Job(kind="essays.export", params={"competition_id": comp.id}, result_file_id=export.id))
    db.session.commit()
    login(app.test_client(), loser.author)  # a sign-in: a session row and an audit entry with the IP
    code, words, winner_name = loser.anonymous_code, loser.word_count, winner.author.display_name
    assignments = db.session.scalar(select(func.count(Assignment.id)))
    audits = db.session.scalar(select(func.count(AuditEntry.id)))

    client = login(app.test_client(), organiser)
    url = f"/activities/{comp.id}/privacy"
    today = today_local().isoformat()
    assert post(client, url, {"keep_until": today}).status_code == 302
    r = follow(client, post(client, url + "/erase", {}, page=url))
    assert "保存期限尚未届满" in r
    retention = db.session.scalar(select(Retention))
    retention.keep_until = today_local() - dt.timedelta(days=10)  # time passes
    db.session.commit()
    r = post(client, url + "/erase", {}, page=url)
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]

    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            flat = json.dumps([str(v) for v in row], ensure_ascii=False)
            assert NAME not in flat and PHONE not in flat and TITLE not in flat, (table.name, row)
    for root, _dirs, files in os.walk(app.config["STORAGE_PATH"]):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                assert PHONE.encode() not in fh.read(), name
    db.session.refresh(loser)
    assert loser.anonymous_code == code and loser.word_count == words
    assert db.session.scalar(select(func.count(Assignment.id))) == assignments
    assert db.session.scalar(select(func.count(AuditEntry.id))) > audits
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.erase")) is not None
    assert winner.author.display_name == winner_name and winner.title
    # Twice is refused.
    r = follow(client, post(client, url + "/erase", {}, page=url))
    assert "已删除" in r
    assert db.session.execute(text("select 1")).scalar() == 1


def test_retention_is_refused_for_an_activity_not_archived(app, db, organiser, login, post):
    from helpers import judging_competition

    comp = judging_competition(db, organiser)
    client = login(app.test_client(), organiser)
    url = f"/activities/{comp.id}/privacy"
    r = follow(client, post(client, url, {"keep_until": today_local().isoformat()}))
    assert "只有已归档的活动" in r


def test_retention_pages_refuse_others(app, db, organiser, make_user, login, csrf):
    from helpers import judging_competition, refused

    comp = judging_competition(db, organiser)
    users = {"author": make_user("author"), "judge": make_user("judge"), "organiser": organiser}
    cases = [
        (None, f"/activities/{comp.id}/privacy/erase", 302),
        ("author", f"/activities/{comp.id}/privacy/erase", 403),
        ("judge", f"/activities/{comp.id}/privacy", 403),
        ("organiser", "/activities/99999/privacy/erase", 404),
    ]
    refused(app, login, csrf, users, cases)
    assert PASSWORD


def test_a_youth_group_entry_needs_the_guardian_s_consent(app, db, make_competition, make_user, login, csrf, counts):
    from accounts.models import Consent, ConsentKind
    from helpers import post_entry

    comp = make_competition(groups=[{"name": "成人组"}, {"name": "青少年组", "minors": True}])
    youth = comp.groups[1]
    client = login(app.test_client(), make_user("author"))
    page = client.get(f"/essays/c/{comp.id}/submit").get_data(as_text=True)
    assert "监护人姓名" in page
    r = post_entry(client, comp, csrf, group_id=youth.id)
    assert r.status_code == 422 and "监护人" in r.get_data(as_text=True) and counts() == 0
    r = post_entry(
        client, comp, csrf, group_id=youth.id, guardian_name="张丽", guardian_relation="母亲", guardian_consent="y"
    )
    assert r.status_code == 302 and counts() == 1
    consent = db.session.scalar(select(Consent))
    assert (consent.kind, consent.guardian_name, consent.guardian_relation) == (ConsentKind.GUARDIAN, "张丽", "母亲")
    # The adult group asks for nothing more.
    adult = login(app.test_client(), make_user("author"))
    assert post_entry(adult, comp, csrf, group_id=comp.groups[0].id).status_code == 302

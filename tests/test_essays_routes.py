"""Essay pages: happy paths and refusals for every role, bad input leaves nothing behind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest

from helpers import LONG_TEXT, entry_data, form_token, now, post_entry, submit_as
from helpers.docs import identity_values, make_docx, make_docx_with_identity


@pytest.mark.parametrize("path", ["/essays/mine", "/essays/unit", "/essays/manage", "/essays/manage/new"])
def test_anonymous_goes_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "role, path",
    [
        ("author", "/essays/manage"),
        ("author", "/essays/unit"),
        ("coordinator", "/essays/mine"),
        ("judge", "/essays/manage"),
        ("judge", "/essays/mine"),
    ],
)
def test_wrong_role_is_403(client, login, make_user, role, path):
    login(client, make_user(role))
    assert client.get(path).status_code == 403


def test_author_submits_typed_text_and_sees_receipt(client, login, author, comp, csrf, counts):
    login(client, author)
    assert comp.title in client.get("/essays/mine").get_data(as_text=True)
    response = post_entry(client, comp, csrf)
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{comp.code}-0001" in receipt and "我的家乡" in receipt
    assert counts() == 1


def test_double_post_same_token_one_entry(client, login, author, comp, csrf, counts):
    login(client, author)
    page = client.get(f"/essays/c/{comp.id}/submit").get_data(as_text=True)
    data = entry_data(comp, form_token(page), csrf_token=csrf(client, f"/essays/c/{comp.id}/submit"))
    first = client.post(f"/essays/c/{comp.id}/submit", data=data)
    second = client.post(f"/essays/c/{comp.id}/submit", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert counts() == 1


def test_docx_upload_keeps_original_and_scrubs_judge_copy(client, login, make_user, comp, csrf, db):
    from essays.models import Submission

    author = make_user("author", display_name="李秀英")
    login(client, author)
    data = make_docx_with_identity()
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(data), "我的作品😀.docx"))
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    entry = db.session.scalars(db.select(Submission)).one()
    assert entry.original_name == "我的作品😀.docx" and entry.source_format == "docx"
    assert "我的作品" not in entry.original_file.key and "我的作品" not in entry.judge_file.key
    from essays.blind import judge_file_bytes

    judge = judge_file_bytes(entry)
    # The scrubbed .docx replaces the text copy in a job right after the receipt.
    assert judge[:2] == b"PK"
    from core.audit import AuditEntry

    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "essay.judge_copy")) is not None
    blob = judge.decode("utf-8", "ignore")
    if judge[:2] == b"PK":
        blob = "".join(
            z.read(n).decode("utf-8", "ignore") for z in [zipfile.ZipFile(io.BytesIO(judge))] for n in z.namelist()
        )
    for value in identity_values():
        assert value not in blob
    assert client.get(f"/essays/entry/{entry.id}/original").data == data


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b"a" * 150_000_000 + b">")
    return out.getvalue()


BAD_UPLOADS = [
    ("fake.docx", b"this is plain text, not a zip", "does not match"),
    ("macro.docm", make_docx("宏文件"), ".docm"),
    ("empty.txt", b"", "empty"),
    ("broken.pdf", b"%PDF-1.4 garbage", "damaged"),
    ("blank.txt", "   \n  ".encode(), "no text"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "does not match"),
]


@pytest.mark.parametrize("name, data, message", BAD_UPLOADS)
def test_bad_uploads_leave_nothing(client, login, author, comp, csrf, counts, storage_state, name, data, message):
    login(client, author)
    before = storage_state()
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(data), name))
    assert response.status_code in (400, 422)
    from html import unescape

    assert message in unescape(response.get_data(as_text=True)) or response.status_code == 422
    assert counts() == 0 and storage_state() == before


def test_zip_bomb_refused(client, login, make_competition, author, csrf, counts, storage_state):
    comp = make_competition(max_file_mb=5)
    login(client, author)
    before = storage_state()
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(_zip_bomb()), "bomb.docx"))
    assert response.status_code == 422
    assert counts() == 0 and storage_state() == before


def test_oversized_file_is_413(client, login, author, comp, csrf, counts, storage_state):
    login(client, author)
    before = storage_state()
    response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(b"x" * (3 * 1024 * 1024)), "big.txt"))
    assert response.status_code == 413 and "2 MB" in response.get_data(as_text=True)
    assert counts() == 0 and storage_state() == before


def test_over_global_limit_is_413_page(app, client, login, author, comp, csrf):
    login(client, author)
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = post_entry(client, comp, csrf, body="", upload=(io.BytesIO(b"x" * 4096), "big.txt"))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
    assert response.status_code == 413


def test_title_with_script_is_escaped(client, login, author, organiser, comp, csrf, db):
    login(client, author)
    response = post_entry(client, comp, csrf, title="<script>alert(1)</script>标题")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    client2 = client.application.test_client()
    login(client2, organiser)
    assert "<script>alert(1)" not in client2.get(f"/essays/manage/{comp.id}").get_data(as_text=True)


def test_after_deadline_message_and_draft_kept(client, login, author, comp, csrf, db, counts, storage_state):
    login(client, author)
    path = f"/essays/c/{comp.id}/submit"
    token = form_token(client.get(path).get_data(as_text=True))
    csrf_token = csrf(client, path)
    saved = client.post(
        f"/essays/c/{comp.id}/autosave",
        json={"token": token, "title": "草稿", "body": LONG_TEXT, "genre_id": comp.genres[0].id},
        headers={"X-CSRFToken": csrf_token},
    )
    assert saved.status_code == 200 and saved.json["ok"]
    comp.closes_at = now() - dt.timedelta(seconds=1)
    db.session.commit()
    before = storage_state()
    response = client.post(path, data=entry_data(comp, token, csrf_token=csrf_token))
    assert response.status_code == 409
    from html import unescape

    assert "未提交" in unescape(response.get_data(as_text=True)) or "NOT submitted" in response.get_data(as_text=True)
    assert counts() == 1 and storage_state() == before
    late = client.post(
        f"/essays/c/{comp.id}/autosave", json={"token": token, "body": "x"}, headers={"X-CSRFToken": csrf_token}
    )
    assert late.status_code == 409 and not late.json["ok"]


def test_someone_elses_entry_is_404(client, login, make_user, comp, csrf, db):
    owner = make_user("author")
    login(client, owner)
    location = post_entry(client, comp, csrf).headers["Location"]
    entry_id = int(location.rstrip("/").split("/")[-2])
    other = client.application.test_client()
    login(other, make_user("author"))
    for path in (f"/essays/entry/{entry_id}", f"/essays/entry/{entry_id}/receipt", f"/essays/entry/{entry_id}/edit"):
        assert other.get(path).status_code == 404


def test_edit_and_withdraw(client, login, author, comp, csrf, db):
    login(client, author)
    location = post_entry(client, comp, csrf).headers["Location"]
    entry_id = int(location.rstrip("/").split("/")[-2])
    path = f"/essays/entry/{entry_id}/edit"
    response = post_entry(client, comp, csrf, path=path, title="改过的标题")
    assert response.status_code == 302
    assert "改过的标题" in client.get(f"/essays/entry/{entry_id}").get_data(as_text=True)
    token = csrf(client, path)
    assert client.post(f"/essays/entry/{entry_id}/withdraw", data={"csrf_token": token}).status_code == 302
    from essays.models import Submission

    db.session.expire_all()
    assert db.session.get(Submission, entry_id).status == "withdrawn"


def test_coordinator_recommends_within_quota(client, login, coordinator, make_user, comp, csrf, counts):
    member = make_user("author", unit=coordinator.unit)
    login(client, coordinator)
    path = f"/essays/unit/c/{comp.id}/submit"
    response = post_entry(client, comp, csrf, path=path, member_id=member.id)
    assert response.status_code == 302
    assert "我的家乡" in client.get("/essays/unit").get_data(as_text=True)
    # The quota is used: the page says so instead of showing the form; a post is still refused.
    page = client.get(path).get_data(as_text=True)
    assert "本单位推荐名额已用满" in page and 'name="token"' not in page
    data = entry_data(comp, "resent-form-token", member_id=member.id, title="第二篇", csrf_token=csrf(client, "/"))
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and counts() == 1


def test_coordinator_cannot_submit_for_other_units(
    client, login, coordinator, make_user, make_unit, comp, csrf, counts
):
    outsider = make_user("author", unit=make_unit())
    login(client, coordinator)
    response = post_entry(client, comp, csrf, path=f"/essays/unit/c/{comp.id}/submit", member_id=outsider.id)
    assert response.status_code == 422 and counts() == 0


def test_organiser_review_bulk_and_export(app, client, login, organiser, make_user, comp, csrf, db):
    ids = [submit_as(app.test_client(), login, make_user("author"), comp, csrf, title=f"作品{i}") for i in range(3)]
    login(client, organiser)
    page = client.get(f"/essays/manage/{comp.id}").get_data(as_text=True)
    assert "作品0" in page
    token = csrf(client, f"/essays/manage/{comp.id}")
    response = client.post(
        f"/essays/manage/{comp.id}/review",
        data={"csrf_token": token, "entry_ids": ids[:2], "decision": "qualify", "reason": ""},
    )
    assert response.status_code == 302
    client.post(
        f"/essays/manage/entry/{ids[2]}/review",
        data={"csrf_token": token, "decision": "disqualify", "reason": "不符合征文主题"},
    )
    assert "不符合征文主题" in client.get(f"/essays/manage/{comp.id}?status=disqualified").get_data(as_text=True)
    raw = client.get(f"/essays/manage/{comp.id}/export.csv").data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "收稿编号" and len(rows) == 4
    xlsx = client.get(f"/essays/manage/{comp.id}/export.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert ws["A1"].value == "收稿编号" and ws.max_row == 4


def test_author_sees_disqualification_reason(app, client, login, author, organiser, comp, csrf, db):
    from essays import review as essay_review
    from essays.models import Submission

    entry_id = submit_as(client, login, author, comp, csrf)
    essay_review.review_entry(db.session.get(Submission, entry_id), False, "字数超出限制", actor=organiser)
    db.session.commit()
    assert "字数超出限制" in client.get("/essays/mine").get_data(as_text=True)


def test_organiser_creates_and_edits_competition(client, login, organiser, csrf, db):
    from essays.models import Competition

    login(client, organiser)
    data = {
        "code": "ZW2030",
        "title": "新时代征文",
        "theme": "奋斗",
        "notice_html": "<p>通知</p><script>x</script>",
        "organisers-0-role": "主办",
        "organisers-0-name": "区委宣传部",
        "genres-0-name": "散文",
        "genres-0-min_length": "100",
        "genres-0-max_length": "3000",
        "genres-0-count_rule": "word",
        "genres-1-name": "诗歌",
        "genres-1-max_length": "60",
        "genres-1-count_rule": "han",
        "groups": "成人组，青少年组",
        "opens_at": "2030-01-01T08:00",
        "closes_at": "2030-03-01T17:30",
        "grace_minutes": "15",
        "max_entries_per_author": "1",
        "unit_quota": "3",
        "accepted_formats": ["text", "docx"],
        "max_file_mb": "10",
        "pledge_text": "原创承诺",
        "review_threshold": "0.5",
        "copy_threshold": "0.8",
        "csrf_token": csrf(client, "/essays/manage/new"),
    }
    response = client.post("/essays/manage/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    comp = db.session.scalars(db.select(Competition)).one()
    assert [g.name for g in comp.genres] == ["散文", "诗歌"] and [g.name for g in comp.groups] == ["成人组", "青少年组"]
    assert comp.closes_at == dt.datetime(2030, 3, 1, 9, 30, tzinfo=dt.timezone.utc)  # 17:30 in Shanghai
    assert "<script" not in comp.notice_html
    form = client.get(f"/essays/manage/{comp.id}/edit").get_data(as_text=True)
    assert "2030-03-01T17:30" in form
    data["title"] = "新时代征文（修订）"
    data["csrf_token"] = csrf(client, f"/essays/manage/{comp.id}/edit")
    data["genres-0-id"], data["genres-1-id"] = str(comp.genres[0].id), str(comp.genres[1].id)
    assert client.post(f"/essays/manage/{comp.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Competition, comp.id).title == "新时代征文（修订）"
    response = client.post(
        f"/essays/manage/{comp.id}/status", data={"status": "open", "csrf_token": data["csrf_token"]}
    )
    assert response.status_code == 302


def test_identity_review_page_and_similarity_pair(app, client, login, organiser, make_user, comp, csrf, db):
    from essays.models import SimilarityFlag

    text = "渭河两岸的春天来得格外早，桃花开满了山坡，农民们忙着春耕，孩子们在田埂上奔跑嬉戏。" * 3
    a = make_user("author", display_name="赵大山")
    first = submit_as(app.test_client(), login, a, comp, csrf, body=text + "\n作者赵大山")
    submit_as(app.test_client(), login, make_user("author"), comp, csrf, body=text)
    login(client, organiser)
    page = client.get(f"/essays/manage/entry/{first}").get_data(as_text=True)
    assert '<mark class="identity">赵大山</mark>' in page
    flag = db.session.scalars(db.select(SimilarityFlag)).one()  # computed by the background job
    pair = client.get(f"/essays/manage/flag/{flag.id}").get_data(as_text=True)
    assert pair.count('<mark class="shared">') >= 2
    assert "赵大山" in client.get(f"/essays/manage/{comp.id}?flag=identity").get_data(as_text=True)
    token = csrf(client, f"/essays/manage/entry/{first}")
    client.post(f"/essays/manage/entry/{first}/redact", data={"csrf_token": token, "phrases": "桃花开满了山坡"})
    assert "桃花开满了山坡" not in client.get(f"/essays/manage/entry/{first}/judge-copy").get_data(as_text=True)


def test_dashboard_panels(client, login, author, comp):
    login(client, author)
    assert comp.title in client.get("/").get_data(as_text=True)


def test_judge_copy_upgrade_never_overrides_an_edit_or_a_redaction(client, login, make_user, comp, csrf, db):
    from essays import judge_copies
    from essays.models import Submission

    login(client, make_user("author"))
    post_entry(client, comp, csrf, body="", upload=(io.BytesIO(make_docx(LONG_TEXT)), "作品.docx"))
    entry = db.session.scalars(db.select(Submission)).one()
    upgraded = entry.judge_file_id
    # A job queued before a later change names the judge copy it expected: nothing happens.
    assert judge_copies.upgrade_judge_copy(entry.id, upgraded - 1) is False
    # An organiser's redaction keeps the redacted text for judges.
    entry.identity_spans = [{"start": 0, "end": 2, "redacted": True}]
    db.session.commit()
    assert judge_copies.upgrade_judge_copy(entry.id, upgraded) is False
    db.session.refresh(entry)
    assert entry.judge_file_id == upgraded

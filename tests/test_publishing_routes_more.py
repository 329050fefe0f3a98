"""Publishing routes without a direct test elsewhere: downloads, take-downs, corrections, previews, outbox, workdays.

Each route: what a user notices on the happy path (Chinese page text, a file
that opens, the state afterwards, the audit entry), then its refusals
(anonymous, wrong role, nonexistent object, bad input with nothing changed).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers import EMAIL, PHONE, pdf_fonts
from publishing.clock import today_local
from publishing.demo import replay_closed_notice
from publishing.models import MessageStatus, ResultState, WorkdayOverride
from publishing.notice import set_workday_override
from publishing.outbox import prepare_result_messages
from publishing.results import HonourInput, import_honours, publish_results, unpublish_results

RARE = "王𪚥"  # U+2A6A5 (Ext B) is not in the bundled Noto CJK fonts: it must be reported, never drawn as tofu
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers --------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    """The document's text without whitespace (certificate titles are letter-spaced: 荣 誉 证 书)."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _audits(db, action: str):
    from core.audit import AuditEntry

    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _flashes(html: str) -> str:
    """The text of the flash messages on a page."""
    import re

    return " ".join(re.findall(r'<div class="flash[^"]*">(.*?)</div>', html, re.S))


def _refusal(client, request, login, csrf, who: str, method: str, url: str):
    """Request ``url`` as anonymous or ``who``; POSTs carry a valid CSRF token so the role check decides."""
    if who != "anonymous":
        login(client, request.getfixturevalue(who))
    if method == "GET":
        return client.get(url)
    token = csrf(client, "/login" if who == "anonymous" else "/")
    return client.post(url, data={"csrf_token": token, "reason": "理由", "subject": "主题", "body": "正文"})


def _published_with(db, organiser, names: list[str], source_id: int = 5):
    items = [HonourInput("first", "一等奖", n, "区文化馆", f"作品{i}", "", 90 - i, i + 1) for i, n in enumerate(names)]
    rs = import_honours("competition", source_id, "2026年读书征文活动", items, organiser)
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="来电", actor=organiser)
    publish_results(rs, organiser)
    db.session.commit()
    return rs


# --- public winner lists (PDF, XLSX) --------------------------------------------------------


def test_public_winner_list_pdf_opens_with_names_fonts_and_no_contacts(client, published, winner):
    assert winner.phone == PHONE and winner.email == EMAIL  # planted on the honour's own user
    r = client.get(f"/public/activities/{published.id}/results.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    text = _pdf_text(r.data)
    assert "获奖名单" in text and "李秀英" in text and "张伟" in text and "科技之光" in text
    assert text.index("一等奖") < text.index("二等奖")
    assert PHONE not in text and EMAIL not in text and PHONE.encode() not in r.data and EMAIL.encode() not in r.data
    fonts = pdf_fonts(r.data)
    assert fonts and all(fonts.values()), fonts


def test_public_winner_list_xlsx_has_chinese_headers_and_no_contacts(client, published, winner):
    from openpyxl import load_workbook

    r = client.get(f"/public/activities/{published.id}/results.xlsx")
    assert r.status_code == 200 and r.mimetype == XLSX
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert "获奖名单" in rows[0][0]
    assert rows[1] == ["序号", "奖次", "组别", "作品", "作者", "单位"]
    people = {row[4]: row for row in rows[2:]}
    assert people["李秀英"][1] == "一等奖" and people["李秀英"][5] == "区教育局"
    assert people["张伟"][3] == "一粒种子"
    cells = " ".join(str(c) for row in rows for c in row if c is not None)
    assert PHONE not in cells and EMAIL not in cells


@pytest.mark.parametrize("state", ["draft", "notice", "unpublished", "missing"])
@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_public_winner_list_only_when_published(client, request, db, organiser, state, suffix):
    if state == "missing":
        rs_id = 999999
    else:
        rs = request.getfixturevalue(
            "on_notice" if state == "notice" else "published" if state == "unpublished" else "draft"
        )
        if state == "unpublished":
            unpublish_results(rs, "名单有误", organiser)
            db.session.commit()
        rs_id = rs.id
    assert client.get(f"/public/activities/{rs_id}/results.{suffix}").status_code == 404


# --- organiser: merged certificates PDF and the ZIP of single files ----------------------------


def test_certificate_downloads_after_generating(client, db, published, organiser, login, post):
    login(client, organiser)
    base = f"/publishing/manage/{published.id}"
    # Before generation there is nothing to download.
    assert client.get(f"{base}/certificates.pdf").status_code == 404
    assert client.get(f"{base}/certificates.zip").status_code == 404
    assert post(client, f"{base}/certificates", page=base).status_code == 302
    assert _audits(db, "certificates.generate")

    r = client.get(f"{base}/certificates.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = _pdf_text(r.data)
    assert "荣誉证书" in text and "李秀英" in text and "张伟" in text
    assert all(pdf_fonts(r.data).values())

    db.session.expire_all()
    numbers = sorted(h.certificate.number for h in published.honours)
    r = client.get(f"{base}/certificates.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
        assert sorted(zf.namelist()) == [f"{n}.pdf" for n in numbers]
        for h in published.honours:
            single = zf.read(f"{h.certificate.number}.pdf")
            assert len(PdfReader(io.BytesIO(single)).pages) == 1
            assert h.recipient_name in _pdf_text(single) and h.certificate.number in _pdf_text(single)


@pytest.mark.parametrize("kind", ["pdf", "zip"])
@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("author", 403), ("judge", 403)])
def test_certificate_downloads_refused(client, request, published, login, csrf, kind, who, expected):
    r = _refusal(client, request, login, csrf, who, "GET", f"/publishing/manage/{published.id}/certificates.{kind}")
    assert r.status_code == expected
    if expected == 302:
        assert "/login" in r.headers["Location"]


@pytest.mark.parametrize("kind", ["pdf", "zip"])
def test_certificate_downloads_of_unknown_result_set(client, organiser, login, kind):
    login(client, organiser)
    assert client.get(f"/publishing/manage/999999/certificates.{kind}").status_code == 404


# --- organiser: taking a notice down / unpublishing --------------------------------------------


def test_cancel_notice_goes_back_to_draft_and_off_the_public_site(client, db, on_notice, organiser, login, post):
    login(client, organiser)
    assert client.get(f"/public/activities/{on_notice.id}/notice").status_code == 200
    base = f"/publishing/manage/{on_notice.id}"
    r = post(client, f"{base}/notice/cancel", {"reason": "名单录入有误"}, page=base, follow_redirects=True)
    assert "公示已撤回" in _flashes(r.get_data(as_text=True))
    db.session.refresh(on_notice)
    assert on_notice.state == ResultState.DRAFT
    anonymous = client.application.test_client()
    assert anonymous.get(f"/public/activities/{on_notice.id}/notice").status_code == 404
    assert "2026年科技征文活动" not in anonymous.get("/public").get_data(as_text=True)
    entry = _audits(db, "results.notice_cancel")[-1]
    assert entry.object_id == str(on_notice.id) and entry.changes["reason"] == "名单录入有误"
    assert entry.actor_id == organiser.id


@pytest.mark.parametrize(
    "action, fixture, state",
    [("notice/cancel", "on_notice", ResultState.NOTICE), ("unpublish", "published", ResultState.PUBLISHED)],
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_take_down_needs_a_reason(client, request, db, organiser, login, post, action, fixture, state, reason):
    rs = request.getfixturevalue(fixture)
    login(client, organiser)
    base = f"/publishing/manage/{rs.id}"
    r = post(client, f"{base}/{action}", {"reason": reason}, page=base, follow_redirects=True)
    assert "请填写原因" in _flashes(r.get_data(as_text=True))
    db.session.refresh(rs)
    assert rs.state == state
    assert not _audits(db, "results.notice_cancel") and not _audits(db, "results.unpublish")


@pytest.mark.parametrize(
    "action, fixture, message",
    [
        ("notice/cancel", "draft", "该结果不在公示中"),
        ("notice/cancel", "published", "该结果不在公示中"),
        ("unpublish", "on_notice", "该结果尚未公布"),
        ("unpublish", "draft", "该结果尚未公布"),
    ],
)
def test_take_down_in_the_wrong_state(client, request, db, organiser, login, post, action, fixture, message):
    rs = request.getfixturevalue(fixture)
    before = rs.state
    login(client, organiser)
    base = f"/publishing/manage/{rs.id}"
    r = post(client, f"{base}/{action}", {"reason": "误操作"}, page=base, follow_redirects=True)
    assert message in _flashes(r.get_data(as_text=True))
    db.session.refresh(rs)
    assert rs.state == before


def test_unpublish_takes_every_public_view_down(client, db, published, organiser, login, post):
    urls = [
        f"/public/activities/{published.id}/results",
        f"/public/activities/{published.id}/results.pdf",
        f"/public/activities/{published.id}/results.xlsx",
        f"/public/activities/{published.id}",
        f"/api/v1/activities/{published.id}/results",
    ]
    anonymous = client.application.test_client()
    assert all(anonymous.get(u).status_code in (200, 302) for u in urls)
    login(client, organiser)
    base = f"/publishing/manage/{published.id}"
    r = post(client, f"{base}/unpublish", {"reason": "发现获奖作品抄袭"}, page=base, follow_redirects=True)
    assert "结果已撤回" in _flashes(r.get_data(as_text=True))
    db.session.refresh(published)
    assert published.state == ResultState.UNPUBLISHED and published.unpublished_at is not None
    for url in urls:
        assert anonymous.get(url).status_code == 404, url
    assert "2026年科技征文活动" not in anonymous.get("/public").get_data(as_text=True)
    entry = _audits(db, "results.unpublish")[-1]
    assert entry.object_id == str(published.id) and entry.changes["reason"] == "发现获奖作品抄袭"


@pytest.mark.parametrize("action, fixture", [("notice/cancel", "on_notice"), ("unpublish", "published")])
@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("author", 403)])
def test_take_down_refused_to_others(client, request, db, login, csrf, action, fixture, who, expected):
    rs = request.getfixturevalue(fixture)
    before = rs.state
    r = _refusal(client, request, login, csrf, who, "POST", f"/publishing/manage/{rs.id}/{action}")
    assert r.status_code == expected
    if expected == 302:
        assert "/login" in r.headers["Location"]
    db.session.refresh(rs)
    assert rs.state == before


@pytest.mark.parametrize("action", ["notice/cancel", "unpublish"])
def test_take_down_of_unknown_result_set(client, organiser, login, post, action):
    login(client, organiser)
    assert (
        post(client, f"/publishing/manage/999999/{action}", {"reason": "理由"}, page="/publishing/manage").status_code
        == 404
    )


def test_take_down_without_csrf_token_changes_nothing(client, db, published, organiser, login):
    login(client, organiser)
    r = client.post(f"/publishing/manage/{published.id}/unpublish", data={"reason": "理由"})
    assert r.status_code in (302, 400)
    db.session.refresh(published)
    assert published.state == ResultState.PUBLISHED


# --- organiser: certificate template previews -----------------------------------------------------

TEMPLATE_FORM = {
    "title": "荣誉证书",
    "activity_name": "2026年科技征文活动",
    "closing": "特发此证，以资鼓励。",
    "issuers": "中共临渭区委宣传部",
    "date_style": "arabic",
    "page_size": "A4",
    "orientation": "landscape",
    "style": "classic",
    "activity_code": "ZP",
    "number_pattern": "{code}-{year}-{serial:03d}",
}


def test_template_preview_shows_the_first_winner(client, draft, organiser, login, post):
    login(client, organiser)
    page = f"/publishing/manage/{draft.id}/template"
    data = post(client, f"{page}/preview", TEMPLATE_FORM, page=page).get_json()
    assert data["errors"] == [] and data["missing"] == []
    assert "荣誉证书" in data["html"] and "李秀英" in data["html"] and "科技之光" in data["html"]
    assert f"ZP-{today_local().year}-001" in data["html"]


def test_template_preview_reports_a_recipient_the_fonts_lack(client, db, organiser, login, post):
    rs = _published_with(db, organiser, [RARE, "李秀英"])
    login(client, organiser)
    page = f"/publishing/manage/{rs.id}/template"
    data = post(client, f"{page}/preview", TEMPLATE_FORM, page=page).get_json()
    assert data["missing"] == ["𪚥（U+2A6A5）"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("number_pattern", "{code}-{year}", "{serial}"),
        ("number_pattern", "{code}-{nope}-{serial}", "未知字段"),
        ("date_style", "roman", "未知的日期格式"),
    ],
)
def test_template_preview_reports_bad_fields_in_chinese(
    client, db, draft, organiser, login, post, field, value, message
):
    login(client, organiser)
    page = f"/publishing/manage/{draft.id}/template"
    data = post(client, f"{page}/preview", {**TEMPLATE_FORM, field: value}, page=page).get_json()
    assert data["html"] == "" and len(data["errors"]) == 1 and message in data["errors"][0]
    # A preview never saves: the stored template keeps its defaults.
    db.session.refresh(draft)
    assert getattr(draft.template, field) != value


def test_template_preview_pdf_is_a_sample_certificate(client, draft, organiser, login):
    login(client, organiser)
    r = client.get(f"/publishing/manage/{draft.id}/template/preview.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    assert len(reader.pages) == 1
    text = _pdf_text(r.data)
    assert "荣誉证书" in text and "李秀英" in text and "特发此证" in text
    assert all(pdf_fonts(r.data).values())


def test_template_preview_pdf_reports_a_recipient_the_fonts_lack(client, db, organiser, login):
    rs = _published_with(db, organiser, [RARE])
    login(client, organiser)
    r = client.get(f"/publishing/manage/{rs.id}/template/preview.pdf")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/publishing/manage/{rs.id}/template")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    flashes = _flashes(html)
    assert "字体" in flashes and "U+2A6A5" in flashes


@pytest.mark.parametrize("method, path", [("POST", "template/preview"), ("GET", "template/preview.pdf")])
@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("author", 403)])
def test_template_previews_refused(client, request, draft, login, csrf, method, path, who, expected):
    r = _refusal(client, request, login, csrf, who, method, f"/publishing/manage/{draft.id}/{path}")
    assert r.status_code == expected


@pytest.mark.parametrize("method, path", [("POST", "template/preview"), ("GET", "template/preview.pdf")])
def test_template_previews_of_unknown_result_set(client, organiser, login, post, method, path):
    login(client, organiser)
    url = f"/publishing/manage/999999/{path}"
    r = post(client, url, TEMPLATE_FORM, page="/publishing/manage") if method == "POST" else client.get(url)
    assert r.status_code == 404


# --- organiser: correcting an entry ---------------------------------------------------------

HONOUR_FORM = {
    "recipient_name": "李秀瑛",
    "recipient_unit": "区教育局",
    "work_title": "科技之光",
    "level_text": "一等奖",
    "group_label": "征文组",
}


def test_edit_honour_form_shows_the_entry(client, draft, organiser, login):
    login(client, organiser)
    html = client.get(f"/publishing/manage/honours/{draft.honours[0].id}").get_data(as_text=True)
    assert "更正" in html and 'value="李秀英"' in html and 'value="科技之光"' in html


def test_edit_honour_corrects_the_public_list(client, db, published, organiser, login, post):
    honour = published.honours[0]
    login(client, organiser)
    url = f"/publishing/manage/honours/{honour.id}"
    r = post(client, url, HONOUR_FORM)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/publishing/manage/{published.id}")
    db.session.refresh(honour)
    assert honour.recipient_name == "李秀瑛"
    public = client.application.test_client().get(f"/public/activities/{published.id}/results")
    assert "李秀瑛" in public.get_data(as_text=True) and "李秀英" not in public.get_data(as_text=True)
    entry = _audits(db, "honour.correct")[-1]
    assert entry.changes["recipient_name"] == ["李秀英", "李秀瑛"] and entry.actor_id == organiser.id


def test_edit_honour_regenerates_an_issued_certificate(client, db, published, organiser, winner, login, post):
    """The author's copy must show the corrected name, not the typo it was first rendered with."""
    honour = published.honours[0]
    cert_id = honour.certificate.id
    author = client.application.test_client()
    login(author, winner)
    first = author.get(f"/publishing/my/certificates/{cert_id}.pdf")
    assert "李秀英" in _pdf_text(first.data)

    login(client, organiser)
    r = post(client, f"/publishing/manage/honours/{honour.id}", HONOUR_FORM, follow_redirects=True)
    assert "已更正" in _flashes(r.get_data(as_text=True))
    again = author.get(f"/publishing/my/certificates/{cert_id}.pdf")
    text = _pdf_text(again.data)
    assert "李秀瑛" in text and "李秀英" not in text
    assert any(e.object_id == str(cert_id) for e in _audits(db, "certificate.regenerate"))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"recipient_name": ""}, None),  # the form refuses an empty name
        ({"level_text": "  "}, None),  # and an empty level
        ({"recipient_name": RARE}, "U+2A6A5"),  # a certificate exists: a name it cannot print is refused
    ],
)
def test_edit_honour_bad_input_changes_nothing(client, db, published, organiser, login, post, change, message):
    honour = published.honours[0]
    login(client, organiser)
    url = f"/publishing/manage/honours/{honour.id}"
    r = post(client, url, {**HONOUR_FORM, **change})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    if message:
        assert message in _flashes(html) and "字体" in _flashes(html)
    else:
        assert 'class="error"' in html
    db.session.refresh(honour)
    assert honour.recipient_name == "李秀英" and honour.level_text == "一等奖"
    assert not _audits(db, "honour.correct")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("author", 403)])
def test_edit_honour_refused(client, request, db, draft, login, csrf, method, who, expected):
    honour = draft.honours[0]
    r = _refusal(client, request, login, csrf, who, method, f"/publishing/manage/honours/{honour.id}")
    assert r.status_code == expected
    db.session.refresh(honour)
    assert honour.recipient_name == "李秀英"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_edit_unknown_honour(client, organiser, login, post, method):
    login(client, organiser)
    url = "/publishing/manage/honours/999999"
    r = client.get(url) if method == "GET" else post(client, url, HONOUR_FORM, page="/publishing/manage")
    assert r.status_code == 404


# --- organiser: one outbox message -------------------------------------------------------------


@pytest.fixture
def message(db, published, organiser):
    msgs = prepare_result_messages(published, organiser)
    db.session.commit()
    assert [m.recipient for m in msgs] == [EMAIL]  # only the author with an account and an address
    return msgs[0]


@pytest.fixture
def smtp_log(app, monkeypatch):
    """A configured mail server that records instead of sending."""
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
    import smtplib

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return sent


def test_outbox_message_page_shows_the_draft(client, message, organiser, login):
    login(client, organiser)
    html = client.get(f"/publishing/manage/outbox/{message.id}").get_data(as_text=True)
    assert "审核消息" in html and EMAIL in html and "2026年科技征文活动" in html and "李秀英" in html


def test_outbox_edit_sends_back_to_review_and_nothing_goes_out(
    client, db, published, message, organiser, login, post, smtp_log
):
    message.status = MessageStatus.APPROVED
    db.session.commit()
    login(client, organiser)
    url = f"/publishing/manage/outbox/{message.id}"
    r = post(client, url, {"subject": "获奖通知", "body": "李秀英同志：您的作品荣获一等奖。"}, follow_redirects=True)
    assert "已保存" in _flashes(r.get_data(as_text=True))
    db.session.refresh(message)
    assert message.subject == "获奖通知" and message.body == "李秀英同志：您的作品荣获一等奖。"
    assert message.status == MessageStatus.DRAFT and message.sent_at is None  # edited text needs a fresh review
    assert smtp_log == []
    entry = _audits(db, "outbox.edit")[-1]
    assert entry.object_id == str(message.id) and "subject" in entry.changes

    outbox = f"/publishing/manage/{published.id}/outbox"
    post(client, f"{outbox}/approve", {"message_id": message.id}, page=outbox)
    db.session.refresh(message)
    assert message.status == MessageStatus.APPROVED and smtp_log == []

    # Taken down before sending: nothing goes out.
    unpublish_results(published, "名单有误", organiser)
    db.session.commit()
    r = post(client, f"{outbox}/send", page=outbox, follow_redirects=True)
    assert "结果公布之前不会发送任何消息" in _flashes(r.get_data(as_text=True))
    db.session.refresh(message)
    assert message.status == MessageStatus.APPROVED and message.sent_at is None and smtp_log == []


@pytest.mark.parametrize("data", [{"subject": "", "body": "正文"}, {"subject": "主题", "body": "   "}])
def test_outbox_edit_bad_input_changes_nothing(client, db, message, organiser, login, post, data):
    before = (message.subject, message.body)
    login(client, organiser)
    r = post(client, f"/publishing/manage/outbox/{message.id}", data)
    assert r.status_code == 200 and 'class="error"' in r.get_data(as_text=True)
    db.session.refresh(message)
    assert (message.subject, message.body) == before
    assert not _audits(db, "outbox.edit")


def test_outbox_sent_message_cannot_be_changed(client, db, message, organiser, login, post):
    message.status = MessageStatus.SENT
    db.session.commit()
    login(client, organiser)
    r = post(client, f"/publishing/manage/outbox/{message.id}", {"subject": "改过的主题", "body": "改过的正文"})
    assert r.status_code == 200 and "已发送的消息不能修改" in _flashes(r.get_data(as_text=True))
    db.session.refresh(message)
    assert message.subject != "改过的主题" and message.status == MessageStatus.SENT


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("author", 403)])
def test_outbox_message_refused(client, request, db, message, login, csrf, method, who, expected):
    subject = message.subject
    r = _refusal(client, request, login, csrf, who, method, f"/publishing/manage/outbox/{message.id}")
    assert r.status_code == expected
    db.session.refresh(message)
    assert message.subject == subject


def test_outbox_unknown_message(client, organiser, login, post):
    login(client, organiser)
    assert client.get("/publishing/manage/outbox/999999").status_code == 404
    assert (
        post(
            client, "/publishing/manage/outbox/999999", {"subject": "主题", "body": "正文"}, page="/publishing/manage"
        ).status_code
        == 404
    )


# --- organiser: working-day overrides ------------------------------------------------------------


@pytest.fixture
def override(db, organiser):
    row = set_workday_override(dt.date(2027, 2, 6), True, "春节调休上班", organiser)
    db.session.commit()
    return row


def test_delete_workday_override(client, db, override, organiser, login, post):
    row_id = override.id
    login(client, organiser)
    page = "/publishing/manage/workdays"
    assert "春节调休上班" in client.get(page).get_data(as_text=True)
    r = post(client, f"{page}/{row_id}/delete", page=page, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已删除" in _flashes(html) and "春节调休上班" not in html
    assert db.session.query(WorkdayOverride).count() == 0
    entry = _audits(db, "workday.override_delete")[-1]
    assert entry.object_id == str(row_id) and entry.actor_id == organiser.id


@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("author", 403), ("judge", 403)])
def test_delete_workday_override_refused(client, request, db, override, login, csrf, who, expected):
    r = _refusal(client, request, login, csrf, who, "POST", f"/publishing/manage/workdays/{override.id}/delete")
    assert r.status_code == expected
    assert db.session.query(WorkdayOverride).count() == 1


def test_delete_workday_override_bad_requests(client, db, override, organiser, login, post):
    login(client, organiser)
    assert (
        post(client, "/publishing/manage/workdays/999999/delete", page="/publishing/manage/workdays").status_code == 404
    )
    # Without the form's token nothing is deleted.
    assert client.post(f"/publishing/manage/workdays/{override.id}/delete", data={}).status_code in (302, 400)
    assert db.session.query(WorkdayOverride).count() == 1
    assert not _audits(db, "workday.override_delete")

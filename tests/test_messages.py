"""Messages (issue #13): what authors, objectors' subjects and judges are told, the message
centre with its unread count, organisers' notices reviewed before sending, the e-mail outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers import refused, setup_round, submit


class FakeSMTP:
    sent: list = []

    def __init__(self, fail_for=()):
        self.fail_for = set(fail_for)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        if message["To"] in self.fail_for:
            import smtplib

            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        FakeSMTP.sent.append(message)


def _messages(db, user, kind=None):
    from accounts.messages import Message

    db.session.expire_all()
    stmt = select(Message).where(Message.user_id == user.id).order_by(Message.id)
    if kind:
        stmt = stmt.where(Message.kind == kind)
    return list(db.session.scalars(stmt))


@pytest.fixture
def entry(db, comp, make_user, make_unit):
    author = make_user("author", unit=make_unit("区实验小学"), display_name="王小明")
    outcome = submit(comp, author, title="我的家乡变了样")
    db.session.commit()
    return outcome.entry


# -- events ---------------------------------------------------------------------------


def test_the_author_is_told_of_the_receipt(app, db, entry):
    (msg,) = _messages(db, entry.author, "receipt")
    assert entry.receipt_number in msg.body and "我的家乡变了样" in msg.body
    assert msg.mail_state == "queued" and msg.address == entry.author.email
    assert msg.link.endswith("/essays/mine") and msg.read_at is None


def test_a_disqualified_author_is_told_the_reason(app, db, entry, organiser):
    from essays.review import review_entry

    review_entry(entry, False, "字数不足，不符合征文要求", actor=organiser)
    db.session.commit()
    (msg,) = _messages(db, entry.author, "qualification")
    assert "字数不足，不符合征文要求" in msg.body
    review_entry(entry, True, actor=organiser)
    db.session.commit()
    assert len(_messages(db, entry.author, "qualification")) == 2


def test_winners_hear_of_the_award_and_the_certificate(app, db, published, winner):
    (award,) = _messages(db, winner, "award")
    assert published.title in award.subject and published.honours[0].level_text in award.body
    assert len(_messages(db, winner, "certificate")) == 1
    # Their e-mail is the result message reviewed in the result set's outbox, not a second copy.
    assert {m.mail_state for m in _messages(db, winner)} == {"none"}


def test_an_upheld_objection_tells_the_author_the_award_is_withdrawn(app, db, on_notice, winner, organiser):
    from publishing import objections

    honour = next(h for h in on_notice.honours if h.user_id == winner.id)
    objection = objections.file_objection(
        on_notice,
        real_name="王建国",
        phone="13700001111",
        content="该作品涉嫌抄袭，请主办方核查。",
        honour_id=honour.id,
        today=on_notice.notice_first_day,
    )
    objections.resolve_objection(objection, "upheld", "经调查，作品存在抄袭情况，撤销奖项。", organiser)
    db.session.commit()
    (msg,) = _messages(db, winner, "withdrawn")
    assert "经调查，作品存在抄袭情况，撤销奖项。" in msg.body


def test_the_outbox_mails_the_copies_only_when_smtp_is_configured(app, db, entry, organiser):
    from accounts import messages

    result = messages.send_queued_mail(organiser)
    assert result == {"sent": 0, "failed": 0, "waiting": 1, "configured": False}
    app.config["MAIL_SERVER"] = "127.0.0.1"
    FakeSMTP.sent = []
    try:
        result = messages.send_queued_mail(organiser, smtp_factory=lambda: FakeSMTP())
    finally:
        app.config["MAIL_SERVER"] = None
    db.session.commit()
    assert result["sent"] == 1 and FakeSMTP.sent[0]["To"] == entry.author.email
    assert entry.receipt_number in FakeSMTP.sent[0].get_content()
    assert _messages(db, entry.author)[0].mail_state == "sent"
    assert messages.queued_mail() == []


def test_notify_accepts_an_address_and_ignores_nobody(app, db):
    from accounts.messages import notify

    assert notify(None, "notice", "主题", "正文") is None
    msg = notify("someone@example.cn", "notice", "主题", "正文")
    assert msg.user_id is None and msg.mail_state == "queued"


# -- the message centre ------------------------------------------------------------------


def test_message_centre_lists_newest_first_and_marks_read(app, db, client, login, post, entry):
    from accounts.messages import notify

    notify(entry.author, "notice", "第二条通知", "请按时提交修改稿。")
    db.session.commit()
    login(client, entry.author)
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="messages-link"' in html and ">2</span>" in html
    html = client.get("/messages").get_data(as_text=True)
    assert html.index("第二条通知") < html.index("作品已收到") or html.index("第二条通知") < html.index(
        "Entry received"
    )
    first = _messages(db, entry.author)[0]
    page = client.get(f"/messages/{first.id}")
    assert page.status_code == 200 and entry.receipt_number in page.get_data(as_text=True)
    assert _messages(db, entry.author)[0].read_at is not None
    assert post(client, "/messages/read-all", page="/messages").status_code == 302
    assert all(m.read_at for m in _messages(db, entry.author))
    assert ">2</span>" not in client.get("/").get_data(as_text=True)


def test_message_centre_paginates(app, db, client, login, author):
    from accounts.messages import PER_PAGE, notify

    for n in range(PER_PAGE + 3):
        notify(author, "notice", f"通知{n:02d}", "正文")
    db.session.commit()
    login(client, author)
    first = client.get("/messages").get_data(as_text=True)
    assert f"通知{PER_PAGE + 2:02d}" in first and "通知00" not in first
    assert "通知00" in client.get("/messages?page=2").get_data(as_text=True)


def test_message_refusals(app, db, login, csrf, entry, make_user, admin):
    msg = _messages(db, entry.author)[0]
    users = {"author": entry.author, "stranger": make_user("author"), "admin": admin}
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, "/messages", 302),
            (None, f"/messages/{msg.id}", 302),
            ("stranger", f"/messages/{msg.id}", 404),
            ("admin", f"/messages/{msg.id}", 404),  # a message is its recipient's alone
            ("author", "/messages/999999", 404),
            ("author", f"/messages/{msg.id}", 200),
            ("author", "/messages/outbox", 403),
        ],
        method="get",
    )
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, f"/messages/{msg.id}/read", 302),
            ("stranger", f"/messages/{msg.id}/read", 404),
            ("author", "/messages/outbox/send", 403),
            ("author", f"/messages/{msg.id}/read", 302),
        ],
    )
    assert _messages(db, entry.author)[0].read_at is not None


# -- organisers' notices ----------------------------------------------------------------


def _draft(client, post, **data):
    form = {
        "subject": "截止时间延长",
        "body": "征文截止时间延长至下周五。",
        "competition_id": 0,
        "unit_id": 0,
        "round_id": 0,
    }
    form.update(data)
    return post(client, "/judging/notices/new", form)


def test_a_notice_to_an_activity_is_reviewed_then_sent(app, db, client, login, post, entry, comp, organiser, make_user):
    from accounts.messages import Notice

    other = make_user("author")
    login(client, organiser)
    response = _draft(client, post, audience="activity", competition_id=comp.id)
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert entry.author.display_name in review and other.display_name not in review
    assert _messages(db, entry.author, "notice") == []  # nothing before the review
    response = post(client, f"/judging/notices/{notice.id}/send", page=f"/judging/notices/{notice.id}")
    assert response.status_code == 302
    (msg,) = _messages(db, entry.author, "notice")
    assert msg.subject == "截止时间延长" and _messages(db, other) == []
    again = post(client, f"/judging/notices/{notice.id}/send", page="/judging/notices")
    assert again.status_code == 302 and len(_messages(db, entry.author, "notice")) == 1


def test_a_notice_to_one_unit_reaches_only_its_authors(
    app, db, client, login, post, comp, organiser, make_user, make_unit
):
    unit, elsewhere = make_unit("区第一中学"), make_unit("区第二中学")
    mine, theirs = make_user("author", unit=unit), make_user("author", unit=elsewhere)
    submit(comp, mine, token="a")
    submit(comp, theirs, token="b")
    db.session.commit()
    login(client, organiser)
    response = _draft(client, post, audience="unit", competition_id=comp.id, unit_id=unit.id)
    notice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    post(client, f"/judging/notices/{notice_id}/send", page=f"/judging/notices/{notice_id}")
    assert len(_messages(db, mine, "notice")) == 1 and _messages(db, theirs, "notice") == []


def test_a_reminder_reaches_the_judges_behind_schedule(app, db, client, login, post, organiser, make_user, make_unit):
    round_, _entries, judges = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)[:3]
    idle = make_user("judge")
    db.session.commit()
    login(client, organiser)
    response = _draft(
        client, post, audience="behind", round_id=round_.id, subject="评审提醒", body="请在周五前完成评分。"
    )
    notice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    post(client, f"/judging/notices/{notice_id}/send", page=f"/judging/notices/{notice_id}")
    behind = [j for j in judges if _messages(db, j, "reminder")]
    assert behind and _messages(db, idle) == []
    assert _messages(db, behind[0], "reminder")[0].link.endswith("/judging/my")


def test_a_notice_to_nobody_is_refused(app, db, client, login, post, comp, organiser):
    login(client, organiser)
    response = _draft(client, post, audience="activity", competition_id=comp.id)
    assert response.status_code == 200 and "notice" in response.get_data(as_text=True).lower()


def test_notice_refusals(app, db, login, csrf, client, post, entry, comp, organiser, make_user):
    login(client, organiser)
    notice_id = int(
        _draft(client, post, audience="activity", competition_id=comp.id).headers["Location"].rsplit("/", 1)[1]
    )
    users = {"author": entry.author, "organiser": organiser, "other": make_user("organiser")}
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, "/judging/notices", 302),
            ("author", "/judging/notices", 403),
            ("author", "/judging/notices/new", 403),
            ("other", f"/judging/notices/{notice_id}", 404),  # another organiser's draft
            ("organiser", "/judging/notices/999999", 404),
            ("organiser", f"/judging/notices/{notice_id}", 200),
            ("organiser", "/judging/notices", 200),
            ("organiser", "/messages/outbox", 200),
        ],
        method="get",
    )
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, f"/judging/notices/{notice_id}/send", 302),
            ("author", f"/judging/notices/{notice_id}/send", 403),
            ("other", f"/judging/notices/{notice_id}/send", 404),
        ],
    )
    assert _messages(db, entry.author, "notice") == []


# -- objectors: the reference and the outcome ------------------------------------------------


def test_an_objector_reads_the_outcome_with_reference_and_phone(app, db, client, post, on_notice, organiser):
    from publishing import objections

    def file(name, phone, content):
        return objections.file_objection(
            on_notice, real_name=name, phone=phone, content=content, today=on_notice.notice_first_day
        )

    mine = file("王建国", "13700001111", "获奖名单中有作品涉嫌抄袭，请核查。")
    other = file("张伟", "13900002222", "名单排序与评分结果不一致，请复核。")
    objections.resolve_objection(mine, "dismissed", "经核查，作品为原创，异议不成立。", organiser)
    db.session.commit()
    ref, other_ref = mine.reference, other.reference

    def check(reference, phone):
        response = post(client, "/public/objections/check", {"reference": reference, "phone": phone})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    html = check(ref.lower(), "+86 137-0000-1111")
    assert "经核查，作品为原创，异议不成立。" in html and ref in html
    assert "经核查" not in check(ref, "13900002222")  # the wrong phone
    assert "经核查" not in check(other_ref, "13700001111")  # someone else's objection
    assert "名单排序" not in check(other_ref, "13900002222")  # the content is never shown
    assert check(other_ref, "13900002222").count(other_ref) >= 1
    assert "objection_check" not in check("YY1-1", "1") and client.get("/public/objections/check").status_code == 200


def test_judges_reminders_land_in_their_message_centre_without_a_second_email(app, db, organiser, make_user, make_unit):
    from judging import reminders

    round_, _entries, judges = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)[:3]
    reminders.remind_judges(round_, actor=organiser)
    db.session.commit()
    reminded = [m for j in judges for m in _messages(db, j, "reminder")]
    assert reminded and all(m.mail_state == "none" for m in reminded)
    assert all(round_.name in m.subject for m in reminded)


def test_an_unreachable_server_leaves_the_copies_failed_and_the_worker_gives_up(app, db, entry):
    from accounts import messages

    def unreachable():
        raise ConnectionRefusedError("connection refused")

    app.config["MAIL_SERVER"] = "127.0.0.1"
    try:
        for _ in range(messages.AUTO_ATTEMPTS):
            assert messages.send_queued_mail(smtp_factory=unreachable)["failed"] == 1
        msg = _messages(db, entry.author)[0]
        assert msg.mail_state == "failed" and "refused" in msg.mail_error
        assert messages.queued_mail(messages.AUTO_ATTEMPTS) == []  # the worker stops retrying
        assert messages.queued_mail() == [msg]  # the outbox button still can
    finally:
        app.config["MAIL_SERVER"] = None

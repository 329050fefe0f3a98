"""The one outbox (issue #13, one outbox): notices to review, result e-mails and e-mail copies
of messages wait on one page, by kind, and each can be sent from there."""

from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import select

from helpers import EMAIL, audit, follow, refused, submit

OUTBOX = "/messages/outbox"


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
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return sent


@pytest.fixture
def waiting(db, published, winner, organiser, comp, make_user):
    """One of each kind: a notice drafted, a result e-mail prepared, a receipt's e-mail copy."""
    from accounts.messages import draft_notice
    from publishing.outbox import prepare_result_messages

    notice = draft_notice([winner], "征文截止延长", "截止时间延长至下周五。", audience="全体作者", actor=organiser)
    (result_mail,) = prepare_result_messages(published, organiser)
    author = make_user("author", email="copy@example.cn")
    copy = submit(comp, author, title="我的家乡").entry
    db.session.commit()
    from accounts.messages import Message

    (receipt,) = db.session.scalars(select(Message).where(Message.user_id == author.id)).all()
    return {"notice": notice.id, "result": result_mail.id, "mail": receipt.id, "entry": copy.id}


def _row(kind, item_id):
    return f'data-kind="{kind}" data-id="{item_id}"'


def test_every_kind_waits_on_one_page(client, login, organiser, waiting):
    login(client, organiser)
    html = client.get(OUTBOX).get_data(as_text=True)
    for kind in ("notice", "result", "mail"):
        assert f'id="outbox-{kind}"' in html and _row(kind, waiting[kind]) in html
    assert "征文截止延长" in html and EMAIL in html and "copy@example.cn" in html
    assert "待审阅的通知" in html and "结果邮件" in html and "消息的邮件副本" in html


def test_sending_one_sends_that_one(app, db, client, login, post, organiser, winner, waiting, smtp_log):
    from accounts.messages import Message, Notice
    from publishing.models import OutboxMessage

    login(client, organiser)
    r = post(client, f"{OUTBOX}/result/{waiting['result']}/send", page=OUTBOX)
    assert "发送成功1条，失败0条" in follow(client, r)
    assert [m["To"] for m in smtp_log] == [EMAIL]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, waiting["result"]).status == "sent"
    assert db.session.get(Message, waiting["mail"]).mail_state == "queued"  # the others wait
    assert audit(db, "outbox.approve") and audit(db, "outbox.send")
    # A notice sent from the outbox reaches its recipients' message centres; its e-mail copies wait.
    post(client, f"{OUTBOX}/notice/{waiting['notice']}/send", page=OUTBOX)
    db.session.expire_all()
    assert db.session.get(Notice, waiting["notice"]).state == "sent"
    copies = db.session.scalars(select(Message).where(Message.notice_id == waiting["notice"])).all()
    assert [m.user_id for m in copies] == [winner.id] and copies[0].mail_state == "queued"
    html = client.get(OUTBOX).get_data(as_text=True)
    assert _row("notice", waiting["notice"]) not in html and _row("mail", copies[0].id) in html
    # One e-mail copy.
    post(client, f"{OUTBOX}/mail/{waiting['mail']}/send", page=OUTBOX)
    db.session.expire_all()
    assert db.session.get(Message, waiting["mail"]).mail_state == "sent"
    assert db.session.get(Message, copies[0].id).mail_state == "queued"
    assert [m["To"] for m in smtp_log] == [EMAIL, "copy@example.cn"]
    # What was sent is no longer in the outbox; sending it again is a 404.
    assert post(client, f"{OUTBOX}/result/{waiting['result']}/send", page=OUTBOX).status_code == 404


def test_without_a_mail_server_nothing_goes_out(db, client, login, post, organiser, waiting):
    from publishing.models import OutboxMessage

    login(client, organiser)
    r = post(client, f"{OUTBOX}/result/{waiting['result']}/send", page=OUTBOX)
    assert "MAIL_SERVER" in follow(client, r)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, waiting["result"]).status == "draft"


def test_outbox_refusals(app, login, csrf, author, make_user, organiser, co_organiser, waiting):
    users = {
        "author": author,
        "judge": make_user("judge"),
        "other_organiser": make_user("organiser", username="organiser_b"),
        "co_organiser": co_organiser,  # organises only the activities that list it: not this one
    }
    refused(
        app,
        login,
        csrf,
        users,
        [(None, OUTBOX, 302), ("author", OUTBOX, 403), ("judge", OUTBOX, 403), ("other_organiser", OUTBOX, 200)],
        method="get",
    )
    other = app.test_client()
    login(other, users["other_organiser"])
    html = other.get(OUTBOX).get_data(as_text=True)
    assert _row("notice", waiting["notice"]) not in html and _row("result", waiting["result"]) in html
    co = app.test_client()
    login(co, co_organiser)
    html = co.get(OUTBOX).get_data(as_text=True)
    assert _row("result", waiting["result"]) not in html and _row("mail", waiting["mail"]) not in html
    send = f"{OUTBOX}/notice/{waiting['notice']}/send"
    refused(
        app,
        login,
        csrf,
        users,
        [
            (None, send, 302),
            ("author", send, 403),
            ("judge", send, 403),
            ("other_organiser", send, 404),  # a notice is sent by the organiser who drafted it
            ("other_organiser", f"{OUTBOX}/nothing/1/send", 404),
            ("other_organiser", f"{OUTBOX}/mail/999999/send", 404),
            ("co_organiser", f"{OUTBOX}/result/{waiting['result']}/send", 404),
            ("co_organiser", f"{OUTBOX}/mail/{waiting['mail']}/send", 404),
            ("co_organiser", f"{OUTBOX}/send", 404),
        ],
    )

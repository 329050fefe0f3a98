"""Reminders to judges with unfinished work: e-mail when configured, a call list otherwise."""

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from helpers import setup_round


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


@pytest.fixture
def round_setup(db, make_user, make_unit, organiser):
    return setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=3, k=2)


def _round_and_judges(setup):
    return setup[0], setup[2]


def test_without_mail_the_organiser_gets_a_call_list(app, db, round_setup, organiser):
    from judging import reminders

    round_, judges = _round_and_judges(round_setup)
    report = reminders.remind_judges(round_, actor=organiser)
    db.session.commit()
    assert not report.mail_configured and report.emailed == []
    assert {j.id for j, _n in report.to_call} == {j.id for j in judges}
    assert sum(n for _j, n in report.to_call) == 4 * 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "judging.remind"))
    assert sorted(entry.changes["to_call"]) == sorted(j.display_name for j in judges)


def test_with_mail_judges_get_a_reminder_without_any_entry_detail(app, db, round_setup, organiser):
    from judging import reminders

    round_, judges = _round_and_judges(round_setup)
    app.config["MAIL_SERVER"] = "127.0.0.1"
    FakeSMTP.sent = []
    try:
        report = reminders.remind_judges(
            round_, actor=organiser, smtp_factory=lambda: FakeSMTP(fail_for={judges[0].email})
        )
    finally:
        app.config["MAIL_SERVER"] = None
    assert {j.id for j in report.emailed} == {j.id for j in judges[1:]}
    assert [j.id for j, _e in report.failed] == [judges[0].id]
    assert [j.id for j, _n in report.to_call] == [judges[0].id]  # failed mail → call instead
    bodies = " ".join(m.get_content() for m in FakeSMTP.sent)
    assert "初评" in bodies and "/judging/my" in bodies
    assert "我的家乡" not in bodies and "春风" not in bodies  # no entry title or text


def test_remind_route_and_its_refusals(app, db, round_setup, organiser, judge, login, post):
    round_, judges = _round_and_judges(round_setup)
    c = app.test_client()
    login(c, organiser)
    r = post(c, f"/judging/rounds/{round_.id}/remind", page=f"/judging/rounds/{round_.id}", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "未配置邮件服务器" in html and judges[0].display_name in html
    other = app.test_client()
    login(other, judge)
    assert post(other, f"/judging/rounds/{round_.id}/remind", page="/profile").status_code == 403
    anonymous = app.test_client()
    assert anonymous.post(f"/judging/rounds/{round_.id}/remind").status_code in (302, 400)
    c2 = app.test_client()
    login(c2, organiser)
    assert post(c2, "/judging/rounds/999999/remind", page="/profile").status_code == 404


def test_no_reminders_outside_an_open_round(app, db, make_user, make_unit, organiser):
    from core.errors import UserError
    from judging import reminders

    setup = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1, open_=False, accept=False)
    round_, _judges = _round_and_judges(setup)
    with pytest.raises(UserError):
        reminders.remind_judges(round_, actor=organiser)

"""The shared helpers the route files load and send through: core.loaders and core.mail.send_marking."""

from __future__ import annotations

import smtplib

import pytest
from werkzeug.exceptions import NotFound


class _Unreachable:
    def __enter__(self):
        raise OSError("connection refused")

    def __exit__(self, *exc):
        return False


class _Server:
    def __init__(self, refuse=()):
        self.refuse = set(refuse)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        if message["To"] in self.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})


@pytest.mark.parametrize(
    ("allowed", "missing", "found"),
    [
        (lambda user, row: True, False, True),  # there and allowed
        (lambda user, row: False, False, False),  # there but not for this person: the same 404
        (lambda user, row: True, True, False),  # not there
    ],
)
def test_allowed_or_404_is_404_alike_for_a_missing_and_a_forbidden_row(app, db, make_user, allowed, missing, found):
    from accounts.models import User
    from core.loaders import allowed_or_404

    user = make_user("author")
    db.session.commit()
    with app.test_request_context():
        if found:
            assert allowed_or_404(User, user.id, allowed) is user
        else:
            with pytest.raises(NotFound):
                allowed_or_404(User, user.id + 1000 if missing else user.id, allowed)


def test_part_or_404_refuses_a_row_of_another_parent(app, db, make_user):
    from accounts.models import Unit, UnitKind, User
    from core.loaders import part_or_404

    unit, other = Unit(name="甲单位", kind=UnitKind.SCHOOL), Unit(name="乙单位", kind=UnitKind.SCHOOL)
    db.session.add_all([unit, other])
    db.session.flush()
    user = make_user("author", unit=unit)
    db.session.commit()
    with app.test_request_context():
        assert part_or_404(User, user.id, unit_id=unit.id) is user
        with pytest.raises(NotFound):
            part_or_404(User, user.id, unit_id=other.id)


def test_send_marking_marks_each_mail_and_counts_what_went(app, monkeypatch):
    from core.mail import Mail, send_marking

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    outcomes = {}
    items = ["a@example.org", "refused@example.org"]
    with app.app_context():
        report = send_marking(
            items,
            lambda to: Mail(to, "主题", "正文"),
            lambda to, delivery: outcomes.__setitem__(to, delivery.ok),
            lambda: _Server(refuse={"refused@example.org"}),
        )
    assert report == {"sent": 1, "failed": 1, "waiting": 0, "configured": True}
    assert outcomes == {"a@example.org": True, "refused@example.org": False}


def test_send_marking_with_the_server_unreachable_fails_each_or_raises(app, monkeypatch):
    from core.mail import Mail, send_marking

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    errors = []
    with app.app_context():
        report = send_marking(
            ["a@example.org"],
            lambda to: Mail(to, "主题", "正文"),
            lambda to, delivery: errors.append(delivery.error),
            _Unreachable,
            unreachable_fails_each=True,
        )
        assert report["failed"] == 1 and errors == ["connection refused"]
        with pytest.raises(OSError):
            send_marking(["a@example.org"], lambda to: Mail(to, "主题", "正文"), lambda *a: None, _Unreachable)

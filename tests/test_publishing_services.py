"""Publishing services: import, 公示 window, objections, publication rules, certificates, outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import UserError
from publishing import notice as notice_module
from publishing.certificate_template import ensure_template
from publishing.certificates import issue_certificates, revoke_certificate
from publishing.clock import today_local
from publishing.demo import replay_closed_notice
from publishing.models import MessageStatus, ObjectionStatus, ResultState
from publishing.notice import set_workday_override, start_notice
from publishing.objections import file_objection, resolve_objection
from publishing.outbox import approve_messages, prepare_result_messages, send_approved_messages
from publishing.results import HonourInput, import_honours, publish_results, unpublish_results
from publishing.verification import verification
from publishing.winners import grouped_honours

D = dt.date


def _items(n=3, user_ids=None):
    levels = [("first", "一等奖"), ("second", "二等奖"), ("third", "三等奖")]
    out = []
    for i in range(n):
        code, text = levels[min(i, 2)]
        out.append(
            HonourInput(
                level_code=code,
                level_text=text,
                recipient_name=f"作者{i}",
                recipient_unit=f"单位{i}",
                work_title=f"作品{i}",
                group_label="",
                score=90 - i,
                rank=i + 1,
                user_id=(user_ids or [None] * n)[i],
                source_item_id=i,
            )
        )
    return out


@pytest.fixture
def rs(db, organiser):
    result = import_honours("competition", 1, "2026年科技征文活动", _items(), organiser, organiser="区委宣传部")
    db.session.commit()
    return result


def _on_notice(rs, organiser, start=None, length=5, unit="calendar"):
    start_notice(
        rs,
        start=start or today_local(),
        length=length,
        unit=unit,
        how_to_object="实名来电 0913-2123456",
        actor=organiser,
    )


def test_import_creates_a_draft_and_reimport_replaces_it(db, rs, organiser):
    assert rs.state == ResultState.DRAFT
    assert [h.recipient_name for h in rs.honours] == ["作者0", "作者1", "作者2"]
    again = import_honours("competition", 1, "2026年科技征文活动", _items(2), organiser)
    assert again.id == rs.id and len(again.honours) == 2


def test_import_refused_once_on_notice(db, rs, organiser):
    _on_notice(rs, organiser)
    with pytest.raises(UserError):
        import_honours("competition", 1, "x", _items(1), organiser)


@pytest.mark.parametrize(
    "start, length, unit, overrides, first, last, fallback",
    [
        # 2026 国庆 Oct 1–7, make-up Sat Oct 10: Sep 28, 29, 30, Oct 8, 9.
        (D(2026, 9, 28), 5, "working", {}, D(2026, 9, 28), D(2026, 10, 9), False),
        # The organiser declares Oct 9 a day off: the make-up Saturday Oct 10 becomes the fifth day.
        (D(2026, 9, 28), 5, "working", {D(2026, 10, 9): False}, D(2026, 9, 28), D(2026, 10, 10), False),
        # Starting on a Saturday: the window opens on Monday.
        (D(2026, 3, 14), 5, "working", {}, D(2026, 3, 16), D(2026, 3, 20), False),
        # Calendar days include the start day.
        (D(2026, 3, 2), 7, "calendar", {}, D(2026, 3, 2), D(2026, 3, 8), False),
        # 2031 has no published arrangement: Mon–Fri, with a warning.
        (D(2031, 1, 6), 5, "working", {}, D(2031, 1, 6), D(2031, 1, 10), True),
    ],
)
def test_notice_window(db, rs, organiser, monkeypatch, start, length, unit, overrides, first, last, fallback):
    monkeypatch.setattr(notice_module, "today_local", lambda: start)  # the organiser starts it on that day
    for day, working in overrides.items():
        set_workday_override(day, working, "区里调整", organiser)
    _on_notice(rs, organiser, start=start, length=length, unit=unit)
    assert (rs.notice_first_day, rs.notice_last_day, rs.notice_uses_fallback) == (first, last, fallback)
    assert rs.state == ResultState.NOTICE


@pytest.mark.parametrize(
    "name, phone, content, ok",
    [
        ("王小明", "13912345678", "该作品涉嫌抄袭网络文章。", True),
        ("王小明", "0913-2123456", "该作品涉嫌抄袭网络文章。", True),
        ("欧阳", "+86 139 1234 5678", "作者不是本单位职工，不符合条件。", True),
        ("", "13912345678", "该作品涉嫌抄袭网络文章。", False),  # no name
        ("匿名123", "13912345678", "该作品涉嫌抄袭网络文章。", False),  # not a name
        ("王小明", "", "该作品涉嫌抄袭网络文章。", False),  # no phone
        ("王小明", "12345", "该作品涉嫌抄袭网络文章。", False),  # not a phone
        ("王小明", "13912345678", "抄袭", False),  # too short to investigate
    ],
)
def test_objection_requires_real_name_and_phone(db, rs, organiser, name, phone, content, ok):
    _on_notice(rs, organiser)
    if ok:
        obj = file_objection(rs, real_name=name, phone=phone, content=content, honour_id=rs.honours[0].id)
        assert obj.status == ObjectionStatus.OPEN
    else:
        with pytest.raises(UserError):
            file_objection(rs, real_name=name, phone=phone, content=content)


@pytest.mark.parametrize("state_days_after_end, accepted", [(-1, True), (0, True), (1, False)])
def test_objections_only_while_the_notice_runs(db, rs, organiser, state_days_after_end, accepted):
    _on_notice(rs, organiser, length=3)
    today = rs.notice_last_day + dt.timedelta(days=state_days_after_end)
    if accepted:
        file_objection(rs, real_name="王小明", phone="13912345678", content="该作品涉嫌抄袭网络文章。", today=today)
    else:
        with pytest.raises(UserError):
            file_objection(rs, real_name="王小明", phone="13912345678", content="该作品涉嫌抄袭网络文章。", today=today)


def test_objection_not_accepted_for_a_draft(db, rs):
    with pytest.raises(UserError):
        file_objection(rs, real_name="王小明", phone="13912345678", content="该作品涉嫌抄袭网络文章。")


@pytest.mark.parametrize(
    "status, outcome, on_entry, ok, withdrawn",
    [
        ("investigating", "", True, True, False),
        ("dismissed", "经核实，作品系原创。", True, True, False),
        ("dismissed", "", True, False, False),  # a decision needs a written outcome
        ("upheld", "经查重，作品大段抄袭，取消获奖资格。", True, True, True),
        ("upheld", "属实。", False, False, False),  # upheld must name the entry
    ],
)
def test_resolving_objections(db, rs, organiser, status, outcome, on_entry, ok, withdrawn):
    _on_notice(rs, organiser)
    honour = rs.honours[1]
    obj = file_objection(
        rs,
        real_name="王小明",
        phone="13912345678",
        content="该作品涉嫌抄袭网络文章。",
        honour_id=honour.id if on_entry else None,
    )
    if ok:
        resolve_objection(obj, status, outcome, organiser)
        assert obj.status == status
    else:
        with pytest.raises(UserError):
            resolve_objection(obj, status, outcome, organiser)
    assert honour.withdrawn is withdrawn
    assert (honour not in rs.active_honours) is withdrawn


def test_resolved_objection_cannot_be_reopened(db, rs, organiser):
    _on_notice(rs, organiser)
    obj = file_objection(rs, real_name="王小明", phone="13912345678", content="该作品涉嫌抄袭网络文章。")
    resolve_objection(obj, "dismissed", "不属实。", organiser)
    with pytest.raises(UserError):
        resolve_objection(obj, "upheld", "属实。", organiser)


@pytest.mark.parametrize(
    "on_notice, days_after_end, objection, ok",
    [
        (False, 1, None, False),  # never on notice
        (True, -2, None, False),  # window still open
        (True, 0, None, False),  # last day of the window
        (True, 1, None, True),  # closed
        (True, 1, "open", False),  # unresolved objection
        (True, 1, "investigating", False),  # still unresolved
        (True, 1, "dismissed", True),
    ],
)
def test_publication_rules(db, rs, organiser, on_notice, days_after_end, objection, ok):
    if on_notice:
        _on_notice(rs, organiser, length=3)
        if objection:
            obj = file_objection(rs, real_name="王小明", phone="13912345678", content="该作品涉嫌抄袭网络文章。")
            if objection != "open":
                resolve_objection(obj, objection, "已核实。", organiser)
        today = rs.notice_last_day + dt.timedelta(days=days_after_end)
    else:
        today = today_local()
    if ok:
        publish_results(rs, organiser, today=today)
        assert rs.state == ResultState.PUBLISHED and rs.published_at is not None
    else:
        with pytest.raises(UserError):
            publish_results(rs, organiser, today=today)
        assert rs.state != ResultState.PUBLISHED


def _published(rs, organiser):
    replay_closed_notice(
        rs, days_ago=10, length=3, unit="calendar", how_to_object="实名来电 0913-2123456", actor=organiser
    )
    publish_results(rs, organiser)


def test_publish_and_unpublish_are_audited(db, rs, organiser):
    from sqlalchemy import select

    from core.audit import AuditEntry

    _published(rs, organiser)
    with pytest.raises(UserError):
        unpublish_results(rs, "", organiser)
    unpublish_results(rs, "名单有误，需要核对", organiser)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "result_sets")).all()
    assert {"results.notice", "results.publish", "results.unpublish"} <= set(actions)


@pytest.mark.parametrize(
    "pattern, expected_first",
    [
        ("{code}-{year}-{level_no}{serial:04d}", "ZP-{year}-10001"),
        ("KJ{year}{serial:03d}", "KJ{year}001"),
    ],
)
def test_certificate_numbers_unique_and_tokens_random(db, rs, organiser, pattern, expected_first):
    _published(rs, organiser)
    tpl = ensure_template(rs)
    tpl.number_pattern = pattern
    certs = issue_certificates(rs, organiser)
    year = certs[0].issue_date.year
    assert certs[0].number == expected_first.format(year=year)
    assert len({c.number for c in certs}) == len(certs) == 3
    assert len({c.token for c in certs}) == 3 and all(len(c.token) >= 30 for c in certs)
    assert issue_certificates(rs, organiser) == []  # idempotent


def test_certificates_only_after_publication(db, rs, organiser):
    with pytest.raises(UserError):
        issue_certificates(rs, organiser)


def test_number_clash_with_another_activity_is_refused(db, rs, organiser):
    _published(rs, organiser)
    issue_certificates(rs, organiser)
    other = import_honours("competition", 2, "另一活动", _items(1), organiser)
    _published(other, organiser)
    with pytest.raises(UserError):
        issue_certificates(other, organiser)
    ensure_template(other).activity_code = "QT"
    assert len(issue_certificates(other, organiser)) == 1


@pytest.mark.parametrize("reason, ok", [("", False), ("   ", False), ("获奖资格被取消", True)])
def test_revocation_needs_a_reason(db, rs, organiser, reason, ok):
    _published(rs, organiser)
    cert = issue_certificates(rs, organiser)[0]
    if ok:
        revoke_certificate(cert, reason, organiser)
        info = verification(cert)
        assert info["revoked"] and not info["valid"] and info["revoked_reason"] == reason
        with pytest.raises(UserError):
            revoke_certificate(cert, reason, organiser)
    else:
        with pytest.raises(UserError):
            revoke_certificate(cert, reason, organiser)
        assert verification(cert)["valid"]


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("score", ["甲", "乙", "丙", "丁"]),  # rank within the level
        ("unordered", ["丙", "甲", "乙", "丁"]),  # as imported: 排名不分先后
    ],
)
def test_list_grouped_by_level_from_highest(db, organiser, ordering, expected):
    items = [
        HonourInput("second", "二等奖", "丙", "u", "w", "", 80, 3),
        HonourInput("first", "一等奖", "甲", "u", "w", "", 95, 1),
        HonourInput("second", "二等奖", "乙", "u", "w", "", 90, 2),
        HonourInput("third", "三等奖", "丁", "u", "w", "", 70, 4),
    ]
    rs = import_honours("competition", 5, "活动", items, organiser, ordering=ordering)
    levels = grouped_honours(rs)
    assert [lv["level_text"] for lv in levels] == ["一等奖", "二等奖", "三等奖"]
    names = [h.recipient_name for lv in levels for g in lv["groups"] for h in g["rows"]]
    if ordering == "score":
        assert names == expected
    else:
        assert names == ["甲", "丙", "乙", "丁"]


def test_outbox_waits_for_publication_and_smtp(app, db, rs, organiser, make_user):
    author = make_user("author", email="writer@example.cn")
    rs.honours[0].user_id = author.id
    db.session.flush()
    with pytest.raises(UserError):
        prepare_result_messages(rs, organiser)  # before publication: nothing
    _published(rs, organiser)
    msgs = prepare_result_messages(rs, organiser)
    assert [m.recipient for m in msgs] == ["writer@example.cn"]
    assert msgs[0].status == MessageStatus.DRAFT
    # Drafts are never sent; approved ones wait while no mail server is configured.
    app.config["MAIL_SERVER"] = None
    assert send_approved_messages(rs, organiser)["sent"] == 0
    approve_messages(msgs, organiser)
    out = send_approved_messages(rs, organiser)
    assert out == {"sent": 0, "failed": 0, "waiting": 1, "configured": False}
    assert msgs[0].status == MessageStatus.APPROVED

    sent = []

    class FakeSMTP:
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def send_message(self, email):
            sent.append(email)

    app.config["MAIL_SERVER"] = "smtp.example.cn"
    try:
        out = send_approved_messages(rs, organiser, smtp_factory=FakeSMTP)
    finally:
        app.config["MAIL_SERVER"] = None
    assert out["sent"] == 1 and msgs[0].status == MessageStatus.SENT
    assert sent[0]["To"] == "writer@example.cn"

"""Audit completeness and the audit page in words (issue #9, item 7).

Sign-ins, failed sign-ins, sign-outs and ending another browser are audited;
the audit page names actions, object types and fields in Chinese, never as
codes; every action, object type and field the code records has a label.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import select

from helpers import LONG_TEXT, PASSWORD

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "core", "essays", "judging", "publishing", "nominations")


def _entries(db, action):
    from core.audit import AuditEntry

    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def _login_post(client, csrf, login, password):
    token = csrf(client, "/login")
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token})


def test_sign_in_and_sign_out_are_audited(app, client, db, make_user, login, post):
    user = make_user("author")
    login(client, user)
    (entry,) = _entries(db, "session.sign_in")
    assert entry.actor_id == user.id and entry.object_id == str(user.id) and entry.ip == "127.0.0.1"
    post(client, "/logout", page="/")
    (entry,) = _entries(db, "session.sign_out")
    assert entry.actor_id == user.id and entry.object_id == str(user.id)


def test_failed_sign_ins_are_audited_without_keeping_what_was_typed(client, db, make_user, csrf):
    user = make_user("author")
    assert _login_post(client, csrf, user.username, "wrong-password").status_code == 200
    (entry,) = _entries(db, "session.sign_in_failed")
    assert entry.object_id == str(user.id) and entry.actor_id is None and entry.ip == "127.0.0.1"
    _login_post(client, csrf, "Secret-Pass-Typed-Here", "x")
    (entry,) = _entries(db, "session.sign_in_unknown")
    assert entry.object_id is None and "Secret-Pass" not in repr(entry.changes) + entry.object_label


def test_refused_sign_in_of_a_disabled_account_is_audited(client, db, make_user, csrf):
    user = make_user("author")
    user.active = False
    db.session.commit()
    r = _login_post(client, csrf, user.username, PASSWORD)
    assert "账号已停用" in r.get_data(as_text=True)
    (entry,) = _entries(db, "session.sign_in_disabled")
    assert entry.object_id == str(user.id)


def test_ending_another_browser_is_audited(app, db, make_user, login, post):
    from accounts.models import UserSession

    user = make_user("author")
    here, there = app.test_client(), app.test_client()
    login(here, user)
    login(there, user)
    other = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc())
    ).first()  # the second browser
    r = post(here, f"/profile/sessions/{other.id}/revoke", page="/profile")
    assert r.status_code == 302
    assert there.get("/profile").status_code == 302  # that browser is signed out
    (entry,) = _entries(db, "session.revoke")
    assert entry.actor_id == user.id and entry.changes["session_id"] == other.id


def test_ending_someone_elses_browser_is_404_and_not_audited(app, db, make_user, login, post):
    from accounts.models import UserSession

    owner, intruder = make_user("author"), make_user("author")
    login(app.test_client(), owner)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == owner.id))
    c = login(app.test_client(), intruder)
    assert post(c, f"/profile/sessions/{row.id}/revoke", page="/profile").status_code == 404
    assert _entries(db, "session.revoke") == []
    anonymous = app.test_client()
    r = anonymous.post(f"/profile/sessions/{row.id}/revoke")
    assert r.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).revoked_at is None


def test_audit_page_speaks_chinese_not_codes(client, db, admin, login):
    from core import audit

    audit.record(
        "results.notice",
        actor=admin,
        object_type="result_sets",
        object_id=3,
        label="2026年征文获奖名单",
        changes={
            "state": ["draft", "notice"],
            "first_day": "2026-12-01",
            "fallback": False,
            "unit": "working",
            "length": 5,
        },
    )
    audit.record(
        "some.future_action",
        actor=admin,
        object_type="future_things",
        object_id=1,
        changes={"brand_new_field": [None, 1]},
    )
    db.session.commit()
    login(client, admin)
    r = client.get("/audit")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    table = html[html.index("<table") :]
    assert "开始公示" in table and "结果名单" in table and "公示开始日期" in table and "2026年征文获奖名单" in table
    for code in ("results.notice", "result_sets", "first_day", "session.sign_in", "users #"):
        assert code not in table, code
    assert "登录" in table  # the admin's own sign-in
    # Stored codes among the values are words too, in the sense of their field.
    assert "草稿 → 公示中" in table and "计算方式" in table and "工作日" in table and "公示时长" in table
    for code in ("draft", "notice", "working"):
        assert f">{code}<" not in table and f" {code} " not in table, code
    # Unknown codes still render, as readable words.
    assert "brand new field" in table and "future things" in table
    # Filters offer words too.
    assert ">开始公示<" in html and ">结果名单<" in html


def test_actor_of_failed_sign_in_is_shown_as_a_visitor(client, db, admin, make_user, login, csrf):
    user = make_user("author")
    _login_post(client.application.test_client(), csrf, user.username, "wrong-password")
    login(client, admin)
    html = client.get("/audit?action=session.sign_in_failed").get_data(as_text=True)
    table = html[html.index("<table") :]
    assert "访客（未登录）" in table and "登录失败" in table and "visitor" not in table


# Every code the application records has a label ------------------------------


def _strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def _keys(node):
    if isinstance(node, ast.Dict):
        for key in node.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value


def _recorded_codes():
    """Actions, object types and change fields that the code passes to audit.record."""
    actions, types, fields = set(), set(), set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            records = any(
                isinstance(n, ast.Call) and getattr(n.func, "attr", getattr(n.func, "id", "")) == "record"
                for n in ast.walk(tree)
            )
            if not records:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                    if name == "record" and node.args:
                        actions.update(_strings(node.args[0]))
                    for kw in node.keywords:
                        if kw.arg == "action":
                            actions.update(_strings(kw.value))
                        elif name == "record" and kw.arg == "object_type":
                            types.update(_strings(kw.value))
                        elif name == "record" and kw.arg in ("changes", "via"):
                            for sub in ast.walk(kw.value):
                                fields.update(_keys(sub))
                        elif kw.arg == "via":
                            fields.update(_keys(kw.value))
                elif isinstance(node, ast.FunctionDef):
                    args = node.args
                    pairs = list(zip(args.args[len(args.args) - len(args.defaults) :], args.defaults))
                    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
                    actions.update(s for a, d in pairs if a.arg == "action" for s in _strings(d))
                    if "snapshot" in node.name:
                        for sub in ast.walk(node):
                            fields.update(_keys(sub))
                            if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant):
                                fields.add(sub.slice.value)
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name) and target.id == "action":
                            actions.update(_strings(node.value))
                        if (
                            isinstance(target, ast.Name)
                            and (target.id.endswith("_FIELDS") or target.id == "allowed")
                            and isinstance(node.value, (ast.Tuple, ast.List, ast.Set))
                        ):
                            fields.update(s for e in node.value.elts for s in _strings(e))
                        if (
                            isinstance(target, ast.Subscript)
                            and isinstance(target.value, ast.Name)
                            and target.value.id in ("changes", "snap")
                            and isinstance(target.slice, ast.Constant)
                        ):
                            fields.add(target.slice.value)
    return actions, types, fields


def test_the_scan_finds_the_codes_it_should():
    actions, types, fields = _recorded_codes()
    # A sample from every package, so a broken scan cannot pass by finding nothing.
    assert {
        "session.sign_in",
        "session.revoke",
        "user.register",
        "essay.submit",
        "judging.score_revise",
        "results.notice",
        "demo.seed_user",
    } <= actions
    assert {"system", "submissions"} <= types
    assert {"first_day", "unit", "opens_at", "pool_rule", "recipient_name", "seal", "via"} <= fields


def test_every_recorded_action_object_type_and_field_has_a_label(app):
    from core import audit_labels
    from core.extensions import db

    actions, types, fields = _recorded_codes()
    assert sorted(actions - set(audit_labels.ACTIONS)) == []
    assert sorted((types | set(db.metadata.tables)) - set(audit_labels.OBJECT_TYPES)) == []
    assert sorted(fields - set(audit_labels.FIELDS)) == []


def test_every_label_is_translated(app):
    from flask_babel import force_locale

    from core import audit_labels
    from core.i18n import translate

    with app.test_request_context(), force_locale("zh_Hans_CN"):
        tables = [
            audit_labels.ACTIONS,
            audit_labels.OBJECT_TYPES,
            audit_labels.FIELDS,
            audit_labels.ACTORS,
            *audit_labels.FIELDS_BY_ACTION.values(),
            *audit_labels.VALUES.values(),
        ]
        for table in tables:
            for code, label in table.items():
                words = translate(label)  # a label may carry a message context
                assert re.search(r"[\u4e00-\u9fff]", words), (code, label, words)


def test_unknown_codes_fall_back_to_words():
    from core import audit_labels

    assert audit_labels.action_label("x.brand_new") == "x · brand new"
    assert audit_labels.object_type_label(None) == "—"
    assert audit_labels.field_label("some_field") == "some field"
    assert audit_labels.field_label(7) == "7"
    assert audit_labels.actor_label("张三") == "张三"


# Siblings: other state changes that wrote no audit entry ----------------------


def test_starting_a_draft_is_audited_once(db, author, make_competition):
    from essays import drafts

    comp = make_competition()
    for text in (LONG_TEXT, LONG_TEXT + "又一句。"):  # the first save and a later autosave
        drafts.save_draft(
            competition=comp, author=author, token="draft-1", title="草稿", genre_id=comp.genres[0].id, body_text=text
        )
        db.session.commit()
    (entry,) = _entries(db, "essay.draft_create")
    assert entry.actor_id == author.id and entry.object_type == "submissions"


def test_restoring_a_backup_and_collecting_orphan_files_are_audited(app, db, tmp_path):
    import os
    import time

    from core.storage import get_storage

    runner = app.test_cli_runner()
    target = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    db.session.remove()
    assert runner.invoke(args=["restore", str(target), "--yes"]).exit_code == 0
    (entry,) = _entries(db, "system.restore")
    assert entry.object_label == "backup.tar.gz"

    orphan = get_storage().root / "zz" / "orphan-left-by-a-crash"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"orphan")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    result = runner.invoke(args=["storage-gc"])
    assert result.exit_code == 0 and "removed 1" in result.output, result.output
    (entry,) = _entries(db, "system.storage_gc")
    assert entry.changes["files"] == 1


def test_audit_log_of_the_demo_data_reads_in_words_on_every_page(app, client, db, login):
    from accounts.models import User
    from core import audit_labels
    from core.audit import AuditEntry

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    login(client, admin, password="Zhengping-2026")
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert actions <= set(audit_labels.ACTIONS)
    first = client.get("/audit").get_data(as_text=True)
    pages = int(re.search(r"第 1 页，共 (\d+) 页", first).group(1))
    assert pages > 1
    codes = actions | {t for t in db.session.scalars(select(AuditEntry.object_type))}
    for number in range(1, pages + 1):
        r = client.get(f"/audit?page={number}")
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        table = html[html.index("<table") :]
        shown = re.findall(r"<td>([^<]*)", table)
        assert not codes & {cell.strip() for cell in shown}, number

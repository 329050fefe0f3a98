"""Admin pages: users, units, sheet import; every change audited."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from accounts.models import Unit, User
from core.audit import AuditEntry


def _audit(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users",
        "/admin/users/new",
        "/admin/units",
        "/admin/units/new",
        "/admin/users/import",
        "/admin/users/import/template.xlsx",
    ],
)
def test_admin_pages_refuse_anonymous_and_other_roles(app, path, organiser, judge, author, login):
    anonymous = app.test_client()
    r = anonymous.get(path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    for user in (organiser, judge, author):
        c = app.test_client()
        login(c, user)
        assert c.get(path).status_code == 403


def test_admin_lists_and_searches_users(client, admin, make_user, make_unit, login):
    unit = make_unit("区林业局")
    make_user("judge", unit=unit, display_name="林志强")
    make_user("author", display_name="张三")
    login(client, admin)
    html = client.get("/admin/users?q=林业").get_data(as_text=True)
    assert "林志强" in html and "张三" not in html
    html = client.get("/admin/users?role=author").get_data(as_text=True)
    assert "张三" in html and "林志强" not in html


def test_admin_creates_a_user_and_the_audit_log_records_it(client, admin, make_unit, login, post, db):
    unit = make_unit("区文广局")
    login(client, admin)
    r = post(
        client,
        "/admin/users/new",
        {
            "username": "judge-zhou",
            "display_name": "周评委",
            "phone": "13700000001",
            "email": "",
            "unit_id": str(unit.id),
            "roles": ["judge", "committee"],
            "password": "Autumn-Leaf-31",
        },
    )
    assert r.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "judge-zhou"))
    assert user.roles == {"judge", "committee"} and user.unit_id == unit.id
    entry = _audit(db, "user.create")[-1]
    assert entry.actor_id == admin.id and entry.object_id == str(user.id)
    assert entry.changes["roles"] == [None, ["committee", "judge"]]
    html = client.get("/audit?action=user.").get_data(as_text=True)
    assert "周评委" in html or "judge-zhou" in html


def test_admin_edits_roles_and_the_change_is_audited(client, admin, make_user, login, post, db):
    user = make_user("author")
    login(client, admin)
    r = post(
        client,
        f"/admin/users/{user.id}",
        {
            "username": user.username,
            "display_name": user.display_name,
            "phone": "",
            "email": user.email,
            "unit_id": "0",
            "roles": ["author", "judge"],
            "password": "",
        },
    )
    assert r.status_code == 302
    entry = _audit(db, "user.update")[-1]
    assert entry.changes["roles"] == [["author"], ["author", "judge"]]


def test_admin_form_keeps_input_when_validation_fails(client, admin, login, post):
    login(client, admin)
    r = post(
        client,
        "/admin/users/new",
        {
            "username": "x",
            "display_name": "王五",
            "phone": "12",
            "unit_id": "0",
            "roles": ["judge"],
            "password": "Autumn-Leaf-31",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'value="王五"' in html and "有效的电话号码" in html


def test_disabling_a_user_signs_them_out_everywhere(app, admin, make_user, login, post, db):
    user = make_user("judge")
    victim = app.test_client()
    login(victim, user)
    admin_client = app.test_client()
    login(admin_client, admin)
    post(admin_client, f"/admin/users/{user.id}/active", {"active": "0"}, page="/admin/users")
    assert victim.get("/profile").status_code == 302
    assert _audit(db, "user.disable")[-1].object_id == str(user.id)


def test_admin_cannot_disable_themselves(client, admin, login, post, db):
    login(client, admin)
    r = post(client, f"/admin/users/{admin.id}/active", {"active": "0"}, page="/admin/users", follow_redirects=True)
    assert "不能停用自己的账号" in r.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEAD = ["用户名", "姓名", "手机", "邮箱", "单位", "角色", "初始密码"]


def _upload(client, post_fn, filename, data):
    return post_fn(
        client, "/admin/users/import", {"sheet": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def test_import_creates_every_user_of_a_good_sheet(client, admin, make_unit, login, post, db):
    make_unit("区教育局")
    login(client, admin)
    data = _xlsx(
        [
            HEAD,
            ["zhaoyi", "赵一", 13800000011, "", "区教育局", "评委", ""],
            ["qianer", "钱二", "13800000012", "qe@example.cn", "区教育局", "单位联络员、作者", "Green-Tea-88"],
        ]
    )
    r = _upload(client, post, "users.xlsx", data)
    html = r.get_data(as_text=True)
    assert "已导入 2 个用户" in html
    zhaoyi = db.session.scalar(select(User).where(User.username == "zhaoyi"))
    assert zhaoyi.phone == "13800000011" and zhaoyi.roles == {"judge"} and zhaoyi.unit.name == "区教育局"
    assert db.session.scalar(select(User).where(User.username == "qianer")).roles == {"coordinator", "author"}
    assert len(_audit(db, "user.import")) == 2


def test_import_with_a_bad_row_imports_nothing_and_names_the_rows(client, admin, make_unit, login, post, db):
    make_unit("区教育局")
    login(client, admin)
    before = db.session.scalar(select(func.count(User.id)))
    data = _xlsx(
        [
            HEAD,
            ["good1", "好人", "13800000021", "", "区教育局", "评委", ""],
            ["bad2", "坏行", "123", "", "不存在的局", "校长", "123"],
        ]
    )
    html = _upload(client, post, "users.xlsx", data).get_data(as_text=True)
    assert "未导入任何用户" in html
    for problem in ("电话号码 123 格式不正确", "未知单位：不存在的局", "未知角色：校长", "密码长度至少 8 位"):
        assert problem in html
    assert "<td>3</td>" in html  # the line number of the bad row
    assert db.session.scalar(select(func.count(User.id))) == before


def test_import_reads_a_gbk_csv(client, admin, login, post, db):
    login(client, admin)
    text = "用户名,姓名,角色\r\nsunsan,孙三,作者\r\n"
    html = _upload(client, post, "users.csv", text.encode("gbk")).get_data(as_text=True)
    assert "已导入 1 个用户" in html
    assert db.session.scalar(select(User).where(User.username == "sunsan")).display_name == "孙三"


def test_import_refuses_a_duplicate_user_name_within_the_sheet(client, admin, login, post):
    login(client, admin)
    data = _xlsx([HEAD, ["dup", "甲", "", "", "", "作者", ""], ["dup", "乙", "", "", "", "作者", ""]])
    assert "与第 2 行重复" in _upload(client, post, "u.xlsx", data).get_data(as_text=True)


def test_import_template_has_chinese_headers(client, admin, login):
    login(client, admin)
    r = client.get("/admin/users/import/template.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[1]] == HEAD


def test_units_are_created_nested_and_edited_with_audit(client, admin, login, post, db):
    login(client, admin)
    post(
        client,
        "/admin/units/new",
        {"name": "区卫计局", "short_name": "卫计局", "kind": "bureau", "parent_id": "0", "active": "y"},
    )
    parent = db.session.scalar(select(Unit).where(Unit.name == "区卫计局"))
    post(
        client,
        "/admin/units/new",
        {"name": "临渭区人民医院", "kind": "hospital", "parent_id": str(parent.id), "active": "y"},
    )
    child = db.session.scalar(select(Unit).where(Unit.name == "临渭区人民医院"))
    assert child.parent_id == parent.id
    html = client.get("/admin/units").get_data(as_text=True)
    html = html[html.index("<table") :]
    assert html.index("区卫计局") < html.index("临渭区人民医院")
    # A unit cannot be moved under its own child.
    r = post(
        client,
        f"/admin/units/{parent.id}",
        {"name": "区卫计局", "kind": "bureau", "parent_id": str(child.id), "active": "y"},
    )
    assert "不能设为自身或其下级单位的下级" in r.get_data(as_text=True)
    labels = [e.object_label for e in _audit(db, "unit.create")]
    assert labels[-2:] == ["区卫计局", "临渭区人民医院"]


def test_duplicate_unit_name_is_refused(client, admin, make_unit, login, post):
    make_unit("区财政局")
    login(client, admin)
    r = post(client, "/admin/units/new", {"name": "区财政局", "kind": "bureau", "parent_id": "0", "active": "y"})
    assert "已存在名为“区财政局”的单位" in r.get_data(as_text=True)

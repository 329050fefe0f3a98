"""Demo data: the units of the campaign notice and one account per role.

Packages add their own demo data in a ``<package>.demo`` module with a
``seed(accounts: dict[str, User]) -> None`` function; they run in order after
the accounts exist.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core import audit
from core.extensions import db

DEMO_PASSWORD = "Zhengping-2026"

# (name, short name, kind, parent)
DEMO_UNITS = [
    ("中共临渭区委员会", "区委", "department", None),
    ("区委组织部", "组织部", "department", "中共临渭区委员会"),
    ("区委宣传部", "宣传部", "department", "中共临渭区委员会"),
    ("区委党校", "党校", "department", "中共临渭区委员会"),
    ("区人民政府", "区政府", "bureau", None),
    ("区教育局", "教育局", "bureau", "区人民政府"),
    ("区卫计局", "卫计局", "bureau", "区人民政府"),
    ("区科技局", "科技局", "bureau", "区人民政府"),
    ("区民政局", "民政局", "bureau", "区人民政府"),
    ("区文广局", "文广局", "bureau", "区人民政府"),
    ("区农业局", "农业局", "bureau", "区人民政府"),
    ("区林业局", "林业局", "bureau", "区人民政府"),
    ("区扶贫办", "扶贫办", "bureau", "区人民政府"),
    ("区人社局", "人社局", "bureau", "区人民政府"),
    ("区财政局", "财政局", "bureau", "区人民政府"),
    ("杜桥街道", None, "town", None),
    ("人民街道", None, "town", None),
    ("向阳街道", None, "town", None),
    ("阎村镇", None, "town", None),
    ("官道镇", None, "town", None),
    ("临渭区第二中学", "二中", "school", "区教育局"),
    ("临渭区人民医院", "区医院", "hospital", "区卫计局"),
    ("渭南高新科技有限公司", "高新科技", "enterprise", None),
    ("东风社区", None, "community", "杜桥街道"),
]

# (username, display name, roles, unit)
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", ["admin"], "区委宣传部"),
    ("organiser", "王芳", ["organiser"], "区委宣传部"),
    ("coordinator", "刘建国", ["coordinator"], "区科技局"),
    ("judge", "陈志远", ["judge"], "区委党校"),
    ("committee", "赵丽华", ["committee"], "区委组织部"),
    ("author", "李秀英", ["author"], "临渭区第二中学"),
    ("judge2", "孙明", ["judge"], "区文广局"),
    ("judge3", "周晓梅", ["judge"], "区教育局"),
    ("judge4", "吴国栋", ["judge"], "区卫计局"),
    ("author2", "张伟", ["author"], "区农业局"),
    ("author3", "杨帆", ["author"], "杜桥街道"),
    # A co-organising department's organiser (承办): manages only the activities that list it.
    ("coorganiser", "王老师", ["organiser"], "区教育局"),
]
# Accounts that manage only the activities listing them (accounts.models.ActivityScope.OWN).
LIMITED_ORGANISERS = {"coorganiser"}


def seed_demo(force: bool = False) -> bool:
    from accounts import services
    from accounts.models import ActivityScope, Unit, User

    if not force and db.session.scalar(select(func.count(User.id))):
        return False
    units: dict[str, Unit] = {u.name: u for u in db.session.scalars(select(Unit))}
    for name, short, kind, parent in DEMO_UNITS:
        if name not in units:
            units[name] = services.create_unit(
                name=name, short_name=short, kind=kind, parent=units.get(parent) if parent else None
            )
    accounts: dict[str, User] = {}
    for username, display_name, roles, unit in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = services.create_user(
                username=username,
                display_name=display_name,
                password=DEMO_PASSWORD,
                roles=roles,
                unit=units[unit],
                phone=None,
                email=f"{username}@demo.zhengping.cn",
                action="demo.seed_user",
            )
            if username in LIMITED_ORGANISERS:
                user.activity_scope = ActivityScope.OWN
        accounts[username] = user
    audit.record(
        "demo.seed",
        object_type="system",
        label="demo data",
        changes={"units": len(DEMO_UNITS), "accounts": len(DEMO_ACCOUNTS)},
    )
    db.session.commit()
    from essays import demo as essays_demo
    from judging import demo as judging_demo
    from nominations import demo as nominations_demo
    from publishing import demo as publishing_demo

    for package_demo in (essays_demo, judging_demo, publishing_demo, nominations_demo):
        package_demo.seed(accounts)
        db.session.commit()
    return True


def demo_accounts_present() -> bool:
    from accounts.models import User

    return (
        db.session.scalar(select(User.id).where(User.username == "admin", User.email == "admin@demo.zhengping.cn"))
        is not None
    )


def print_accounts(echo) -> None:
    echo("")
    echo("Demo accounts (password for all: %s)" % DEMO_PASSWORD)
    shown = DEMO_ACCOUNTS[:6] + [a for a in DEMO_ACCOUNTS if a[0] in LIMITED_ORGANISERS]
    for username, display_name, roles, unit in shown:
        echo(f"  {roles[0]:<12} {username:<12} {display_name}（{unit}）")
    echo("")

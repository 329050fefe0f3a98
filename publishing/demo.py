"""Demo data: a finished competition's results on the public site, with a certificate template.

Self-contained (it does not need judging data), so the demo shows a published
list, a certificate template with a sample seal, and a second list still on
public notice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.extensions import db
from publishing.certificate_template import ensure_template, update_template
from publishing.certificates import issue_certificates
from publishing.clock import SHANGHAI, today_local
from publishing.models import ResultSet, ResultState
from publishing.notice import compute_notice_window, open_notice, start_notice
from publishing.results import HonourInput, import_honours, publish_results

# A sample seal, clearly marked as a sample (示例): never an imitation of a real seal.
DEMO_SEAL_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">
<circle cx="100" cy="100" r="92" fill="none" stroke="#d0202a" stroke-width="8"/>
<polygon fill="#d0202a" points="100,52 111,86 147,86 118,107 129,141 100,120 71,141 82,107 53,86 89,86"/>
<text x="100" y="170" font-family="Noto Serif CJK SC" font-size="22" fill="#d0202a"
 text-anchor="middle">示例专用章</text>
</svg>"""

DEMO_SOURCE_ID = 900001

WINNERS = [
    # level code, level text, name, unit, title, group, score, account
    ("first", "一等奖", "李秀英", "临渭区第二中学", "科技之光照亮乡村振兴路", "征文组", 94.5, "author"),
    ("second", "二等奖", "张伟", "区农业局", "一粒种子的科技旅程", "征文组", 91.0, "author2"),
    ("second", "二等奖", "欧阳晓燕", "临渭区人民医院", "远程会诊连起城乡", "征文组", 90.2, None),
    ("third", "三等奖", "杨帆", "杜桥街道", "智慧社区里的烟火气", "征文组", 88.7, "author3"),
    ("third", "三等奖", "王䶮", "渭南高新科技有限公司", "车间里的数字工匠", "征文组", 87.9, None),
    ("third", "三等奖", "赵丽", "东风社区", "科普大篷车开进村", "征文组", 87.1, None),
    ("excellence", "优秀奖", "刘洋", "区教育局", "孩子们的机器人课", "征文组", 85.0, None),
    ("excellence", "优秀奖", "陈静", "官道镇", "田间地头的无人机", "征文组", 84.3, None),
]
# A second activity, still on public notice (same columns as WINNERS).
ON_NOTICE = [
    ("first", "一等奖", "孙明", "区文广局", "老街巷里的文明新风", "", 93.0, None),
    ("second", "二等奖", "周晓梅", "区教育局", "书香校园二十年", "", 90.0, None),
]


def replay_closed_notice(
    rs: ResultSet, *, days_ago: int, length: int, unit: str, how_to_object: str, actor
) -> ResultSet:
    """History for the demo, tests and benchmarks: a notice started ``days_ago`` days ago, already over.

    It is recorded as it was made on that day: the notice started on its own first
    day (``notice_started_at`` is that morning, Beijing time), never as a notice
    started today with a past date, which ``start_notice`` refuses. The
    audit entry says it is replayed history.
    """
    if rs.state != ResultState.DRAFT or not rs.active_honours:
        raise ValueError("only a draft with honours can be put on notice")
    today = today_local()
    start = today - dt.timedelta(days=days_ago)
    window = compute_notice_window(start, length, unit)
    if window.last_day >= today:
        raise ValueError("replayed history must be over: use start_notice for a running notice")
    started_at = dt.datetime.combine(start, dt.time(9, 0), SHANGHAI).astimezone(dt.timezone.utc)
    return open_notice(
        rs,
        window,
        how_to_object=how_to_object,
        started_at=started_at,
        actor=actor,
        changes={"replayed_history": True, "started_at": started_at},
    )


def _honours(rows: list[tuple], accounts: dict) -> list[HonourInput]:
    """``WINNERS``-shaped rows as the list to import, ranked in order."""
    return [
        HonourInput(
            level_code=code,
            level_text=text,
            recipient_name=name,
            recipient_unit=unit,
            work_title=title,
            group_label=group,
            score=score,
            rank=i + 1,
            user_id=accounts[acc].id if acc and acc in accounts else None,
            source_item_id=None,
        )
        for i, (code, text, name, unit, title, group, score, acc) in enumerate(rows)
    ]


def seed(accounts: dict) -> None:
    if db.session.scalar(select(ResultSet).where(ResultSet.source_id == DEMO_SOURCE_ID)):
        return
    organiser = accounts.get("organiser")
    rs = import_honours(
        "competition",
        DEMO_SOURCE_ID,
        "2026年临渭区“科技兴区”主题征文活动",
        _honours(WINNERS, accounts),
        organiser,
        organiser="中共临渭区委宣传部\n临渭区科学技术局",
    )
    # The demo's history: a notice that ran a month ago (started on its first day, as a
    # user would have started it then), so the list can be published right away.
    replay_closed_notice(
        rs,
        days_ago=30,
        length=7,
        unit="calendar",
        how_to_object="公示期间，如有异议，请以真实姓名向区委宣传部宣传科反映，电话 0913-2123456。",
        actor=organiser,
    )
    publish_results(rs, organiser)
    tpl = ensure_template(rs)
    update_template(
        tpl,
        organiser,
        seal=DEMO_SEAL_SVG.encode(),
        seal_type="image/svg+xml",
        title="荣誉证书",
        activity_name="2026年临渭区“科技兴区”主题征文活动",
        closing="特发此证，以资鼓励。",
        issuers="中共临渭区委宣传部\n临渭区科学技术局",
        date_style="chinese_with_day",
        page_size="A4",
        orientation="landscape",
        style="classic",
        activity_code="KJXQ",
        number_pattern="{code}-{year}-{level_no}{serial:03d}",
    )
    issue_certificates(rs, organiser)

    # A second activity, still on public notice, so the objection form can be tried.
    rs2 = import_honours(
        "competition",
        DEMO_SOURCE_ID + 1,
        "2026年“文明临渭”征文活动",
        _honours(ON_NOTICE, accounts),
        organiser,
        organiser="中共临渭区委宣传部",
        ordering="unordered",
    )
    start_notice(
        rs2,
        start=today_local(),
        length=5,
        unit="working",
        how_to_object="公示期为5个工作日。如有异议，请在公示期内实名反映，并留下联系电话。",
        actor=organiser,
    )
    db.session.flush()

"""Demo competition: the 2018 campaign's essay call, open now, with a few entries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts import activity_access as access
from accounts.models import OrganiserPart
from core.db import utcnow
from core.extensions import db
from essays import competitions, review, submission
from essays.models import Competition

# The genres and their limits; the notice's 征文要求 is written from the same
# list, so the notice and the rules the system enforces say the same thing.
GENRES = [
    {"name": "理论文章", "min_length": 3000, "max_length": 5000, "count_rule": "word"},
    {"name": "散文", "min_length": None, "max_length": 3000, "count_rule": "word"},
    {"name": "诗歌", "min_length": None, "max_length": 600, "count_rule": "word"},
]


def length_requirement(genre: dict) -> str:
    """A genre's limit as a notice words it: 理论文章3000至5000字, 散文不超过3000字."""
    low, high = genre["min_length"], genre["max_length"]
    if low and high:
        return f"{genre['name']}{low}至{high}字"
    if high:
        return f"{genre['name']}不超过{high}字"
    return f"{genre['name']}不少于{low}字" if low else genre["name"]


NOTICE = f"""<p>为深入贯彻落实习近平新时代中国特色社会主义思想，弘扬爱国奋斗精神，激励广大知识分子建功立业新时代，
现面向全区开展“弘扬爱国奋斗精神、建功立业新时代”主题征文活动。</p>
<h3>一、征文内容</h3><p>讲述身边知识分子、人才工作者爱国奋斗、建功立业的感人故事。</p>
<h3>二、征文要求</h3><ul><li>{"；".join(length_requirement(g) for g in GENRES)}（均按Word字数统计）。</li>
<li>作品须为原创，未在公开报刊发表。</li></ul>"""

DEMO_ENTRIES = [
    (
        "author",
        "理论文章",
        "成人组",
        "新时代知识分子的使命与担当",
        "知识分子是国家宝贵的财富，是党和人民信赖的重要力量。" * 130,
        True,
    ),
    (
        "author2",
        "散文",
        "成人组",
        "渭河岸边的农技员",
        "清晨的薄雾还没有散去，老周已经蹲在麦田里查看苗情。三十年来，他走遍了全区的每一个村庄。" * 12,
        True,
    ),
    (
        "author3",
        "散文",
        "青少年组",
        "我的老师",
        "我的老师是一位普通的乡村教师，她用二十年的坚守照亮了山里孩子的求学路。" * 10,
        False,
    ),
    (
        "author3",
        "诗歌",
        "青少年组",
        "奋斗的模样",
        "你问我奋斗是什么模样\n是田埂上的脚印\n是实验室里的灯光\n是祖国大地上每一份坚守",
        False,
    ),
]


def seed(accounts: dict) -> None:
    if db.session.scalar(select(Competition.id).where(Competition.code == "ZW2026")):
        return
    organiser = accounts["organiser"]
    now = utcnow()
    comp = competitions.create_competition(
        actor=organiser,
        code="ZW2026",
        title="弘扬爱国奋斗精神、建功立业新时代",
        theme="讲述身边知识分子爱国奋斗的故事",
        notice_html=NOTICE,
        organisers=[
            {"role": "主办", "name": "区委宣传部"},
            {"role": "承办", "name": "区文广局"},
            {"role": "协办", "name": "区科技局"},
        ],
        opens_at=now - dt.timedelta(days=7),
        closes_at=now + dt.timedelta(days=30),
        grace_minutes=0,
        max_entries_per_author=2,
        unit_recommendation_enabled=True,
        unit_quota=5,
        accepted_formats=["text", "docx", "pdf", "txt"],
        max_file_mb=10,
        pledge_text="本人郑重承诺：所投作品为本人原创，未抄袭他人成果，未在公开报刊发表；如有违反，自愿取消参评资格。",
        review_threshold=0.5,
        copy_threshold=0.8,
        genres=[dict(g) for g in GENRES],
        groups=[{"name": "成人组"}, {"name": "青少年组"}],
    )
    competitions.change_status(comp, "open", actor=organiser)
    if "coorganiser" in accounts:  # the co-organising department's account (承办) manages this call
        access.add_organiser(
            access.COMPETITION,
            comp.id,
            accounts["coorganiser"],
            OrganiserPart.UNDERTAKER,
            actor=organiser,
            label=comp.title,
        )
    db.session.flush()
    genres = {g.name: g.id for g in comp.genres}
    groups = {g.name: g.id for g in comp.groups}
    for n, (username, genre, group, title, text, qualify) in enumerate(DEMO_ENTRIES):
        author = accounts.get(username)
        if author is None:
            continue
        result = submission.submit_entry(
            submission.SubmissionDraft(
                competition=comp,
                author=author,
                token=f"demo-{n}",
                title=title,
                genre_id=genres[genre],
                group_id=groups[group],
                body_text=text,
                pledge=True,
            ),
            actor=author,
        )
        if qualify:
            review.review_entry(result.entry, True, actor=organiser)
    db.session.commit()

"""推荐汇总表: a programme's (or one unit's) dossiers as a table with Chinese headers.

Rows are plain values for ``core.exports`` (which guards against formulas). The
resident ID appears only masked, and only when the programme collects it; a
person's private fields beyond the form's summary columns stay out.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.exports import Column, Table
from core.extensions import db
from nominations.models import Nomination, NominationStatus, Programme
from nominations.printing import SEX_TEXT, mask_resident_id, month_text

# Status names as the office writes them in a 汇总表 (a document, like the form).
STATUS_TEXT = {
    NominationStatus.DRAFT: "草稿",
    NominationStatus.SUBMITTED: "待审核",
    NominationStatus.RETURNED: "退回修改",
    NominationStatus.REJECTED: "审核未通过",
    NominationStatus.ELIGIBLE: "审核通过",
    NominationStatus.PASSED: "投票通过",
    NominationStatus.FAILED: "投票未通过",
    NominationStatus.VETOED: "联审否决",
    NominationStatus.ON_NOTICE: "公示中",
    NominationStatus.WITHDRAWN: "已撤销",
    NominationStatus.APPROVED: "已批准",
}


def _nominations(programme: Programme, unit_id: int | None, include_drafts: bool) -> list[Nomination]:
    query = (
        select(Nomination)
        .where(Nomination.programme_id == programme.id)
        .options(joinedload(Nomination.unit))
        .order_by(Nomination.unit_id, Nomination.id)
    )
    if unit_id is not None:
        query = query.where(Nomination.unit_id == unit_id)
    if not include_drafts:
        query = query.where(Nomination.status != NominationStatus.DRAFT)
    return list(db.session.scalars(query))


def _with_id(programme: Programme) -> bool:
    return "resident_id" in (programme.required_fields or [])


def columns(programme: Programme) -> list[Column]:
    if programme.is_team:
        cols = [
            Column("序号", 6),
            Column("推荐单位", 22),
            Column("团队名称", 26),
            Column("负责人", 10),
            Column("成员人数", 9),
            Column("所在单位", 26),
            Column("联系电话", 14),
        ]
    else:
        cols = [
            Column("序号", 6),
            Column("推荐单位", 22),
            Column("姓名", 10),
            Column("性别", 6),
            Column("出生年月", 10),
            Column("民族", 8),
            Column("政治面貌", 12),
            Column("学历", 10),
            Column("工作单位及职务", 32),
            Column("联系电话", 14),
        ]
        if _with_id(programme):
            cols.append(Column("身份证号", 22))
    return cols + [Column("事迹简介", 50), Column("状态", 12)]


def _row(index: int, n: Nomination, programme: Programme) -> list:
    if programme.is_team:
        head = [index, n.unit.name, n.name, n.leader_name, n.member_count or "", n.workplace, n.phone]
    else:
        workplace = "　".join(p for p in (n.workplace, n.position) if p)
        head = [
            index,
            n.unit.name,
            n.name,
            SEX_TEXT.get(n.sex, ""),
            month_text(n.birth_month),
            n.ethnicity,
            n.politics,
            n.education,
            workplace,
            n.phone,
        ]
        if _with_id(programme):
            head.append(mask_resident_id(n.resident_id))
    return head + [n.summary, STATUS_TEXT.get(n.status, str(n.status))]


def summary_table(programme: Programme, *, unit=None, include_drafts: bool = False) -> Table:
    """The 推荐汇总表 of a programme, or of one unit's dossiers in it."""
    rows = [
        _row(i, n, programme)
        for i, n in enumerate(_nominations(programme, unit.id if unit else None, include_drafts), start=1)
    ]
    title = f"{programme.title}推荐汇总表"
    if unit is not None:
        title = f"{title}（{unit.name}）"
    return Table(columns(programme), rows, sheet="推荐汇总表", title=title)


def filename(programme: Programme, unit=None) -> str:
    parts = [programme.title, unit.name if unit is not None else "", "推荐汇总表"]
    return "-".join(p for p in parts if p) + ".xlsx"

"""The list of winners (获奖名单): grouped by level and group, as a page, a PDF and a sheet."""

from __future__ import annotations

from flask_babel import gettext as _

from core import exports
from core.pdf import render_pdf
from publishing import formats
from publishing.clock import local_date
from publishing.models import Honour, Ordering, ResultSet


def _level_key(code: str) -> int:
    return formats.LEVEL_CODES.index(code) if code in formats.LEVEL_CODES else len(formats.LEVEL_CODES)


def grouped_honours(rs: ResultSet, honours: list[Honour] | None = None) -> list[dict]:
    """Levels from the highest, then groups in first-seen order; within, by score or as imported."""
    honours = rs.active_honours if honours is None else honours
    first_pos: dict[str, int] = {}
    for h in honours:
        first_pos.setdefault(h.level_text, h.position)
    levels: dict[str, dict] = {}
    for h in sorted(honours, key=lambda h: (_level_key(h.level_code), first_pos[h.level_text], h.position)):
        level = levels.setdefault(h.level_text, {"level_text": h.level_text, "level_code": h.level_code, "groups": {}})
        level["groups"].setdefault(h.group_label, []).append(h)
    out = []
    for level in levels.values():
        groups = []
        for label, rows in level["groups"].items():
            if rs.ordering == Ordering.SCORE:
                rows = sorted(
                    rows,
                    key=lambda h: (
                        h.rank if h.rank is not None else 10**9,
                        -(h.score if h.score is not None else -1e9),
                        h.position,
                    ),
                )
            groups.append({"label": label, "rows": rows})
        out.append(
            {
                "level_text": level["level_text"],
                "level_code": level["level_code"],
                "groups": groups,
                "count": sum(len(g["rows"]) for g in groups),
            }
        )
    return out


def list_title(rs: ResultSet) -> str:
    return rs.title if rs.title.endswith("获奖名单") else f"{rs.title}获奖名单"


def winner_list_pdf(rs: ResultSet) -> bytes:
    return render_pdf(
        "pdf/winner_list.html",
        rs=rs,
        title=list_title(rs),
        levels=grouped_honours(rs),
        unordered=rs.ordering == Ordering.UNORDERED,
        date_text=formats.format_date_arabic(local_date(rs.published_at)),
    )


def winner_list_table(rs: ResultSet) -> exports.Table:
    """The public winner list as a sheet: the list's title above 序号, 奖次, 组别, 作品, 作者, 单位."""

    def rows():
        n = 0
        for level in grouped_honours(rs):
            for group in level["groups"]:
                for h in group["rows"]:
                    n += 1
                    yield [n, h.level_text, group["label"], h.work_title or "", h.recipient_name, h.recipient_unit]

    columns = [
        exports.Column(_("No."), 6),
        exports.Column(_("Award level"), 12),
        exports.Column(_("Group"), 12),
        exports.Column(_("Work"), 40),
        exports.Column(_("Author"), 16),
        exports.Column(_("Unit"), 30),
    ]
    return exports.Table(columns, rows(), sheet=_("Winner list"), title=list_title(rs), freeze_header=False)


def winner_list_xlsx(rs: ResultSet) -> bytes:
    return exports.table_bytes(winner_list_table(rs), "xlsx")

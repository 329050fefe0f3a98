"""推荐汇总表 rows: the columns of a team programme, the masked ID only where collected, the order."""

from __future__ import annotations

from helpers.nomprint import make_nomination, make_programme


def test_team_programme_columns(db, make_unit):
    from nominations import summary

    unit = make_unit("东风社区")
    programme = make_programme(db, title="临渭标杆（集体）", kind="team", units=[unit])
    make_nomination(
        db, programme, unit, name="东风社区志愿服务队", leader_name="王建设", member_count=12, status="eligible"
    )
    db.session.commit()
    table = summary.summary_table(programme)
    assert table.headers == [
        "序号",
        "推荐单位",
        "团队名称",
        "负责人",
        "成员人数",
        "所在单位",
        "联系电话",
        "事迹简介",
        "状态",
    ]
    row = dict(zip(table.headers, list(table.rows)[0]))
    assert row["团队名称"] == "东风社区志愿服务队" and row["成员人数"] == 12 and row["状态"] == "审核通过"
    assert summary.filename(programme) == "临渭标杆（集体）-推荐汇总表.xlsx"


def test_resident_id_column_only_when_collected(db, make_unit):
    from nominations import summary

    unit = make_unit("区教育局")
    without = make_programme(db, title="甲", units=[unit])
    make_nomination(db, without, unit, resident_id="610502199001010013")
    with_id = make_programme(db, title="乙", units=[unit], required_fields=["resident_id", "photo"])
    make_nomination(db, with_id, unit, resident_id="610502199001010021")
    db.session.commit()
    assert "身份证号" not in summary.summary_table(without).headers
    table = summary.summary_table(with_id, unit=unit)
    row = dict(zip(table.headers, list(table.rows)[0]))
    assert row["身份证号"] == "6105**********0021"
    assert table.title == "乙推荐汇总表（区教育局）"
    assert all("610502199001010013" not in str(v) for r in summary.summary_table(without).rows for v in r)


def test_rows_by_unit_then_entry_and_numbered(db, make_unit):
    from nominations import summary

    a, b = make_unit("区科技局"), make_unit("区教育局")
    programme = make_programme(db, units=[a, b])
    make_nomination(db, programme, b, name="乙一")
    make_nomination(db, programme, a, name="甲一")
    make_nomination(db, programme, a, name="甲二", status="draft")
    make_nomination(db, programme, a, name="甲三", status="returned")
    db.session.commit()
    rows = list(summary.summary_table(programme).rows)
    assert [(r[0], r[2]) for r in rows] == [(1, "甲一"), (2, "甲三"), (3, "乙一")]
    assert rows[1][-1] == "退回修改"
    with_drafts = list(summary.summary_table(programme, unit=a, include_drafts=True).rows)
    assert [r[2] for r in with_drafts] == ["甲一", "甲二", "甲三"]

"""The 推荐表 PDF: the projection, the layout's text, the masked ID, the opinion chain, the metadata."""

from __future__ import annotations

import io

from helpers import ARTIFACTS
from helpers.nomprint import DEEDS_END, add_step, long_deeds, make_nomination, make_programme, pdf_text


def _save(name: str, data: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)


def test_dossier_pdf_holds_the_form_and_the_whole_deeds(db, make_unit):
    from pypdf import PdfReader

    from nominations import printing

    unit = make_unit("区科技局")
    programme = make_programme(db, units=[unit], summary_limit=300, deeds_limit=3000)
    nomination = make_nomination(
        db,
        programme,
        unit,
        photo=True,
        name="李静怡",
        resident_id="610502199001010013",
        deeds=long_deeds(2600),
        unit_opinion="情况属实，同意推荐。",
    )
    add_step(db, nomination, "submit", signer="区科技局")
    add_step(db, nomination, "pass", opinion="符合推荐条件，同意进入专家评审。", signer="区委宣传部")
    add_step(db, nomination, "ballot", opinion="经评审委员会投票，同意推荐。", signer="评审委员会")
    db.session.commit()

    pdf = printing.dossier_pdf(nomination)
    _save("nomination-dossier.pdf", pdf)
    text = pdf_text(pdf)
    for expected in (
        "寻找最美科技工作者推荐表",
        "李静怡",
        "出生年月",
        "工作单位及职务",
        "事迹简介",
        "主要事迹",
        DEEDS_END,  # the long text flows on, nothing is cut
        "情况属实，同意推荐。",
        "符合推荐条件，同意进入专家评审。",
        "经评审委员会投票，同意推荐。",
        "（盖章）",
        "2026年11月25日",
        "6105**********0013",
    ):
        assert expected in text, expected
    assert "610502199001010013" not in text
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    meta = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert meta.get("/Title") == "寻找最美科技工作者 李静怡"
    leaked = [v for k, v in meta.items() if k not in ("/Title", "/Producer", "/CreationDate", "/ModDate", "/Creator")]
    assert leaked == []
    assert all(nomination.phone not in v and "区科技局" not in v for v in meta.values())
    assert reader.pages[0].images, "the photo is on the first page"


def test_full_resident_id_only_when_asked(db, make_unit):
    from nominations import printing

    unit = make_unit()
    programme = make_programme(db, units=[unit])
    nomination = make_nomination(db, programme, unit, resident_id="610502199001010013")
    assert printing.dossier_print(nomination).resident_id == "6105**********0013"
    assert printing.dossier_print(nomination, full_resident_id=True).resident_id == "610502199001010013"
    assert printing.mask_resident_id(None) == ""


def test_blank_chain_has_seal_spaces_and_team_fields(db, make_unit):
    from nominations import printing

    unit = make_unit("东风社区")
    programme = make_programme(db, title="临渭标杆（集体）", kind="team", units=[unit])
    nomination = make_nomination(
        db,
        programme,
        unit,
        name="东风社区志愿服务队",
        leader_name="王建设",
        member_count=12,
        members_text="王建设\n李红梅\n赵小龙",
    )
    add_step(db, nomination, "submit")
    db.session.commit()
    page = printing.dossier_print(nomination)
    assert not page.office_opinion.filled and not page.committee_opinion.filled
    assert page.unit_opinion.filled and page.unit_opinion.signer == "东风社区"
    pdf = printing.dossier_pdf(nomination)
    _save("nomination-dossier-team.pdf", pdf)
    text = pdf_text(pdf)
    for expected in ("团队名称", "东风社区志愿服务队", "负责人", "王建设", "成员人数", "李红梅", "联审意见"):
        assert expected in text, expected
    assert text.count("（盖章）") == 4
    assert "姓名" not in text


def test_joint_review_lines_each_department(db, make_unit):
    from nominations import printing

    unit, discipline = make_unit(), make_unit("区纪委监委")
    programme = make_programme(db, units=[unit])
    nomination = make_nomination(db, programme, unit)
    add_step(db, nomination, "joint_approve", opinion="未发现违纪违法问题。", unit=discipline)
    db.session.commit()
    db.session.refresh(nomination)
    opinion = printing.dossier_print(nomination).joint_opinion
    assert opinion.filled and opinion.text == "区纪委监委：未发现违纪违法问题。"


def test_a_return_before_the_resubmission_leaves_the_office_box_blank(db, make_unit):
    from nominations import printing

    unit = make_unit()
    programme = make_programme(db, units=[unit])
    nomination = make_nomination(db, programme, unit)
    add_step(db, nomination, "submit")
    add_step(db, nomination, "return", opinion="请补充近三年数据。", signer="区委宣传部")
    db.session.commit()
    db.session.refresh(nomination)
    assert printing.dossier_print(nomination).office_opinion.text == "请补充近三年数据。"
    add_step(db, nomination, "resubmit")
    db.session.commit()
    db.session.refresh(nomination)
    assert not printing.dossier_print(nomination).office_opinion.filled

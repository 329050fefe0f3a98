"""Every table download, opened: planted formulas come out as text, headers are Chinese.

A title, a name or a unit typed as ``=HYPERLINK(...)`` must never reach a
spreadsheet program as a live formula, in any download (organisers', the public
winner list, the audit export, the CLI). Also: the round export is a read-only
GET; results are recomputed only by a POST.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from helpers import PLANT, assert_no_formula, judging_competition, make_entry, setup_round, values_for

NAME = "@SUM(1,2)"  # planted in a person's name
UNIT = "+1-1单位"  # planted in a unit name


def _xlsx_rows(data: bytes, sheet: str | None = None) -> list[list]:
    assert_no_formula(data)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _xlsx_cell(data: bytes, text: str):
    """The cell holding ``text``, checked to be a string cell."""
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == text:
                    assert cell.data_type == "s"
                    return cell
    raise AssertionError(f"{text!r} not found as a cell")


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- essays: the organiser's entry list ------------------------------------------------------


@pytest.fixture
def planted_entry(db, organiser, make_user, make_unit):
    comp = judging_competition(db, organiser)
    author = make_user("author", unit=make_unit(name=UNIT), display_name=NAME)
    make_entry(db, comp, author, title=PLANT)
    return comp


def test_entry_list_xlsx_keeps_planted_text_as_text(client, login, db, organiser, planted_entry):
    login(client, organiser)
    r = client.get(f"/essays/manage/{planted_entry.id}/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    rows = _xlsx_rows(r.data)
    assert rows[0][:7] == ["收稿编号", "匿名编号", "标题", "体裁", "组别", "作者", "单位"]
    assert rows[0][-3:] == ["不合格原因", "身份信息标记", "提交时间"]
    assert rows[1][2:7] == [PLANT, "散文", None, NAME, UNIT]
    for text in (PLANT, NAME, UNIT):
        _xlsx_cell(r.data, text)
    from core.audit import AuditEntry

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "essay.export"))
    assert entry.changes["rows"] == [None, 1] and entry.changes["format"] == [None, "xlsx"]


def test_entry_list_csv_prefixes_planted_text(client, login, organiser, planted_entry):
    login(client, organiser)
    r = client.get(f"/essays/manage/{planted_entry.id}/export.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = _csv_rows(r.data)
    assert rows[0][:3] == ["收稿编号", "匿名编号", "标题"]
    assert rows[1][2] == "'" + PLANT and rows[1][5] == "'" + NAME and rows[1][6] == "'" + UNIT


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_entry_list_refusals(app, login, make_user, planted_entry, fmt):
    url = f"/essays/manage/{planted_entry.id}/export.{fmt}"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("author", "judge", "coordinator"):
        c = app.test_client()
        login(c, make_user(role))
        assert c.get(url).status_code == 403
    c = app.test_client()
    login(c, make_user("organiser"))
    assert c.get(f"/essays/manage/999999/export.{fmt}").status_code == 404


# --- judging: the score summary (评分汇总表) ---------------------------------------------------


@pytest.fixture
def planted_round(db, make_user, make_unit, organiser):
    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=3, n_judges=2, k=2)
    entry = entries[0]
    entry.title = PLANT
    entry.author.display_name = NAME
    entry.unit.name = UNIT
    db.session.commit()
    return round_, judges, entries


def _compute(db, round_):
    from judging import results

    results.compute_results(round_)
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_score_summary_keeps_planted_text_as_text(client, login, db, organiser, planted_round, fmt):
    round_, _, _ = planted_round
    _compute(db, round_)
    login(client, organiser)
    r = client.get(f"/judging/rounds/{round_.id}/export.{fmt}")
    assert r.status_code == 200
    assert "filename*=UTF-8''%E8%AF%84%E5%88%86%E6%B1%87%E6%80%BB%E8%A1%A8" in r.headers["Content-Disposition"]
    rows = _csv_rows(r.data) if fmt == "csv" else _xlsx_rows(r.data)
    assert rows[0][:6] == ["排名", "编号", "作品", "作者", "单位", "组别"]
    assert rows[0][-5:] == ["第三评", "仲裁", "最终得分", "计分规则", "奖项"]
    assert all(str(h).startswith("评委：") for h in rows[0][6:-5])
    planted = next(row for row in rows[1:] if PLANT in str(row[2]))
    if fmt == "csv":
        assert planted[2:5] == ["'" + PLANT, "'" + NAME, "'" + UNIT]
    else:
        assert planted[2:5] == [PLANT, NAME, UNIT]
        for text in (PLANT, NAME, UNIT):
            _xlsx_cell(r.data, text)


def _result_rows(db, round_):
    from judging.models import RoundResult

    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(RoundResult.id, RoundResult.submission_id, RoundResult.final_score).where(
                RoundResult.round_id == round_.id
            )
        ).all()
    )


def _audit_count(db):
    from core.audit import AuditEntry

    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def _score_all(db, round_, judges):
    from judging import judge_services
    from judging.models import Assignment

    by_id = {j.id: j for j in judges}
    for item in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).all():
        judge_services.save_score(item, actor=by_id[item.judge_id], values=values_for(round_, 30, 20, 20), submit=True)
    db.session.commit()


def test_score_summary_get_changes_nothing_and_shows_stored_results(client, login, post, db, organiser, planted_round):
    round_, judges, _ = planted_round
    _compute(db, round_)  # stored: nobody scored yet
    _score_all(db, round_, judges)  # the standing moves on, the stored results do not
    login(client, organiser)
    before, audits = _result_rows(db, round_), _audit_count(db)
    for fmt in ("xlsx", "csv"):
        assert client.get(f"/judging/rounds/{round_.id}/export.{fmt}").status_code == 200
    assert _result_rows(db, round_) == before and _audit_count(db) == audits
    rows = _csv_rows(client.get(f"/judging/rounds/{round_.id}/export.csv").data)
    final = rows[0].index("最终得分")
    assert all(row[final] == "" for row in rows[1:])  # the stored finals: none yet

    # Recomputing is a POST action, audited; the export then shows the new standing.
    r = post(client, f"/judging/rounds/{round_.id}/results/compute", page=f"/judging/rounds/{round_.id}/awards")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/judging/rounds/{round_.id}/awards")
    assert _result_rows(db, round_) != before and _audit_count(db) == audits + 1
    rows = _csv_rows(client.get(f"/judging/rounds/{round_.id}/export.csv").data)
    assert all(float(row[final]) == 70 for row in rows[1:])


def test_recompute_refusals(app, login, post, db, make_user, organiser, planted_round):
    from judging import round_services

    round_, _, _ = planted_round
    url = f"/judging/rounds/{round_.id}/results/compute"
    anonymous = app.test_client()
    r = post(anonymous, url, page="/login")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    judge = app.test_client()
    login(judge, make_user("judge"))
    assert post(judge, url, page="/profile").status_code == 403
    org = app.test_client()
    login(org, organiser)
    assert org.get(url).status_code == 405
    assert post(org, "/judging/rounds/999999/results/compute", page="/profile").status_code == 404
    assert org.get(f"/judging/rounds/{round_.id}/export.ods").status_code == 404
    # A finalised round cannot be recomputed: a clear message, nothing changes.
    round_services.close_round(round_, actor=organiser)
    from judging import results, round_services

    # Entries the planted round left with fewer than k scores are accepted first.
    results.accept_short_entries(round_, None, actor=organiser, reason="测试")
    results.finalise_round(round_, actor=organiser)
    db.session.commit()
    before = _result_rows(db, round_)
    r = post(org, url, page=f"/judging/rounds/{round_.id}/awards")
    assert r.status_code == 302
    page = org.get(r.headers["Location"]).get_data(as_text=True)
    assert "已定稿" in page and _result_rows(db, round_) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_score_summary_cli_guards_the_file(app, db, planted_round, tmp_path, fmt):
    round_, _, _ = planted_round
    out = tmp_path / f"summary.{fmt}"
    result = app.test_cli_runner().invoke(args=["judging", "results", str(round_.id), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    rows = _csv_rows(data) if fmt == "csv" else _xlsx_rows(data)
    assert rows[0][:3] == ["排名", "编号", "作品"]
    planted = next(row for row in rows[1:] if PLANT in str(row[2]))
    assert planted[2] == ("'" + PLANT if fmt == "csv" else PLANT)


# --- judging: the key-in template --------------------------------------------------------------


def test_keyin_template_keeps_a_planted_criterion_name_as_text(client, login, db, make_user, make_unit, organiser):
    from judging import round_services

    round_, _, _, _, _ = setup_round(
        db,
        make_user,
        make_unit,
        organiser,
        n_entries=2,
        n_judges=2,
        k=1,
        open_=False,
        accept=False,
        criteria=[round_services.CriterionInput(PLANT, 60, step=1), round_services.CriterionInput("语言", 40, step=1)],
    )
    login(client, organiser)
    r = client.get(f"/judging/rounds/{round_.id}/keyin/template.xlsx")
    assert r.status_code == 200
    assert _xlsx_rows(r.data)[0] == ["匿名编号", "评委", PLANT, "语言", "评语"]
    rubric = _xlsx_rows(r.data, "评分细则")
    assert rubric[0] == ["评分项", "满分", "步长", "权重"] and rubric[1][0] == PLANT
    _xlsx_cell(r.data, PLANT)


# --- publishing: the public winner list --------------------------------------------------------


@pytest.fixture
def planted_list(db, organiser):
    from publishing.demo import replay_closed_notice
    from publishing.results import HonourInput, import_honours, publish_results

    items = [
        HonourInput("first", "一等奖", NAME, UNIT, PLANT, "征文组", 95, 1, None, 11),
        HonourInput("second", "二等奖", "张伟", "区农业局", "一粒种子", "-征文组", 90, 2, None, 12),
    ]
    rs = import_honours("competition", 77, "2026年科技征文活动", items, organiser, organiser="区委宣传部")
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    publish_results(rs, organiser)
    db.session.commit()
    return rs


def test_public_winner_list_keeps_planted_text_as_text(client, planted_list):
    r = client.get(f"/public/activities/{planted_list.id}/results.xlsx")
    assert r.status_code == 200
    rows = _xlsx_rows(r.data)
    assert rows[0][0] == "2026年科技征文活动获奖名单"
    assert rows[1] == ["序号", "奖次", "组别", "作品", "作者", "单位"]
    assert rows[2] == [1, "一等奖", "征文组", PLANT, NAME, UNIT]
    assert rows[3][2] == "-征文组"
    for text in (PLANT, NAME, UNIT, "-征文组"):
        _xlsx_cell(r.data, text)


# --- the audit export --------------------------------------------------------------------------


def test_audit_export_keeps_planted_text_as_text(app, db, admin, login, post, make_unit, make_user):
    from core.jobs import Job

    make_unit(name=PLANT)
    make_user("author", display_name=NAME)
    c = app.test_client()
    login(c, admin)
    r = post(
        c,
        "/audit/export",
        {"action": "", "object_type": "", "actor": "", "q": "", "since": "", "until": ""},
        page="/audit",
    )
    assert r.status_code == 302
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    status = c.get(f"/jobs/{job.id}.json").get_json()
    assert status["status"] == "done"
    data = c.get(status["download_url"]).data
    rows = _xlsx_rows(data)
    assert rows[0] == ["时间", "操作人", "操作", "对象", "对象编号", "名称", "变更内容", "地址"]
    assert any(row[5] == PLANT for row in rows[1:])
    _xlsx_cell(data, PLANT)

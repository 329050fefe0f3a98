"""Reading packets, score sheets and conflicts a judge declares on an entry.

A judge downloads all their entries of a round as one PDF (queue order, each
entry on its own page, code in the header) and as a ZIP of judge copies named
by code; the organiser prints the same packets per judge. Score sheets carry
the activity's name, whole points without decimals, several entries a page for
a short rubric, and the judge's submitted score.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from helpers import ARTIFACTS, audit, follow, make_entry, refused, setup_round, values_for

IDENTITY = {"name": "王建华", "unit": "城关镇中心小学", "phone": "13911112222", "email": "wangjh@example.com"}


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def _queue_codes(client, round_id: int) -> list[str]:
    page = client.get(f"/judging/my/{round_id}").get_data(as_text=True)
    return list(dict.fromkeys(re.findall(rf"/judging/my/{round_id}/e/([A-Z0-9-]+)\"", page)))


def _identified_entry(db, comp, make_user, make_unit):
    """An entry whose author, unit and original text name the author; the judge text does not."""
    from core.storage import store_bytes
    from helpers.docs import make_docx_with_identity

    author = make_user(
        "author",
        unit=make_unit(name=IDENTITY["unit"]),
        display_name=IDENTITY["name"],
        phone=IDENTITY["phone"],
        email=IDENTITY["email"],
    )
    original = store_bytes(
        make_docx_with_identity(IDENTITY),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        original_name=f"{IDENTITY['name']}.docx",
    )
    judge_copy = store_bytes(
        b"judge copy of the entry", content_type="text/plain", original_name="x.txt", suffix=".txt"
    )
    db.session.flush()
    entry = make_entry(
        db,
        comp,
        author,
        title=f"我的老师{IDENTITY['name']}",
        text=f"{IDENTITY['unit']} {IDENTITY['name']} {IDENTITY['phone']} {IDENTITY['email']}",
        judge_title="我的老师",
        judge_text="那年冬天，老师把围巾系在我的脖子上。",
        judge_file=judge_copy,
    )
    entry.original_file = original
    db.session.commit()
    return entry


def test_judge_downloads_their_packet_as_one_pdf_and_a_zip_of_copies(app, db, login, make_user, make_unit, organiser):
    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=2, k=2)
    client = login(app.test_client(), judges[0])
    codes = _queue_codes(client, round_.id)
    assert len(codes) == 4
    queue = client.get(f"/judging/my/{round_.id}").get_data(as_text=True)
    assert "阅读材料" in queue and f"/judging/my/{round_.id}/packet.zip" in queue

    response = client.get(f"/judging/my/{round_.id}/packet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"].startswith("private")
    assert f"packet-{round_.id}.pdf" in response.headers["Content-Disposition"]
    pages = _pages(response.data)
    # Queue order, each entry from a new page with its code in the header.
    assert len(pages) == len(codes)
    assert [next(c for c in codes if c in page) for page in pages] == codes
    assert all("春风又绿渭河岸" in page for page in pages)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "reading-packet.pdf").write_bytes(response.data)

    bundle = client.get(f"/judging/my/{round_.id}/packet.zip")
    assert bundle.status_code == 200 and bundle.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        assert archive.namelist() == [f"{code}.txt" for code in codes]
        assert all(info.date_time == (2000, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_nothing_in_a_packet_names_the_author(app, db, login, make_user, make_unit, organiser):
    from helpers import judging_competition
    from judging import assign_services, judge_services, pool_services, round_services

    comp = judging_competition(db, organiser)
    entry = _identified_entry(db, comp, make_user, make_unit)
    judge = make_user("judge", unit=make_unit())
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=1)
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    pool_services.add_judge(round_, judge, actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    round_services.open_round(round_, actor=organiser)
    judge_services.accept_pledge(round_, judge)
    db.session.commit()

    judge_client = login(app.test_client(), judge)
    office = login(app.test_client(), organiser)
    pdf = judge_client.get(f"/judging/my/{round_.id}/packet.pdf")
    bundle = judge_client.get(f"/judging/my/{round_.id}/packet.zip")
    printed = office.get(f"/judging/rounds/{round_.id}/packets/{judge.id}.pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    texts = [pdf.headers["Content-Disposition"], bundle.headers["Content-Disposition"]]
    texts += _pages(pdf.data) + _pages(printed.data)
    texts += [str(v) for v in (reader.metadata or {}).values()]
    texts += [str(v) for v in (PdfReader(io.BytesIO(printed.data)).metadata or {}).values()]
    assert "那年冬天" in "".join(_pages(pdf.data)) and entry.anonymous_code in "".join(_pages(pdf.data))
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        assert archive.namelist() == [f"{entry.anonymous_code}.txt"]
        texts += [archive.comment.decode(), *archive.namelist(), archive.read(f"{entry.anonymous_code}.txt").decode()]
    for needle in [*IDENTITY.values(), entry.receipt_number, "我的老师王"]:
        for text in texts:
            assert needle not in text


def test_packet_routes_refuse_strangers_and_wait_for_the_pledge(app, db, login, csrf, make_user, make_unit, organiser):
    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=2, k=1)
    unpledged, _, late_judges, _, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=1, n_judges=1, k=1, accept=False
    )
    stranger = make_user("judge", unit=make_unit())
    author = make_user("author", unit=make_unit())
    users = {"judge": judges[0], "stranger": stranger, "author": author, "organiser": organiser}
    rid = round_.id
    cases = []
    for path in (f"/judging/my/{rid}/packet.pdf", f"/judging/my/{rid}/packet.zip", f"/judging/my/{rid}/sheets.pdf"):
        cases += [(None, path, 302), ("author", path, 403), ("stranger", path, 404), ("organiser", path, 403)]
    cases += [
        ("judge", f"/judging/rounds/{rid}/packets/{judges[0].id}.pdf", 403),
        ("author", f"/judging/rounds/{rid}/packets/{judges[0].id}.pdf", 403),
        (None, f"/judging/rounds/{rid}/packets/{judges[0].id}.pdf", 302),
        ("organiser", f"/judging/rounds/{rid}/packets/{stranger.id}.pdf", 404),
        ("organiser", f"/judging/rounds/999999/packets/{judges[0].id}.pdf", 404),
    ]
    refused(app, login, csrf, users, cases, method="get")
    refused(
        app,
        login,
        csrf,
        users,
        [
            ("judge", f"/judging/rounds/{rid}/packets", 403),
            ("author", f"/judging/rounds/{rid}/packets", 403),
            (None, f"/judging/rounds/{rid}/packets", 302),
            ("organiser", "/judging/rounds/999999/packets", 404),
        ],
    )
    # Before the pledge: back to the pledge page.
    client = login(app.test_client(), late_judges[0])
    for kind in ("packet.pdf", "packet.zip"):
        response = client.get(f"/judging/my/{unpledged.id}/{kind}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/judging/my/{unpledged.id}")


def test_organiser_prints_packets_per_judge_and_all_at_once(app, db, login, post, make_user, make_unit, organiser):
    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=3, n_judges=2, k=1)
    client = login(app.test_client(), organiser)
    page = client.get(f"/judging/rounds/{round_.id}").get_data(as_text=True)
    assert f"/judging/rounds/{round_.id}/packets/{judges[0].id}.pdf" in page
    judge_client = login(app.test_client(), judges[0])
    codes = _queue_codes(judge_client, round_.id)

    single = client.get(f"/judging/rounds/{round_.id}/packets/{judges[0].id}.pdf")
    assert single.status_code == 200
    assert f"packet-{round_.id}-judge-{judges[0].id}.pdf" in single.headers["Content-Disposition"]
    assert [next(c for c in codes if c in p) for p in _pages(single.data)] == codes

    response = post(client, f"/judging/rounds/{round_.id}/packets", page=f"/judging/rounds/{round_.id}")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    text = "".join(_pages(download.data))
    # A cover page per judge, then their entries.
    assert all(j.display_name in text for j in judges)
    assert len(_pages(download.data)) == len(judges) + len(entries)


def test_a_big_packet_is_built_by_a_background_job(app, db, login, make_user, make_unit, organiser, monkeypatch):
    from judging import packets

    monkeypatch.setattr(packets, "DIRECT_LIMIT", 1)
    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=3, n_judges=1, k=1)
    client = login(app.test_client(), judges[0])
    response = client.get(f"/judging/my/{round_.id}/packet.pdf")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "阅读材料" in job_page
    job_id = int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200 and len(_pages(download.data)) == 3
    assert f"packet-{round_.id}.pdf" in download.headers["Content-Disposition"]
    # Another judge cannot open it.
    other = login(app.test_client(), make_user("judge", unit=make_unit()))
    assert other.get(f"/jobs/{job_id}/download").status_code == 404


def _sheet_pdf(app, login, judge, round_id):
    client = login(app.test_client(), judge)
    response = client.get(f"/judging/my/{round_id}/sheets.pdf")
    assert response.status_code == 200
    return response.data


def test_score_sheets_name_the_activity_print_whole_points_and_the_submitted_score(
    app, db, login, make_user, make_unit, organiser
):
    from judging import judge_services, round_services
    from judging.models import Assignment

    criteria = [round_services.CriterionInput("立意", 40, step=1), round_services.CriterionInput("语言", 60, step=1)]
    round_, comp, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=4, n_judges=1, k=1, criteria=criteria
    )
    item = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).first()
    judge_services.save_score(item, actor=judges[0], values=values_for(round_, 35, 52), comment="情真意切", submit=True)
    db.session.commit()
    data = _sheet_pdf(app, login, judges[0], round_.id)
    pages = _pages(data)
    text = "".join(pages)
    assert comp.title in text
    assert "40.0" not in text and "步长" not in text and "100.0" not in text
    assert "满分" in text and "40" in text and "100" in text
    # A two-criterion rubric: three entries to a page.
    assert len(pages) == 2
    assert "87" in text and "87.0" not in text and "情真意切" in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "score-sheets.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(ARTIFACTS / "score-sheets.pdf"), str(ARTIFACTS / "score-sheets")],
        check=False,
    )


def test_score_sheets_keep_the_step_where_the_rubric_has_half_points(app, db, login, make_user, make_unit, organiser):
    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=1, k=1)
    text = "".join(_pages(_sheet_pdf(app, login, judges[0], round_.id)))
    assert "步长" in text and "0.5" in text and "30.0" not in text


def test_judge_declares_a_conflict_and_leaves_the_entry(app, db, login, post, make_user, make_unit, organiser):
    from judging.models import Assignment, Conflict

    round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=2, n_judges=3, k=1)
    first = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).first()
    judge = next(j for j in judges if j.id == first.judge_id)
    client = login(app.test_client(), judge)
    code = _queue_codes(client, round_.id)[0]
    page = client.get(f"/judging/my/{round_.id}/e/{code}").get_data(as_text=True)
    assert "申报利益冲突" in page
    url = f"/judging/my/{round_.id}/e/{code}/conflict"
    refused_body = follow(client, post(client, url, {"reason": ""}, page=f"/judging/my/{round_.id}/e/{code}"))
    assert "请填写利益冲突的原因" in refused_body
    body = follow(client, post(client, url, {"reason": "作者是我的学生"}, page=f"/judging/my/{round_.id}/e/{code}"))
    assert code in body and "已登记" in body
    assert code not in _queue_codes(client, round_.id)

    db.session.expire_all()
    (conflict,) = db.session.scalars(select(Conflict).where(Conflict.round_id == round_.id)).all()
    assert conflict.judge_id == judge.id and conflict.reason == "作者是我的学生"
    held = db.session.scalars(select(Assignment).where(Assignment.submission_id == conflict.submission_id)).all()
    assert {(a.judge_id == judge.id, str(a.status)) for a in held} == {(True, "recused"), (False, "assigned")}
    (entry_log,) = audit(db, "judging.conflict_declare")
    assert entry_log.actor_id == judge.id
    # The organiser sees it on the round page.
    office = login(app.test_client(), organiser)
    assert "作者是我的学生" in office.get(f"/judging/rounds/{round_.id}").get_data(as_text=True)
    # An entry of the competition the judge was never given.
    stray = make_entry(db, comp, make_user("author", unit=make_unit()))
    response = post(client, f"/judging/my/{round_.id}/e/{stray.anonymous_code}/conflict", {"reason": "x"}, page="/")
    assert response.status_code == 404


def test_the_pledge_declares_conflicts_as_rows_the_organiser_sees(
    app, db, login, post, make_user, make_unit, organiser
):
    from judging.models import RoundJudge

    round_, comp, judges, entries, _ = setup_round(
        db, make_user, make_unit, organiser, n_entries=2, n_judges=2, accept=False
    )
    old = db.session.scalar(select(RoundJudge).where(RoundJudge.user_id == judges[1].id))
    old.declared_conflicts = "与城关中学有合作"  # a statement written before declarations had rows
    db.session.commit()
    client = login(app.test_client(), judges[0])
    page_url = f"/judging/my/{round_.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert "涉及的姓名或单位" in page and "师生" in page
    url = f"/judging/my/{round_.id}/pledge"
    missing = {"accept": "y", "declarations-0-relation": "", "declarations-0-concerns": "张小明"}
    assert "请选择您与 张小明 的关系" in follow(client, post(client, url, missing, page=page_url))
    rows = {
        "accept": "y",
        "declarations-0-relation": "teacher_student",
        "declarations-0-concerns": "张小明",
        "declarations-1-relation": "colleague",
        "declarations-1-concerns": "临渭区实验中学",
        "declarations-2-relation": "relative",
        "declarations-2-concerns": "",
    }
    follow(client, post(client, url, rows, page=page_url))
    db.session.expire_all()
    member = db.session.scalar(select(RoundJudge).where(RoundJudge.user_id == judges[0].id))
    assert member.pledge_accepted_at is not None
    assert member.declarations == [
        {"relation": "teacher_student", "concerns": "张小明"},
        {"relation": "colleague", "concerns": "临渭区实验中学"},
    ]
    (entry_log,) = audit(db, "judging.pledge_accept")
    assert entry_log.changes["declarations"] == member.declarations
    office = login(app.test_client(), organiser).get(f"/judging/rounds/{round_.id}").get_data(as_text=True)
    assert "师生：张小明" in office and "同事或同单位：临渭区实验中学" in office
    assert "与城关中学有合作" in office

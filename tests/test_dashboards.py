"""The signed-in home page per role (issue #12, "Dashboards per role").

Each role's home shows what waits for it with real data and links to the page that
settles it; other roles do not see those items; the organiser's home costs the same
number of SQL queries however much data there is; authors never see background jobs.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, select

from helpers import import_honours, judging_competition, make_entry, setup_round

NOW = dt.datetime.now(dt.timezone.utc)


def _home(client, login, user) -> str:
    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _current_stage(timeline: str) -> str:
    return re.search(r'tl-stage current">.*?class="tl-label">([^<]+)<', timeline, re.S).group(1)


def _score_all(db, round_, judge) -> None:
    """The judge submits a score for every entry of their share."""
    from judging import judge_services
    from judging.models import Assignment

    mine = select(Assignment).where(Assignment.round_id == round_.id, Assignment.judge_id == judge.id)
    for a in db.session.scalars(mine).all():
        values = {str(c.id): v for c, v in zip(round_.criteria, (30, 20, 20))}
        judge_services.save_score(a, actor=judge, values=values, submit=True)
    db.session.commit()


def _objection(db, rs, name="王投诉"):
    from publishing.models import Objection

    row = Objection(result_set_id=rs.id, real_name=name, phone="13900000000", content="名次有误")
    db.session.add(row)
    db.session.commit()
    return row


def _message(db, rs, status="draft"):
    from publishing.models import MessageStatus, OutboxMessage

    row = OutboxMessage(
        result_set_id=rs.id, recipient="a@example.cn", subject="获奖通知", body="…", status=MessageStatus(status)
    )
    db.session.add(row)
    db.session.commit()
    return row


def _job(db, user, title, status="done", message="Comparing entries", error=None):
    from core.jobs import Job, JobStatus

    job = Job(
        kind="essays.similarity",
        title=title,
        status=JobStatus(status),
        message=message,
        error=error,
        created_by_id=user.id,
        finished_at=NOW,
        progress=1,
        total=1,
    )
    db.session.add(job)
    db.session.commit()
    return job


@pytest.fixture
def office(db, make_user, make_unit, organiser, winner):
    """A round under way with one judge done and one behind, a result set on notice with an
    objection and a message waiting, an entry awaiting review, and a failed job."""
    from essays.models import SubmissionStatus

    round_, comp, judges, entries, _leader = setup_round(
        db, make_user, make_unit, organiser, n_judges=2, k=1, judge_deadline=NOW + dt.timedelta(days=3)
    )
    _score_all(db, round_, judges[0])
    entries[0].status = SubmissionStatus.SUBMITTED
    db.session.commit()
    from publishing.clock import today_local
    from publishing.notice import start_notice

    rs = import_honours(db, organiser, winner, source_id=comp.id)
    start_notice(rs, start=today_local(), length=5, unit="working", how_to_object="实名来电", actor=organiser)
    db.session.commit()
    objection = _objection(db, rs)
    _message(db, rs)
    job = _job(db, organiser, "导出审计日志", status="failed", message="", error="磁盘已满")
    return {"round": round_, "comp": comp, "judges": judges, "rs": rs, "objection": objection, "job": job}


def test_organiser_home_shows_what_needs_action_with_links(client, login, organiser, office):
    html = _home(client, login, organiser)
    round_, comp, judges, rs = office["round"], office["comp"], office["judges"], office["rs"]
    # Judging: the round, its progress, and the judge behind by name (not the one who is done).
    assert f"/judging/rounds/{round_.id}#progress" in html
    assert "初评" in html
    assert judges[1].display_name in html
    assert judges[0].display_name not in html.split('id="judging-progress"')[1].split("</section>")[0]
    # Entries to review, linked to the filtered list.
    assert f"/essays/manage/{comp.id}?status=submitted" in html
    assert "1 篇待审查" in html
    # 公示 window with its end date, the objection and the outbox.
    assert f"/publishing/manage/{rs.id}" in html
    assert rs.notice_last_day.isoformat() in html
    assert f"/publishing/manage/objections/{office['objection'].id}" in html
    assert f"/publishing/manage/{rs.id}/outbox" in html
    # The failed job, with its error, linked to its page.
    assert f"/jobs/{office['job'].id}" in html
    assert "磁盘已满" in html


def test_organiser_home_draws_the_timeline_of_active_activities(client, login, organiser, office):
    html = _home(client, login, organiser)
    timeline = html.split('id="timeline"')[1]
    assert office["comp"].title in timeline
    for stage in ("征稿开始", "截稿", "评审", "公示", "公布"):
        assert stage in timeline
    # The competition's results are on notice: that stage is the current one.
    assert _current_stage(timeline) == "公示"


def test_timeline_lists_nomination_programmes_by_stage(client, login, db, organiser):
    from nominations.models import Programme, ProgrammeStage

    p = Programme(title="临渭标杆评选", honour_title="临渭标杆", year=2026, stage=ProgrammeStage.EXPERT_REVIEW)
    db.session.add(p)
    db.session.commit()
    timeline = _home(client, login, organiser).split('id="timeline"')[1]
    assert "临渭标杆评选" in timeline
    assert f"/nominations/programmes/{p.id}" in timeline
    assert _current_stage(timeline) == "专家评审"


def test_other_roles_do_not_see_the_organisers_items(app, login, make_user, make_unit, office):
    for role in ("author", "coordinator", "judge", "committee"):
        html = _home(app.test_client(), login, make_user(role, unit=make_unit()))
        for marker in ('id="judging-progress"', 'id="publishing-desk"', 'id="essay-review"', 'id="timeline"'):
            assert marker not in html, (role, marker)
        assert "磁盘已满" not in html and "jobs-panel" not in html
    # Nor does a judge see the panels of other roles.
    html = _home(app.test_client(), login, office["judges"][1])
    assert 'id="unit-activities"' not in html and 'id="committee-panel"' not in html


def test_anonymous_home_goes_to_the_public_site_and_jobs_to_login(client, office):
    response = client.get("/")
    assert response.status_code == 302 and "/public" in response.headers["Location"]
    response = client.get("/jobs")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_judge_home_shows_rounds_progress_and_deadline(app, client, login, db, office):
    round_ = office["round"]
    html = _home(client, login, office["judges"][1])
    panel = html.split('id="judge-rounds"')[1].split("</section>")[0]
    assert f"/judging/my/{round_.id}" in panel and "初评" in panel
    assert "已评 0 / 3" in panel
    assert round_.judge_deadline.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d") in panel
    done = _home(app.test_client(), login, office["judges"][0])
    assert "已评 3 / 3" in done


def _tied_round(db, make_user, make_unit, organiser):
    """Two judges score four entries; two of them tie across the first-prize line, for the committee."""
    from judging import award_services, committee_services, judge_services, results
    from judging.models import Assignment

    round_, _, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=4, n_judges=2, k=2)
    by_id = {j.id: j for j in judges}
    totals = {entries[0].id: 38, entries[1].id: 30, entries[2].id: 30, entries[3].id: 10}
    for a in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)):
        values = {str(c.id): v for c, v in zip(round_.criteria, (totals[a.submission_id], 20, 20))}
        judge_services.save_score(a, actor=by_id[a.judge_id], values=values, submit=True)
    award_services.set_scheme(
        round_,
        actor=organiser,
        grouping="all",
        one_award_per_author=True,
        boundary_tie="committee",
        levels=[{"code": "first", "count": 2}, {"code": "second", "count": 1}],
    )
    results.allocate_awards(round_, actor=organiser)
    member = make_user("committee", unit=make_unit())
    committee_services.add_member(round_, member, actor=organiser)
    db.session.commit()
    return round_, member


def test_committee_home_shows_ties_waiting(app, client, login, db, make_user, make_unit, organiser):
    round_, member = _tied_round(db, make_user, make_unit, organiser)
    html = _home(client, login, member)
    panel = html.split('id="committee-panel"')[1].split("</section>")[0]
    assert f"/judging/committee/{round_.id}" in panel and "初评" in panel
    assert "1 处并列待裁定" in panel
    # Another committee member who serves on no round sees none of it; the organiser neither.
    other = _home(app.test_client(), login, make_user("committee", unit=make_unit()))
    assert f"/judging/committee/{round_.id}" not in other
    assert "并列待裁定" not in _home(app.test_client(), login, organiser)


def test_coordinator_home_shows_quota_entries_and_results(client, login, db, make_user, organiser, winner):
    from essays.models import CompetitionStatus

    unit = winner.unit
    coordinator = make_user("coordinator", unit=unit)
    comp = judging_competition(db, organiser)
    comp.status = CompetitionStatus.OPEN
    comp.closes_at = NOW + dt.timedelta(days=5)
    comp.unit_recommendation_enabled, comp.unit_quota = True, 5
    db.session.commit()
    make_entry(db, comp, winner, recommending_unit=unit)
    make_entry(db, comp, make_user("author", unit=unit))
    rs = import_honours(db, organiser, winner, source_id=comp.id + 1000)
    from publishing.demo import replay_closed_notice
    from publishing.results import publish_results

    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    publish_results(rs, organiser)
    db.session.commit()

    html = _home(client, login, coordinator)
    activities = html.split('id="unit-activities"')[1].split("</section>")[0]
    assert comp.title in activities
    assert "1 / 5" in activities  # the quota counts the recommended entry only
    assert "2" in activities
    results = html.split('id="unit-results"')[1].split("</section>")[0]
    assert f"/public/activities/{rs.id}/results" in results
    assert "一等奖 1" in results
    assert "二等奖" not in results  # that winner is not one of the unit's people


def test_authors_never_see_background_jobs(client, login, db, author, organiser):
    _job(db, author, "查重")
    html = _home(client, login, author)
    assert "查重" not in html
    assert "正在比对作品" not in html
    assert "后台任务" not in html


def test_finished_job_reads_finished_not_its_last_step(client, login, db, organiser):
    job = _job(db, organiser, "查重")
    html = _home(client, login, organiser)
    panel = html.split('id="jobs-panel"')[1].split("</section>")[0]
    assert "查重" in panel and "已完成" in panel
    assert "正在比对作品" not in panel
    assert "正在比对作品" not in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert client.get(f"/jobs/{job.id}.json").get_json()["message"] == "已完成"


def _count_queries(app, client) -> int:
    from core.extensions import db

    seen = []

    def count(*_args, **_kw):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _more_of_everything(db, make_user, make_unit, organiser, winner, n):
    from essays.models import SubmissionStatus

    for i in range(n):
        round_, comp, judges, entries, _ = setup_round(db, make_user, make_unit, organiser, n_entries=3, n_judges=2)
        entries[0].status = SubmissionStatus.SUBMITTED
        db.session.commit()
        rs = import_honours(db, organiser, winner, source_id=comp.id)
        from publishing.clock import today_local
        from publishing.notice import start_notice

        start_notice(rs, start=today_local(), length=5, unit="working", how_to_object="实名来电", actor=organiser)
        _objection(db, rs, name=f"投诉人{i}")
        _message(db, rs, "draft")
        _message(db, rs, "failed")
        _job(db, organiser, f"导出{i}", status="failed", message="", error="出错")
    db.session.commit()


def test_organiser_home_costs_a_constant_number_of_queries(
    app, client, login, db, make_user, make_unit, organiser, winner
):
    login(client, organiser)
    _more_of_everything(db, make_user, make_unit, organiser, winner, 1)
    few = _count_queries(app, client)
    _more_of_everything(db, make_user, make_unit, organiser, winner, 4)
    many = _count_queries(app, client)
    html = client.get("/").get_data(as_text=True)
    assert html.count("tl-row") >= 5
    assert many == few, f"{few} queries with one of each, {many} with five"


def test_authors_job_list_leaves_out_the_checks_run_on_their_entries(client, login, db, author):
    from core.jobs import Job

    _job(db, author, "查重")
    db.session.add(Job(kind="audit.export", title="我导出的表", created_by_id=author.id))
    db.session.commit()
    login(client, author)
    html = client.get("/jobs").get_data(as_text=True)
    assert "我导出的表" in html
    assert "查重" not in html


def test_organiser_home_leaves_out_the_other_roles_panels(client, login, organiser, office):
    html = _home(client, login, organiser)
    for marker in ('id="judge-rounds"', 'id="unit-activities"', 'id="unit-results"', 'id="committee-panel"'):
        assert marker not in html, marker


def test_a_notice_window_that_is_over_asks_for_the_results_to_be_published(client, login, db, organiser, winner):
    from publishing.demo import replay_closed_notice

    rs = import_honours(db, organiser, winner)
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
    _message(db, rs, "failed")
    db.session.commit()
    desk = _home(client, login, organiser).split('id="publishing-desk"')[1].split("</section>")[0]
    assert f"/publishing/manage/{rs.id}" in desk
    assert "公示期满，待公布结果" in desk
    assert f"/publishing/manage/{rs.id}/outbox" in desk and "发送失败 1" in desk


def test_judges_behind_are_those_below_the_panels_pace_or_all_with_work_left_once_overdue():
    from judging.dashboard import judges_behind

    shares = [("甲", 4, 4), ("乙", 4, 1), ("丙", 4, 3), ("丁", 0, 0)]
    assert [(b.name, b.left) for b in judges_behind(shares, overdue=False)] == [("乙", 3)]
    assert [(b.name, b.left) for b in judges_behind(shares, overdue=True)] == [("乙", 3), ("丙", 1)]
    assert judges_behind([("甲", 3, 0), ("乙", 3, 0)], overdue=False) == ()  # nobody has started: nobody is behind


def test_coordinator_home_costs_a_constant_number_of_queries(app, client, login, db, make_user, organiser, winner):
    from publishing.demo import replay_closed_notice
    from publishing.results import publish_results

    coordinator = make_user("coordinator", unit=winner.unit)
    login(client, coordinator)

    def add(n, offset):
        for i in range(n):
            comp = judging_competition(db, organiser)
            make_entry(db, comp, winner, recommending_unit=winner.unit)
            rs = import_honours(db, organiser, winner, source_id=offset + i)
            replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="实名来电", actor=organiser)
            publish_results(rs, organiser)
        db.session.commit()

    add(1, 5000)
    few = _count_queries(app, client)
    add(4, 6000)
    many = _count_queries(app, client)
    assert client.get("/").get_data(as_text=True).count("/public/activities/") >= 5
    assert many == few, f"{few} queries with one activity, {many} with five"

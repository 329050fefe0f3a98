"""Entries freeze once judged (issue #9, item 3).

An author may change an entry until it enters an opened judging round (or is
qualified, when the competition says so); then edit, file replacement, draft
autosave and withdrawal are refused through every HTTP route. Opening a round
while the call still accepts entries needs the organiser's confirmation. Every
score records the entry version (and judge-text hash) the judge was shown.
"""

from __future__ import annotations

import hashlib
import io
import re
from html import unescape

import pytest

from helpers import LONG_TEXT, entry_data, form_token, post_entry
from helpers.docs import make_docx

FROZEN = "作品已进入评审，不能再修改"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _submit(app, login, csrf, author, comp, **kw) -> int:
    client = app.test_client()
    login(client, author)
    response = post_entry(client, comp, csrf, **kw)
    assert response.status_code == 302, _text(response)[-600:]
    return int(response.headers["Location"].rstrip("/").split("/")[-2])


def _round_with(db, comp, organiser, judge, entry_ids, *, qualify=True):
    """A 1-judge round over the competition's qualified entries, assigned, still being set up."""
    from essays import review
    from essays.models import Submission
    from judging import assign_services, pool_services, round_services

    if qualify:
        for entry_id in entry_ids:
            review.review_entry(db.session.get(Submission, entry_id), True, actor=organiser)
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=1)
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    pool_services.add_judge(round_, judge, actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    db.session.commit()
    return round_


def _open(app, login, post, organiser, round_id, confirm=True):
    client = app.test_client()
    login(client, organiser)
    data = {"confirm_freeze": "y"} if confirm else {}
    return client, post(client, f"/judging/rounds/{round_id}/state/open", data, page=f"/judging/rounds/{round_id}")


def _author_client(app, login, author):
    client = app.test_client()
    login(client, author)
    return client


def _edit(client, csrf, comp, entry, **kw):
    """POST the edit form of an entry (its token and a CSRF token from the author's list)."""
    data = entry_data(comp, entry.submission_token, **kw)
    data["csrf_token"] = csrf(client, "/essays/mine")
    return client.post(f"/essays/entry/{entry.id}/edit", data=data, content_type="multipart/form-data")


@pytest.fixture
def judge_user(make_user, make_unit):
    return make_user("judge", unit=make_unit())


def _entry(db, entry_id):
    from essays.models import Submission

    db.session.expire_all()
    return db.session.get(Submission, entry_id)


# Before the round opens: everything is allowed ------------------------------------------------


def test_author_edits_replaces_and_withdraws_before_the_round_opens(
    app, client, login, csrf, post, db, author, organiser, judge_user, comp
):
    entry_id = _submit(app, login, csrf, author, comp)
    _round_with(db, comp, organiser, judge_user, [entry_id])  # assigned, but the round is still being set up
    entry = _entry(db, entry_id)
    assert entry.status == "qualified" and entry.version == 1
    writer = _author_client(app, login, author)
    assert writer.get(f"/essays/entry/{entry_id}/edit").status_code == 200
    response = _edit(writer, csrf, comp, entry, title="改过的标题")
    assert response.status_code == 302, _text(response)[-600:]
    entry = _entry(db, entry_id)
    assert entry.title == "改过的标题" and entry.version == 2
    response = _edit(
        writer,
        csrf,
        comp,
        entry,
        title="改过的标题",
        body="",
        upload=(io.BytesIO(make_docx(LONG_TEXT + "新的一段。")), "新稿.docx"),
    )
    assert response.status_code == 302, _text(response)[-600:]
    entry = _entry(db, entry_id)
    assert entry.original_name == "新稿.docx" and entry.version == 3
    # The scrubbed judge copy made by the background job is not an author's change.
    assert entry.judge_file.key.endswith(".docx") and entry.version == 3
    response = writer.post(f"/essays/entry/{entry_id}/withdraw", data={"csrf_token": csrf(writer, "/essays/mine")})
    assert response.status_code == 302
    assert _entry(db, entry_id).status == "withdrawn"


def test_saving_the_same_text_again_keeps_the_version(app, login, csrf, db, author, comp):
    entry_id = _submit(app, login, csrf, author, comp)
    writer = _author_client(app, login, author)
    assert _edit(writer, csrf, comp, _entry(db, entry_id)).status_code == 302
    assert _entry(db, entry_id).version == 1


# After the round opens: frozen ----------------------------------------------------------------


@pytest.fixture
def frozen_entry(app, login, csrf, post, db, author, organiser, judge_user, comp):
    entry_id = _submit(app, login, csrf, author, comp, body="", upload=(io.BytesIO(make_docx(LONG_TEXT)), "原稿.docx"))
    round_ = _round_with(db, comp, organiser, judge_user, [entry_id])
    _, response = _open(app, login, post, organiser, round_.id)
    assert response.status_code == 302
    return _entry(db, entry_id), round_


def test_author_cannot_edit_an_entry_in_an_open_round(app, login, csrf, db, author, comp, frozen_entry):
    entry, _ = frozen_entry
    before = (entry.title, entry.body_text, entry.original_file_id, entry.judge_file_id)
    writer = _author_client(app, login, author)
    # The edit page sends the author back to the entry page, which says why.
    response = writer.get(f"/essays/entry/{entry.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/essays/entry/{entry.id}")
    page = _text(writer.get(f"/essays/entry/{entry.id}"))
    assert FROZEN in page and f"/essays/entry/{entry.id}/edit" not in page
    mine = _text(writer.get("/essays/mine"))
    assert FROZEN in mine and f"/essays/entry/{entry.id}/edit" not in mine
    # A form sent anyway is refused and changes nothing.
    response = _edit(writer, csrf, comp, entry, title="评审期间偷偷改的标题")
    assert response.status_code == 409 and FROZEN in _text(response)
    entry = _entry(db, entry.id)
    assert (entry.title, entry.body_text, entry.original_file_id, entry.judge_file_id) == before


def test_author_cannot_replace_the_file_of_an_entry_in_an_open_round(
    app, login, csrf, db, author, comp, frozen_entry, storage_state
):
    entry, _ = frozen_entry
    files_before = storage_state()
    writer = _author_client(app, login, author)
    response = _edit(
        writer, csrf, comp, entry, body="", upload=(io.BytesIO(make_docx("完全不同的一篇文章。" * 20)), "替换稿.docx")
    )
    assert response.status_code == 409 and FROZEN in _text(response)
    after = _entry(db, entry.id)
    assert after.original_name == "原稿.docx" and after.original_file_id == entry.original_file_id
    assert storage_state() == files_before  # no orphan file from the refused upload


def test_author_cannot_withdraw_an_entry_in_an_open_round(app, login, csrf, db, author, comp, frozen_entry):
    entry, _ = frozen_entry
    writer = _author_client(app, login, author)
    response = writer.post(
        f"/essays/entry/{entry.id}/withdraw", data={"csrf_token": csrf(writer, "/essays/mine")}, follow_redirects=True
    )
    page = _text(response)
    assert "不能撤回" in page and "主办单位" in page
    assert _entry(db, entry.id).status == "qualified"


def test_autosave_of_an_entry_in_an_open_round_is_refused(app, login, csrf, db, author, comp, frozen_entry):
    entry, _ = frozen_entry
    writer = _author_client(app, login, author)
    response = writer.post(
        f"/essays/c/{comp.id}/autosave",
        json={
            "entry_id": entry.id,
            "token": entry.submission_token,
            "title": "改",
            "body": "改过的正文" * 10,
            "genre_id": comp.genres[0].id,
        },
        headers={"X-CSRFToken": csrf(writer, "/essays/mine")},
    )
    assert response.status_code == 409 and not response.json["ok"] and FROZEN in response.json["message"]
    assert _entry(db, entry.id).body_text == entry.body_text


def test_entry_stays_frozen_after_the_round_closes(app, login, csrf, post, db, author, organiser, comp, frozen_entry):
    entry, round_ = frozen_entry
    boss = app.test_client()
    login(boss, organiser)
    assert (
        post(boss, f"/judging/rounds/{round_.id}/state/close", {}, page=f"/judging/rounds/{round_.id}").status_code
        == 302
    )
    writer = _author_client(app, login, author)
    response = _edit(writer, csrf, comp, entry, title="轮次结束后改的标题")
    assert response.status_code == 409 and FROZEN in _text(response)
    assert _entry(db, entry.id).title == entry.title


def test_coordinator_cannot_edit_a_recommended_entry_in_an_open_round(
    app, login, csrf, post, db, make_user, coordinator, organiser, judge_user, comp
):
    member = make_user("author", unit=coordinator.unit)
    unit_client = app.test_client()
    login(unit_client, coordinator)
    path = f"/essays/unit/c/{comp.id}/submit"
    page = _text(unit_client.get(path))

    data = entry_data(comp, form_token(page), member_id=member.id, csrf_token=csrf(unit_client, path))
    response = unit_client.post(path, data=data)
    assert response.status_code == 302, _text(response)[-600:]
    from essays.models import Submission

    entry = db.session.scalars(db.select(Submission).where(Submission.author_id == member.id)).one()
    round_ = _round_with(db, comp, organiser, judge_user, [entry.id])
    _open(app, login, post, organiser, round_.id)
    data = entry_data(comp, entry.submission_token, title="单位改的标题", csrf_token=csrf(unit_client, "/essays/unit"))
    response = unit_client.post(f"/essays/entry/{entry.id}/edit", data=data)
    assert response.status_code == 409 and FROZEN in _text(response)
    response = unit_client.post(
        f"/essays/entry/{entry.id}/withdraw",
        data={"csrf_token": csrf(unit_client, "/essays/unit")},
        follow_redirects=True,
    )
    assert "不能撤回" in _text(response)
    entry = _entry(db, entry.id)
    assert entry.title != "单位改的标题" and entry.status == "qualified"


def test_organiser_still_redacts_a_frozen_entry(app, login, csrf, db, organiser, frozen_entry):
    entry, _ = frozen_entry
    boss = app.test_client()
    login(boss, organiser)
    phrase = LONG_TEXT[:8]
    response = boss.post(
        f"/essays/manage/entry/{entry.id}/redact",
        data={"csrf_token": csrf(boss, f"/essays/manage/entry/{entry.id}"), "phrases": phrase},
    )
    assert response.status_code == 302
    assert phrase not in _text(boss.get(f"/essays/manage/entry/{entry.id}/judge-copy"))
    after = _entry(db, entry.id)
    assert after.body_text == entry.body_text and after.version == 1  # a redaction is not an author's change


# The organiser's option: freeze when qualified ------------------------------------------------


def test_freeze_when_qualified_is_an_organiser_setting(app, login, csrf, db, author, organiser, comp):
    from essays import competitions
    from essays import review as essay_review

    boss = app.test_client()
    login(boss, organiser)
    form = _text(boss.get(f"/essays/manage/{comp.id}/edit"))
    assert 'name="freeze_when_qualified"' in form and "资格审查通过后冻结作品" in form
    entry_id = _submit(app, login, csrf, author, comp)
    essay_review.review_entry(_entry(db, entry_id), True, actor=organiser)
    db.session.commit()
    writer = _author_client(app, login, author)
    # Off (the default): a qualified entry may still be edited.
    assert _edit(writer, csrf, comp, _entry(db, entry_id), title="资格审查后改的").status_code == 302
    entry = _entry(db, entry_id)
    essay_review.review_entry(entry, True, actor=organiser)
    competitions.update_competition(entry.competition, actor=organiser, freeze_when_qualified=True)
    db.session.commit()
    assert "资格审查" in _text(writer.get(f"/essays/c/{comp.id}"))
    response = _edit(writer, csrf, comp, _entry(db, entry_id), title="再改一次")
    assert response.status_code == 409 and FROZEN in _text(response)
    response = writer.post(
        f"/essays/entry/{entry_id}/withdraw", data={"csrf_token": csrf(writer, "/essays/mine")}, follow_redirects=True
    )
    assert "不能撤回" in _text(response)
    entry = _entry(db, entry_id)
    assert entry.title == "资格审查后改的" and entry.status == "qualified"


def test_organiser_sets_freeze_when_qualified_through_the_form(app, login, csrf, db, organiser, comp):
    import re

    boss = app.test_client()
    login(boss, organiser)
    path = f"/essays/manage/{comp.id}/edit"
    page = _text(boss.get(path))
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', page):
        data[name] = "y"
    data["accepted_formats"] = ["text", "docx"]
    data["notice_html"] = "<p>征文通知</p>"
    data["freeze_when_qualified"] = "y"
    data["csrf_token"] = csrf(boss, path)
    response = boss.post(path, data=data)
    assert response.status_code == 302, _text(response)[-1500:]
    db.session.expire_all()
    assert comp.freeze_when_qualified is True


# Opening a round over an open call -----------------------------------------------------------


def test_opening_a_round_over_an_open_call_needs_the_freeze_confirmed(
    app, login, csrf, post, db, author, organiser, judge_user, comp
):
    from judging.models import Round

    entry_id = _submit(app, login, csrf, author, comp)
    round_ = _round_with(db, comp, organiser, judge_user, [entry_id])
    boss = app.test_client()
    login(boss, organiser)
    setup_page = _text(boss.get(f"/judging/rounds/{round_.id}"))
    assert "我确认：参评作品自本轮开始起冻结，不再接受修改" in setup_page
    response = post(
        boss, f"/judging/rounds/{round_.id}/state/open", {}, page=f"/judging/rounds/{round_.id}", follow_redirects=True
    )
    assert "请勾选确认：参评作品自本轮开始起冻结" in _text(response)
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state == "setup"
    assert _entry(db, entry_id).frozen_at is None
    response = post(
        boss, f"/judging/rounds/{round_.id}/state/open", {"confirm_freeze": "y"}, page=f"/judging/rounds/{round_.id}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state == "open"
    assert _entry(db, entry_id).frozen_at is not None


def test_a_round_over_a_closed_call_opens_without_confirmation(
    app, login, csrf, post, db, author, organiser, judge_user, comp
):
    from essays import competitions as essay_competitions
    from judging.models import Round

    entry_id = _submit(app, login, csrf, author, comp)
    essay_competitions.change_status(comp, "closed", actor=organiser)
    db.session.commit()
    round_ = _round_with(db, comp, organiser, judge_user, [entry_id])
    _, response = _open(app, login, post, organiser, round_.id, confirm=False)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state == "open"
    # Reopening the call for an extension does not unfreeze the judged entry.
    essay_competitions.change_status(comp, "open", actor=organiser)
    db.session.commit()
    writer = _author_client(app, login, author)
    response = _edit(writer, csrf, comp, _entry(db, entry_id), title="延期后改的标题")
    assert response.status_code == 409 and FROZEN in _text(response)


def test_entries_submitted_after_the_round_opened_are_not_in_it_until_assigned(
    app, login, csrf, post, db, make_user, author, organiser, judge_user, comp
):
    from essays import review as essay_review
    from judging.models import Assignment

    first = _submit(app, login, csrf, author, comp)
    round_ = _round_with(db, comp, organiser, judge_user, [first])
    boss, _ = _open(app, login, post, organiser, round_.id)
    late_author = make_user("author")
    late = _submit(app, login, csrf, late_author, comp)
    writer = _author_client(app, login, late_author)
    assert _edit(writer, csrf, comp, _entry(db, late), title="开评后提交的作品").status_code == 302
    essay_review.review_entry(_entry(db, late), True, actor=organiser)
    db.session.commit()
    # The organiser sees it in the round's entry list with no judge yet; it is still editable.
    code = _entry(db, late).anonymous_code
    listing = _text(boss.get(f"/judging/rounds/{round_.id}/entries?show=short"))
    assert code in listing
    assert not db.session.scalars(db.select(Assignment).where(Assignment.submission_id == late)).all()
    assert _entry(db, late).frozen_at is None
    # Assigning it into the open round freezes it.
    assert post(boss, f"/judging/rounds/{round_.id}/assign", {}, page=f"/judging/rounds/{round_.id}").status_code == 302
    assert _entry(db, late).frozen_at is not None
    response = _edit(writer, csrf, comp, _entry(db, late), title="分配后再改")
    assert response.status_code == 409 and FROZEN in _text(response)


# Scores record the version the judge read -----------------------------------------------------


def _judge_scores(app, login, post, judge, round_id, code, version, total="80"):
    from core.extensions import db
    from judging.models import Round

    client = app.test_client()
    login(client, judge)
    post(client, f"/judging/my/{round_id}/pledge", {"accept": "y"}, page=f"/judging/my/{round_id}")
    round_ = db.session.get(Round, round_id)
    url = f"/judging/my/{round_id}/e/{code}"
    page = _text(client.get(url))
    assert re.search(f'name="entry_version"[^>]*value="{version}"', page), "the form carries the version shown"
    return client, post(
        client, url, {f"c{round_.criteria[0].id}": total, "action": "submit", "entry_version": str(version)}
    )


def test_a_score_records_the_version_and_text_the_judge_read(
    app, login, csrf, post, db, author, organiser, judge_user, comp
):
    from judging.models import Score

    entry_id = _submit(app, login, csrf, author, comp)
    writer = _author_client(app, login, author)
    assert _edit(writer, csrf, comp, _entry(db, entry_id), title="第二稿").status_code == 302
    round_ = _round_with(db, comp, organiser, judge_user, [entry_id])
    _open(app, login, post, organiser, round_.id)
    entry = _entry(db, entry_id)
    assert entry.version == 2
    _, response = _judge_scores(app, login, post, judge_user, round_.id, entry.anonymous_code, 2)
    assert response.status_code == 302
    db.session.expire_all()
    score = db.session.scalars(db.select(Score)).one()
    assert score.status == "submitted" and score.total == 80
    assert score.entry_version == 2
    expected = hashlib.sha256(f"{entry.judge_title}\n{entry.judge_text}".encode()).hexdigest()
    assert score.text_sha256 == expected


def test_a_score_for_a_version_the_judge_did_not_read_is_refused(
    app, login, csrf, post, db, author, organiser, judge_user, comp
):
    from judging.models import Score

    entry_id = _submit(app, login, csrf, author, comp)
    round_ = _round_with(db, comp, organiser, judge_user, [entry_id])
    _open(app, login, post, organiser, round_.id)
    entry = _entry(db, entry_id)
    client, _ = _judge_scores(app, login, post, judge_user, round_.id, entry.anonymous_code, 1)
    # Should never happen after the freeze; if the entry changes anyway, a page showing version 1 cannot score it.
    entry.version = 2
    db.session.commit()
    url = f"/judging/my/{round_.id}/e/{entry.anonymous_code}"
    response = post(
        client,
        url,
        {f"c{round_.criteria[0].id}": "50", "action": "submit", "entry_version": "1"},
        follow_redirects=True,
    )
    assert "此作品已有变动" in _text(response)
    db.session.expire_all()
    assert db.session.scalars(db.select(Score)).one().total == 80


def test_scores_page_shows_a_score_given_to_an_older_version(
    app, login, csrf, post, db, author, organiser, judge_user, comp
):
    entry_id = _submit(app, login, csrf, author, comp)
    round_ = _round_with(db, comp, organiser, judge_user, [entry_id])
    boss, _ = _open(app, login, post, organiser, round_.id)
    entry = _entry(db, entry_id)
    _judge_scores(app, login, post, judge_user, round_.id, entry.anonymous_code, 1)
    assert "旧版本" not in _text(boss.get(f"/judging/rounds/{round_.id}/scores"))
    entry.version = 2  # the record must show it if an entry ever changes after being scored
    db.session.commit()
    assert "有 1 个评分针对的是作品的旧版本" in _text(boss.get(f"/judging/rounds/{round_.id}/scores"))

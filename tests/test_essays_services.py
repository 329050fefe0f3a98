"""Essay services: states, deadline, idempotent submit, receipts, quotas, identity, similarity."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import UserError
from helpers import LONG_TEXT, now, submit


def test_submit_gives_receipt_code_and_counts(db, comp, author):
    result = submit(comp, author)
    db.session.commit()
    entry = result.entry
    assert entry.receipt_number == f"{comp.code}-0001"
    assert entry.status == "submitted"
    assert len(entry.anonymous_code) == 6 and entry.anonymous_code not in entry.receipt_number
    assert entry.word_count > entry.han_count > 0
    assert entry.judge_file is not None


def test_receipts_are_sequential_and_codes_random(db, comp, make_user):
    entries = [submit(comp, make_user("author"), token=f"tok{i}").entry for i in range(5)]
    db.session.commit()
    assert [e.receipt_number for e in entries] == [f"{comp.code}-{i:04d}" for i in range(1, 6)]
    codes = [e.anonymous_code for e in entries]
    assert len(set(codes)) == 5 and codes != sorted(codes) or len(set(codes)) == 5


def test_same_token_twice_creates_one_entry(db, comp, author, counts):
    first = submit(comp, author, token="same")
    db.session.commit()
    second = submit(comp, author, token="same")
    assert second.duplicate and second.entry.id == first.entry.id
    assert counts() == 1


@pytest.mark.parametrize(
    "text, genre, message",
    [
        ("太短了", 0, "fewer than the minimum of 20"),
        ("诗" * 61, 1, "61 Chinese characters, more than the limit of 60"),
        ("   ", 0, "type the text"),
    ],
)
def test_length_refusals_name_count_and_limit(db, comp, author, counts, text, genre, message):
    with pytest.raises(UserError) as exc:
        submit(comp, author, text=text, genre=genre)
    db.session.rollback()
    assert message in str(exc.value)
    assert counts() == 0


def test_pledge_required(db, comp, author, counts):
    with pytest.raises(UserError):
        submit(comp, author, pledge=False)
    assert counts() == 0


def test_after_deadline_refused_and_draft_kept(db, comp, author, counts):
    from essays import drafts, entry_rules

    draft = drafts.save_draft(
        competition=comp, author=author, token="d1", title="草稿", genre_id=comp.genres[0].id, body_text=LONG_TEXT
    )
    db.session.commit()
    comp.closes_at = now() - dt.timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(entry_rules.DeadlinePassed) as exc:
        submit(comp, author, token="d1")
    db.session.rollback()
    assert "NOT submitted" in str(exc.value)
    db.session.refresh(draft)
    assert draft.status == "draft" and draft.receipt_number is None
    assert counts() == 1


# The deadline is judged at the moment the server received the request: a
# submission that arrived in time but whose saving transaction ran after the
# deadline (it queued behind a rush) is accepted; one that arrived late is not.
@pytest.mark.parametrize(
    "received, accepted",
    [
        (dt.timedelta(seconds=-1), True),  # arrived 1 s before the deadline, saved 2 s after it
        (dt.timedelta(seconds=1), False),  # arrived 1 s after the deadline
        (dt.timedelta(minutes=-30), False),  # "arrived" far too long ago: the saving moment counts
        (None, False),  # no arrival time: the clock inside the saving transaction
    ],
)
def test_deadline_honours_the_moment_the_request_arrived(db, comp, author, counts, received, accepted):
    from essays import entry_rules as essay_entry_rules

    deadline = now() - dt.timedelta(seconds=2)
    comp.closes_at = deadline
    db.session.commit()
    received_at = None if received is None else deadline + received
    if accepted:
        entry = submit(comp, author, received_at=received_at).entry
        db.session.commit()
        assert entry.status == "submitted" and entry.receipt_number
        assert entry.submitted_at == received_at  # the receipt shows when it arrived, not when it was saved
    else:
        with pytest.raises(essay_entry_rules.DeadlinePassed):
            submit(comp, author, received_at=received_at)
        db.session.rollback()
        assert counts() == 0


def test_grace_period_accepts_after_closing_time(db, make_competition, author):
    comp = make_competition(closes_at=now() - dt.timedelta(minutes=5), grace_minutes=10)
    assert submit(comp, author).entry.status == "submitted"


def test_per_author_limit(db, make_competition, author):
    comp = make_competition(max_entries_per_author=1)
    submit(comp, author, token="a")
    db.session.commit()
    with pytest.raises(UserError) as exc:
        submit(comp, author, token="b")
    assert "limit of 1" in str(exc.value)


def test_unit_quota(db, comp, make_user, make_unit, coordinator):
    m1 = make_user("author", unit=coordinator.unit)
    m2 = make_user("author", unit=coordinator.unit)
    r = submit(comp, m1, token="r1", actor=coordinator, recommending_unit=coordinator.unit)
    db.session.commit()
    assert r.entry.recommending_unit_id == coordinator.unit_id and r.entry.submitted_by_id == coordinator.id
    with pytest.raises(UserError) as exc:
        submit(comp, m2, token="r2", actor=coordinator, recommending_unit=coordinator.unit)
    assert "quota of 1" in str(exc.value)


@pytest.mark.parametrize("status, allowed", [("draft", False), ("closed", False), ("judging", False)])
def test_submissions_only_while_open(db, make_competition, author, organiser, status, allowed):
    from essays import competitions

    comp = make_competition(status="draft")
    path = {"draft": [], "closed": ["open", "closed"], "judging": ["open", "closed", "judging"]}[status]
    for s in path:
        competitions.change_status(comp, s, actor=organiser)
    db.session.commit()
    with pytest.raises(UserError):
        submit(comp, author)


@pytest.mark.parametrize("start, target", [("draft", "closed"), ("draft", "judging")])
def test_illegal_transitions(db, make_competition, organiser, start, target):
    from essays import competitions as essay_competitions

    comp = make_competition(status="draft")
    with pytest.raises(UserError):
        essay_competitions.change_status(comp, target, actor=organiser)


def test_no_edits_in_judging(db, comp, organiser):
    from essays import competitions as essay_competitions

    for s in ("closed", "judging"):
        essay_competitions.change_status(comp, s, actor=organiser)
    with pytest.raises(UserError):
        essay_competitions.update_competition(comp, actor=organiser, title="新标题")


def test_review_and_reason(db, comp, author, organiser):
    from essays import review

    entry = submit(comp, author).entry
    with pytest.raises(UserError):
        review.review_entry(entry, False, "", actor=organiser)
    review.review_entry(entry, False, "字数不符", actor=organiser)
    assert entry.status == "disqualified" and entry.disqualify_reason == "字数不符"
    review.review_entry(entry, True, actor=organiser)
    assert entry.status == "qualified" and review.qualified_submissions(comp.id) == [entry]


def test_identity_in_text_is_flagged_and_redacted_for_judges(db, comp, make_user):
    from essays import blind

    author = make_user("author", display_name="王小明", phone="13912345678")
    text = LONG_TEXT + "\n作者：王小明 电话 13912345678"
    entry = submit(comp, author, text=text, title="王小明的家乡").entry
    assert entry.identity_flagged
    view = blind.project(entry)
    assert "王小明" not in view.text + view.title and "13912345678" not in view.text
    assert "王小明" in entry.body_text  # the author's text is untouched
    assert "王小明" not in blind.judge_file_bytes(entry).decode()


def test_organiser_can_keep_a_false_positive_and_redact_more(db, comp, make_user, organiser):
    from essays import review as essay_review

    author = make_user("author", display_name="春风")
    entry = submit(comp, author, text=LONG_TEXT + "\n临渭区第二中学高一(3)班").entry
    assert entry.identity_spans and "春风" in entry.identity_spans[0]["text"]
    essay_review.redact_identity(entry, actor=organiser, keep={0}, extra_phrases=["临渭区第二中学"])
    assert "春风" in entry.judge_text and "临渭区第二中学" not in entry.judge_text


def test_similarity_flags_copied_entry(db, comp, make_user):
    from essays import duplicates

    original = "渭河两岸的春天来得格外早，桃花开满了山坡，农民们忙着春耕，孩子们在田埂上奔跑嬉戏。" * 3
    submit(comp, make_user("author"), text=original, token="s1")
    submit(
        comp, make_user("author"), text=original[:60] + "完全不同的另一段文字，讲述的是城市的夜晚和灯火。", token="s2"
    )
    submit(comp, make_user("author"), text=LONG_TEXT, token="s3")
    flags = duplicates.detect_similarity(comp.id)
    assert len(flags) == 1 and flags[0].containment >= 0.5


def test_withdraw_before_deadline(db, comp, author):
    from essays import drafts as essay_drafts

    entry = submit(comp, author).entry
    essay_drafts.withdraw_entry(entry, actor=author)
    assert entry.status == "withdrawn"
    submit(comp, author, token="again")  # no longer counts against the limit


def test_notice_is_sanitised(db, make_competition):
    comp = make_competition(
        notice_html='<p onclick="x()">通知</p><script>alert(1)</script><a href="javascript:x">a</a>'
    )
    assert "<script" not in comp.notice_html and "onclick" not in comp.notice_html
    assert "javascript" not in comp.notice_html and "<p>通知</p>" in comp.notice_html

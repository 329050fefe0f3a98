"""Per-activity access (承办/协办) on every essays organiser page.

A co-organising department's account (scope OWN) not listed on a competition gets 404 on
each of its organiser pages, actions and exports (the competition is not disclosed); the
same account once listed (``add_organiser``) gets the page. The endpoints are read from the
URL map: a new essays endpoint open to organisers without a row here (or in GLOBAL, with its
documented behaviour) fails ``test_every_organiser_endpoint_has_a_row``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from accounts import activity_access as access
from accounts.models import OrganiserPart
from helpers import LONG_TEXT, han_text, now, submit
from helpers.access import ask, assert_every_endpoint_has_a_row, url_of


@dataclass(frozen=True)
class Row:
    method: str = "GET"
    ok: int = 200  # the status once the account is listed
    data: dict = field(default_factory=dict)
    comp: str = "comp"  # the competition the URL belongs to (the one the account is listed on)


ROWS: dict[str, Row] = {
    "essays.edit_competition": Row(),
    "essays.change_status": Row("POST", 302, data={"status": "closed"}),
    "essays.manage_entries": Row(),
    "essays.bulk_review": Row("POST", 302),
    "essays.manage_entry": Row(),
    "essays.review": Row("POST", 302, data={"decision": "qualify"}),
    "essays.redact": Row("POST", 302),
    "essays.judge_copy": Row(),
    "essays.similarity_flags": Row(),
    "essays.run_similarity": Row("POST", 302),
    "essays.similarity_pair": Row(),
    "essays.export_csv": Row(),
    "essays.export_xlsx": Row(),
    "essays.upload_notice_file": Row("POST", 302),
    "essays.delete_notice_file": Row("POST", 302),
    "essays.unit_quotas": Row(),
    "essays.import_unit_quotas": Row("POST", 302),
    "essays.unit_quota_sheet": Row(),
    # Pages every signed-in role may reach: an organiser reads the entries of their activities only
    "essays.entry_detail": Row(),
    "essays.entry_text": Row(),
    "essays.receipt": Row(),
    "essays.receipt_pdf": Row(),
    "essays.original_file": Row(),
    "essays.competition": Row(comp="draft"),  # a draft call: its organisers only (public once open)
}

# Organiser endpoints that touch no one activity, and what a limited account gets there.
GLOBAL = {
    "essays.competitions": "200, listing only the competitions the account may manage (test below)",
    "essays.create_competition": "200; a competition a limited account creates lists it as 承办 (test below)",
    "essays.notice_preview": "200: renders the posted Markdown, reads no activity",
}


@pytest.fixture
def world(db, make_competition, make_user, organiser):
    from core.storage import store_bytes
    from essays.models import NoticeFile, NoticeFileKind, SimilarityFlag

    comp = make_competition(title="承办单位的征文")
    draft_comp = make_competition(status="draft", code="ZWDRAFT", title="草稿征文")
    author, other = make_user("author"), make_user("author")
    entry = submit(comp, author).entry
    twin = submit(comp, other, text=han_text(300, 7), token="t2").entry
    entry.judge_file = store_bytes(b"judge copy", content_type="text/plain", original_name="A001.txt")
    entry.original_file = store_bytes(LONG_TEXT.encode(), content_type="text/plain", original_name="家乡.txt")
    flag = SimilarityFlag(
        competition_id=comp.id, submission_id=entry.id, other_id=twin.id, jaccard=0.6, containment=0.7, level="review"
    )
    stored = store_bytes(b"%PDF-1.4", content_type="application/pdf", original_name="notice.pdf")
    notice = NoticeFile(kind=NoticeFileKind.NOTICE, stored_file=stored, filename="通知.pdf")
    comp.notice_files.append(notice)
    db.session.add(flag)
    db.session.commit()
    return {
        "comp": comp.id,
        "draft": draft_comp.id,
        "values": {"entry_id": entry.id, "flag_id": flag.id, "file_id": notice.id},
    }


@pytest.mark.parametrize("endpoint", sorted(ROWS))
def test_a_co_organiser_is_refused_on_another_activity_and_served_on_theirs(
    app, db, client, login, csrf, world, organiser, co_organiser, endpoint
):
    row = ROWS[endpoint]
    url = url_of(app, endpoint, {**world["values"], "competition_id": world[row.comp]})
    login(client, co_organiser)
    assert ask(client, csrf, url, row.method, row.data).status_code == 404, url
    access.add_organiser(access.COMPETITION, world[row.comp], co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    db.session.commit()
    response = ask(client, csrf, url, row.method, row.data)
    assert response.status_code == row.ok, (url, response.status_code)


def test_every_organiser_endpoint_has_a_row(app):
    assert_every_endpoint_has_a_row(app, ("essays",), ROWS, GLOBAL)


def test_the_competition_list_shows_only_the_activities_listing_the_account(
    app, db, client, login, make_competition, organiser, co_organiser
):
    ours = make_competition(title="教育局承办的读书征文")
    make_competition(title="文广局承办的摄影征文")
    login(client, co_organiser)
    assert "教育局承办的读书征文" not in client.get("/essays/manage").get_data(as_text=True)
    access.add_organiser(access.COMPETITION, ours.id, co_organiser, OrganiserPart.CO_ORGANISER, actor=organiser)
    db.session.commit()
    page = client.get("/essays/manage").get_data(as_text=True)
    assert "教育局承办的读书征文" in page and "文广局承办的摄影征文" not in page
    # The district department's organiser still sees both.
    page = login(app.test_client(), organiser).get("/essays/manage").get_data(as_text=True)
    assert "教育局承办的读书征文" in page and "文广局承办的摄影征文" in page


def test_the_home_page_review_queue_shows_only_their_activities(
    db, client, login, make_competition, make_user, organiser, co_organiser
):
    ours, theirs = make_competition(title="教育局承办的读书征文"), make_competition(title="文广局承办的摄影征文")
    submit(ours, make_user("author"))
    submit(theirs, make_user("author"), token="t2")
    access.add_organiser(access.COMPETITION, ours.id, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser)
    db.session.commit()
    login(client, co_organiser)
    home = client.get("/").get_data(as_text=True)
    assert "教育局承办的读书征文" in home and "文广局承办的摄影征文" not in home


def test_a_competition_a_limited_account_creates_lists_it(db, co_organiser, organiser):
    from essays import competitions

    comp = competitions.create_competition(
        actor=co_organiser,
        code="ZWJY",
        title="教育局读书征文",
        opens_at=now(),
        closes_at=now() + dt.timedelta(days=30),
        accepted_formats=["text"],
        genres=[{"name": "散文", "min_length": None, "max_length": 3000, "count_rule": "word"}],
    )
    by_district = competitions.create_competition(
        actor=organiser,
        code="ZWQW",
        title="区委宣传部征文",
        opens_at=now(),
        closes_at=now() + dt.timedelta(days=30),
        accepted_formats=["text"],
        genres=[{"name": "散文", "min_length": None, "max_length": 3000, "count_rule": "word"}],
    )
    db.session.commit()
    assert [(r.user_id, r.part) for r in access.organisers_of(access.COMPETITION, comp.id)] == [
        (co_organiser.id, OrganiserPart.UNDERTAKER)
    ]
    assert access.can_organise(co_organiser, access.COMPETITION, comp.id)
    assert access.organisers_of(access.COMPETITION, by_district.id) == []  # the district lists no one

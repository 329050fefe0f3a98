"""The write lock is held only to write (issue #14.1, #10.7), and a submission does little work.

Transactions begin as reads; the first write (or ``begin_write``, or a
``SELECT ... FOR UPDATE``) makes them write transactions: on SQLite the read
ends and ``BEGIN IMMEDIATE`` starts behind the writer queue. ``WriteStats``
counts write transactions in this process, the same in tests as in production.
"""

import threading

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from core.db import WriteStats, begin_write, holds_write_lock
from helpers import entry_data, form_token


def _post_form(client, csrf, comp):
    path = f"/essays/c/{comp.id}/submit"
    data = entry_data(comp, form_token(client.get(path).get_data(as_text=True)))
    data["csrf_token"] = csrf(client, path)
    return lambda: client.post(path, data=dict(data), content_type="multipart/form-data")


def test_a_resent_submission_and_the_sign_in_page_take_no_write_lock(app, db, login, csrf, comp, author):
    client = app.test_client()
    login(client, author)
    send = _post_form(client, csrf, comp)
    before = WriteStats.holds
    first = send()
    assert first.status_code == 302
    assert WriteStats.holds > before  # the entry was written
    before = WriteStats.holds
    again = send()  # the double click: the same form a second time
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert WriteStats.holds == before
    assert app.test_client().get("/login").status_code == 200
    assert WriteStats.holds == before


def test_a_write_transaction_begins_at_the_first_write(db, author):
    from accounts.models import User

    db.session.get(User, author.id)
    assert not holds_write_lock(db.session)
    before = WriteStats.holds
    db.session.get(User, author.id).display_name = "改名"
    db.session.flush()
    assert holds_write_lock(db.session)
    db.session.commit()
    assert WriteStats.holds == before + 1
    assert not holds_write_lock(db.session)
    begin_write(db.session)
    assert holds_write_lock(db.session)
    db.session.rollback()


def test_a_read_overtaken_by_another_writer_still_writes(app, db, author):
    """SQLite: a deferred read whose snapshot another writer made stale cannot upgrade in
    place (SQLITE_BUSY_SNAPSHOT, "database is locked"); the read ends and the write begins anew."""
    from accounts.models import User

    engine = db.engine
    with Session(engine) as reader, Session(engine) as other:
        assert reader.scalar(select(User.display_name).where(User.id == author.id))  # the snapshot begins
        other.execute(text("UPDATE users SET display_name = 'B' WHERE id = :id"), {"id": author.id})
        other.commit()
        reader.execute(text("UPDATE users SET email = 'a@x.cn' WHERE id = :id"), {"id": author.id})
        reader.commit()
    db.session.rollback()  # end this session's own read, begun before the two writes
    row = db.session.execute(select(User.display_name, User.email).where(User.id == author.id)).one()
    assert tuple(row) == ("B", "a@x.cn")


def test_concurrent_writers_all_succeed(app, db, author):
    """Threads that read, then write, at the same time: none fails with "database is locked"."""
    from accounts.models import User

    engine, author_id = db.engine, author.id
    errors, barrier = [], threading.Barrier(6)

    def writer(n):
        try:
            with app.app_context(), Session(engine) as session:
                user = session.get(User, author_id)  # a read first, as every request does
                barrier.wait(timeout=10)
                rename = text("UPDATE users SET display_name = :n WHERE id = :id")
                session.execute(rename, {"n": f"w{n}", "id": user.id})
                session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db.session.rollback()
    assert db.session.scalar(select(User.display_name).where(User.id == author_id)).startswith("w")


@pytest.fixture
def statements(db):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 3)[:3])

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def test_one_submission_inserts_its_row_once_in_few_statements(db, comp, author, statements):
    from essays import submission
    from essays.models import Submission
    from helpers import LONG_TEXT

    db.session.commit()
    draft = submission.SubmissionDraft(
        competition=comp,
        author=author,
        token="few-1",
        title="我的家乡",
        genre_id=comp.genres[0].id,
        group_id=comp.groups[0].id,
        pledge=True,
        body_text=LONG_TEXT,
    )
    statements.clear()
    outcome = submission.submit(draft, actor=author)
    db.session.commit()
    assert not outcome.duplicate
    written = [" ".join(s[:3]).upper() for s in statements]
    assert sum(1 for s in written if s.startswith("INSERT INTO SUBMISSIONS")) == 1
    assert not any(s.startswith("UPDATE SUBMISSIONS") for s in written)
    # 14 before (an INSERT then an UPDATE of the submission, a look-up per
    # anonymous code, the whole row read twice by the form token).
    assert len(statements) <= 9, written
    assert db.session.scalar(select(func.count(Submission.id))) == 1

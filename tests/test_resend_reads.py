"""A double click's second request is answered from the form token alone (issue #14.1, rush2).

At a deadline rush every author's form arrives twice; the resend must cost
little: no form built, no genres or groups read, no file parsed.
"""

from sqlalchemy import event

from helpers import entry_data, form_token


def test_a_resent_form_is_answered_in_three_reads(app, db, login, csrf, comp, author):
    client = app.test_client()
    login(client, author)
    path = f"/essays/c/{comp.id}/submit"
    data = entry_data(comp, form_token(client.get(path).get_data(as_text=True)))
    data["csrf_token"] = csrf(client, path)
    first = client.post(path, data=dict(data), content_type="multipart/form-data")
    assert first.status_code == 302
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()[:6]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        again = client.post(path, data=dict(data), content_type="multipart/form-data")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    # The signed-in user, the competition, the form's use (before: its genres and groups too).
    selects = [s for s in seen if s.upper().startswith("SELECT")]
    assert len(selects) <= 3, seen
    assert not any("competition_genres" in s or "competition_groups" in s for s in seen), seen

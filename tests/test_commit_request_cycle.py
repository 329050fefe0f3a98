"""One request, one transaction (core.request_cycle): commit on success, a UserError in one place.

These tests use no ``db`` fixture: each request gets its own session, as in
production, so a write that nobody commits is really lost at the end of it.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from sqlalchemy import func, select, update

ROOT = pathlib.Path(__file__).resolve().parent.parent
PASSWORD = "Correct-Horse-9"


@pytest.fixture(scope="module")
def cycle_app(app):
    """A second app with a few test routes (the shared app has already served requests)."""
    from flask import Blueprint, get_flashed_messages, url_for

    from accounts import services as accounts_services
    from accounts.models import Unit
    from core import create_app
    from core.errors import UserError
    from core.extensions import db
    from core.i18n_markers import N_
    from core.request_cycle import on_user_error, redirect_either_way

    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JOBS_IMMEDIATE": True,
            "STORAGE_PATH": app.config["STORAGE_PATH"],
            # The limiter is one object shared by every app: keep the run's own storage.
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
            "ARGON2_TIME_COST": 2,
            "ARGON2_MEMORY_COST": 19456,
            "ARGON2_PARALLELISM": 1,
        }
    )
    bp = Blueprint("cycle_test", __name__, url_prefix="/cycle-test")
    refusal = N_("This competition is not accepting entries.")

    def write(name):
        accounts_services.create_unit(name=name, kind="bureau")

    @bp.route("/page")
    def page():
        return "|".join(get_flashed_messages()) or "-"

    @bp.route("/ok")
    def ok():
        write("单位-成功")
        return "saved"

    @bp.route("/bulk")
    def bulk():
        db.session.execute(update(Unit).values(short_name="批量"))
        return "updated"

    @bp.route("/refuse")
    def refuse():
        done = redirect_either_way(url_for("cycle_test.page"))
        write("单位-拒绝")
        raise UserError(refusal)
        return done  # pragma: no cover

    @bp.route("/refuse-json")
    def refuse_json():
        on_user_error(json_status=409)
        write("单位-拒绝")
        raise UserError(refusal)

    @bp.route("/refuse-form")
    def refuse_form():
        on_user_error(lambda: "the form again", status=lambda exc: 422)
        write("单位-拒绝")
        raise UserError(refusal)

    @bp.route("/refuse-undeclared")
    def refuse_undeclared():
        write("单位-拒绝")
        raise UserError(refusal)

    @bp.route("/bad")
    def bad():
        write("单位-失败")
        return "bad input", 400

    other.register_blueprint(bp)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _unit_names(app) -> set[str]:
    from accounts.models import Unit
    from core.extensions import db

    with app.app_context():
        names = set(db.session.scalars(select(Unit.name)))
        db.session.remove()
    return names


def test_a_successful_request_commits_what_it_wrote(app, cycle_app):
    response = cycle_app.test_client().get("/cycle-test/ok")
    assert response.status_code == 200
    assert "单位-成功" in _unit_names(app)


def test_a_bulk_update_without_a_flush_is_committed_too(app, cycle_app):
    cycle_app.test_client().get("/cycle-test/ok")
    assert cycle_app.test_client().get("/cycle-test/bulk").status_code == 200
    from accounts.models import Unit
    from core.extensions import db

    with app.app_context():
        assert db.session.scalar(select(Unit.short_name)) == "批量"
        db.session.remove()


def test_an_error_response_keeps_nothing(app, cycle_app):
    assert cycle_app.test_client().get("/cycle-test/bad").status_code == 400
    assert "单位-失败" not in _unit_names(app)


def test_a_refusal_rolls_back_flashes_and_goes_to_the_declared_page(app, cycle_app):
    client = cycle_app.test_client()
    response = client.get("/cycle-test/refuse")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cycle-test/page")
    assert "单位-拒绝" not in _unit_names(app)
    assert client.get("/cycle-test/page").get_data(as_text=True) == "本次征文当前不接收投稿。"


def test_a_refused_xhr_gets_json_with_its_status(app, cycle_app):
    response = cycle_app.test_client().get("/cycle-test/refuse-json")
    assert response.status_code == 409
    assert response.json == {"ok": False, "message": "本次征文当前不接收投稿。"}
    assert "单位-拒绝" not in _unit_names(app)


def test_a_refused_form_is_shown_again_with_the_declared_status(app, cycle_app):
    client = cycle_app.test_client()
    response = client.get("/cycle-test/refuse-form")
    assert response.status_code == 422 and response.get_data(as_text=True) == "the form again"
    assert client.get("/cycle-test/page").get_data(as_text=True) == "本次征文当前不接收投稿。"
    assert "单位-拒绝" not in _unit_names(app)


def test_an_undeclared_refusal_goes_back_to_the_referring_page_of_this_site_only(app, cycle_app):
    client = cycle_app.test_client()
    back = client.get("/cycle-test/refuse-undeclared", headers={"Referer": "http://localhost/cycle-test/page"})
    assert back.status_code == 302 and back.headers["Location"] == "http://localhost/cycle-test/page"
    foreign = client.get("/cycle-test/refuse-undeclared", headers={"Referer": "https://evil.example/x"})
    assert foreign.status_code == 302 and "evil" not in foreign.headers["Location"]
    assert foreign.headers["Location"].endswith("/cycle-test/refuse-undeclared")
    assert "单位-拒绝" not in _unit_names(app)


def test_a_declaration_does_not_leak_into_the_next_request(app, cycle_app):
    from flask import g

    with cycle_app.app_context():  # one application context around both requests, as in the tests
        client = cycle_app.test_client()
        client.get("/cycle-test/refuse")
        assert g.get("user_error_target") is not None
        response = client.get("/cycle-test/refuse-undeclared")
        assert response.headers["Location"].endswith("/cycle-test/refuse-undeclared")


# --- through the real routes --------------------------------------------------------------------


def test_signing_out_is_stored(app, client, login, csrf):
    from accounts import services
    from accounts.models import UserSession
    from core.extensions import db

    with app.app_context():
        user = services.create_user(
            username="cycle-author", display_name="周期作者", password=PASSWORD, roles=["author"]
        )
        db.session.commit()
        db.session.remove()
    from types import SimpleNamespace

    login(client, SimpleNamespace(username="cycle-author"), password=PASSWORD)
    assert client.post("/logout", data={"csrf_token": csrf(client, "/profile")}).status_code == 302
    with app.app_context():
        revoked = db.session.scalar(select(func.count(UserSession.id)).where(UserSession.revoked_at.is_not(None)))
        db.session.remove()
    assert revoked == 1
    assert user is not None


def test_a_refused_admin_form_keeps_what_was_typed_and_stores_nothing(app, client, login, csrf):
    from accounts import services
    from accounts.models import User
    from core.extensions import db

    with app.app_context():
        services.create_user(username="cycle-admin", display_name="周期管理员", password=PASSWORD, roles=["admin"])
        services.create_user(username="taken", display_name="已有", password=PASSWORD, roles=["author"])
        db.session.commit()
        db.session.remove()
    from types import SimpleNamespace

    login(client, SimpleNamespace(username="cycle-admin"), password=PASSWORD)
    token = csrf(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "username": "taken",
            "display_name": "新名字很特别",
            "password": "Another-Horse-8",
            "roles": ["judge"],
            "unit_id": "0",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "新名字很特别" in html  # the form again, as typed
    with app.app_context():
        names = set(db.session.scalars(select(User.display_name)))
        db.session.remove()
    assert "新名字很特别" not in names


# --- the shape: routes neither catch UserError nor reach private service functions ----------------

ROUTE_MODULES = [
    "accounts/routes.py",
    "accounts/admin.py",
    "essays/routes_author.py",
    "essays/routes_unit.py",
    "essays/routes_organiser.py",
    "essays/view_helpers.py",
    "judging/routes.py",
    "judging/routes_results.py",
    "judging/routes_stats.py",
    "judging/committee.py",
    "publishing/public_routes.py",
    "publishing/manage_routes.py",
    "publishing/certificate_routes.py",
    "core/views.py",
]


def _handlers(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None and "UserError" in ast.unparse(node.type):
            yield node


@pytest.mark.parametrize("path", ROUTE_MODULES)
def test_routes_leave_refusals_and_commits_to_the_request_cycle(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    flashing = [
        node.lineno
        for node in _handlers(tree)
        if any(isinstance(n, ast.Name) and n.id in ("flash", "_fail", "_error") for n in ast.walk(node))
    ]
    assert flashing == [], f"{path} handles a UserError by hand at lines {flashing}"
    private = sorted(
        {
            f"services.{n.attr}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id == "services"
            and n.attr.startswith("_")
        }
    )
    assert private == [], f"{path} calls private service functions: {private}"


# --- submitting is one public service operation ------------------------------------------------


def _open_call(organiser, **kw):
    import datetime as dt

    from essays import competitions

    now = dt.datetime.now(dt.timezone.utc)
    fields = dict(
        code="ZW2031",
        title="周期征文",
        theme="主题",
        notice_html="<p>通知</p>",
        organisers=[{"role": "主办", "name": "区委宣传部"}],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        grace_minutes=0,
        max_entries_per_author=2,
        unit_recommendation_enabled=False,
        unit_quota=0,
        accepted_formats=["text", "txt"],
        max_file_mb=1,
        pledge_text="本人承诺作品为原创。",
        review_threshold=0.5,
        copy_threshold=0.8,
    )
    fields.update(kw)
    comp = competitions.create_competition(
        actor=organiser,
        genres=[{"name": "散文", "min_length": 20, "max_length": 3000, "count_rule": "word"}],
        groups=[],
        **fields,
    )
    competitions.change_status(comp, "open", actor=organiser)
    return comp


def test_submit_takes_a_draft_and_answers_a_resend_with_the_first_entry(db, organiser, author):
    from essays import submission
    from essays.models import Submission

    comp = _open_call(organiser)
    db.session.commit()
    draft = submission.SubmissionDraft(
        competition=comp,
        author=author,
        token="cycle-1",
        title="我的家乡",
        genre_id=comp.genres[0].id,
        group_id=None,
        pledge=True,
        body_text="春风又绿渭河岸，我站在老城墙上眺望远方。" * 5,
    )
    first = submission.submit(draft, actor=author)
    db.session.commit()
    assert not first.duplicate and first.receipt_number == "ZW2031-0001"
    again = submission.submit(draft, actor=author)
    assert again.duplicate and again.entry_id == first.entry_id
    assert db.session.scalar(select(func.count(Submission.id))) == 1


def test_submit_refusals_carry_their_status(db, organiser, author):
    from core.errors import UserError
    from essays import preparation
    from essays import submission as essay_submission

    comp = _open_call(organiser)
    db.session.commit()
    big = essay_submission.SubmissionDraft(
        competition=comp,
        author=author,
        token="cycle-2",
        title="大文件",
        genre_id=comp.genres[0].id,
        group_id=None,
        pledge=True,
        upload=preparation.Upload("big.txt", b"x" * (1024 * 1024 + 1), "text/plain"),
    )
    with pytest.raises(UserError) as too_large:
        essay_submission.submit(big, actor=author)
    assert essay_submission.refusal_status(too_large.value) == 413
    unpledged = essay_submission.SubmissionDraft(
        competition=comp,
        author=author,
        token="cycle-3",
        title="未承诺",
        genre_id=comp.genres[0].id,
        group_id=None,
        pledge=False,
        body_text="春风又绿渭河岸，我站在老城墙上眺望远方。" * 5,
    )
    with pytest.raises(UserError) as bad_input:
        essay_submission.submit(unpledged, actor=author)
    assert essay_submission.refusal_status(bad_input.value) == 422

"""Zhengping (征评): the application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

# core.audit, core.jobs and core.storage hold core's models, core.tasks its job handlers.
# ``extensions.db``, never ``from core.extensions import db`` here: the name would hide
# the module ``core.db`` (``core.db.UTCDateTime`` in the migrations).
from core import audit, errors_views, extensions, i18n, jobs, limits, navigation, security, storage, tasks  # noqa: F401
from core.cli import register_cli
from core.config import load_config
from core.db import configure_engine, engine_options
from core.extensions import babel, csrf, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# The composition root: core sits below the feature packages, so it imports them
# here, when the app is built, not at the top of the file (that would be a cycle).
# Each package is named explicitly in the three functions below; a new package
# adds a line to each.


def import_models() -> None:
    """Every package's models, so that Alembic and the tests see the whole schema.

    Core's own models (audit log, jobs, stored files) are imported at the top.
    Order follows the one-way imports between packages.
    """
    import accounts.messages  # noqa: F401  (also e-mails the outbox every five minutes in the worker)
    import accounts.models  # noqa: F401
    import essays.models  # noqa: F401
    import judging.models  # noqa: F401
    import nominations.models  # noqa: F401
    import publishing.models  # noqa: F401


def import_job_handlers() -> None:
    """Every package's job handlers (``@job_handler`` registers them on import).

    Core's own (``core.tasks``) are imported at the top.
    """
    import essays.jobs  # noqa: F401
    import judging.jobs  # noqa: F401
    import nominations.jobs  # noqa: F401
    import publishing.jobs  # noqa: F401


def register_hooks() -> None:
    """What features add to accounts' services, which import no feature package: their kinds
    in the one outbox (``accounts.outbox``) and their sections of a person's data download
    (``accounts.personal_data``). Accounts' own kinds and sections are built in."""
    from accounts import outbox, personal_data
    from essays.personal_data import ENTRIES
    from publishing.outbox import RESULT_MAILS

    outbox.register(RESULT_MAILS)
    personal_data.register_section(ENTRIES)


def register_blueprints(app: Flask) -> None:
    """The web pages, imported only when the app serves them: the job worker
    (``create_app(views=False)``) loads no blueprint, see ``tests/test_wiring_jobs.py``.
    A blueprint whose routes span several modules imports each one here.
    """
    # A blueprint whose pages span several modules (by audience) gets them by importing each.
    import accounts.routes_activity  # noqa: F401
    import accounts.routes_messages  # noqa: F401
    import accounts.routes_privacy  # noqa: F401
    import essays.routes_author  # noqa: F401
    import essays.routes_notice  # noqa: F401
    import essays.routes_organiser  # noqa: F401
    import essays.routes_share  # noqa: F401
    import essays.routes_unit  # noqa: F401
    import essays.routes_unit_quotas  # noqa: F401
    import judging.routes_judge  # noqa: F401
    import judging.routes_notices  # noqa: F401
    import judging.routes_packets  # noqa: F401
    import judging.routes_stats  # noqa: F401
    import nominations.dashboard  # noqa: F401
    import nominations.routes_committee  # noqa: F401
    import nominations.routes_office  # noqa: F401
    import nominations.routes_print  # noqa: F401
    import nominations.routes_programmes  # noqa: F401
    import nominations.routes_public  # noqa: F401
    import nominations.routes_review  # noqa: F401
    import nominations.routes_stages  # noqa: F401
    import nominations.routes_unit  # noqa: F401
    import publishing.archive_routes  # noqa: F401
    import publishing.certificate_routes  # noqa: F401
    import publishing.manage_routes  # noqa: F401
    import publishing.objection_routes  # noqa: F401
    import publishing.public_routes  # noqa: F401
    from accounts import activity_access
    from accounts import admin as accounts_admin
    from accounts import routes as accounts_routes
    from core import views as core_views
    from essays import public_calls as essays_public_calls
    from essays import view_helpers as essays_views
    from judging import routes as judging_routes
    from judging import routes_privacy as judging_privacy
    from nominations.blueprint import bp as nominations_bp
    from publishing import calls as publishing_calls
    from publishing.blueprint import bp as publishing_bp

    for blueprint in (
        core_views.bp,
        accounts_routes.bp,
        accounts_admin.bp,
        essays_views.bp,
        judging_routes.bp,
        judging_privacy.bp,
        nominations_bp,
        publishing_bp,
    ):
        app.register_blueprint(blueprint)
    # The calls for entries on publishing's public site, from the packages that run them.
    publishing_calls.register(app, essays_public_calls)
    # The activities accounts' organiser pages name (accounts knows no feature package).
    activity_access.register_activity_type(activity_access.COMPETITION, essays_views.describe_competition)
    activity_access.register_activity_type(activity_access.PROGRAMME, nominations.dashboard.describe_programme)
    navigation.set_site_wide_rule(activity_access.manages_all)


def create_app(config: dict | None = None, *, views: bool = True) -> Flask:
    """The application. ``views=False`` builds it for the job worker, without
    the web pages (their URL table is loaded when a job first builds a link,
    see ``core.urls``).
    """
    instance_path = (
        (config or {}).get("INSTANCE_PATH") or os.environ.get("ZP_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    os.makedirs(app.config["STORAGE_PATH"], exist_ok=True)

    import_models()
    db = extensions.db
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True, render_as_batch=True)
    # Before CSRF protection: an oversized or slow body is answered 413/408.
    limits.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )
    i18n.init_app(app)
    security.init_app(app)

    with app.app_context():
        configure_engine(db.engine)

    from accounts import auth

    auth.init_app(app, login_manager)

    jobs.init_app(app)
    import_job_handlers()
    register_hooks()
    if views:
        register_blueprints(app)

    errors_views.init_app(app)
    navigation.init_app(app)
    register_cli(app)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    # WeasyPrint reports every layout step at INFO; only its warnings matter.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    return app

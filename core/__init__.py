"""Zhengping (征评): the application factory."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Models of every package, imported so that Alembic and the tests see the
# whole schema. Order follows the one-way imports between packages.
MODEL_MODULES = (
    "accounts.models",
    "core.audit",
    "core.storage",
    "core.jobs",
    "essays.models",
    "judging.models",
    "publishing.models",
    "nominations.models",
)

BLUEPRINTS = (
    ("core.views", "bp"),
    ("accounts.routes", "bp"),
    ("accounts.admin", "bp"),
    ("essays.routes", "bp"),
    ("judging.routes", "bp"),
    ("publishing.routes", "bp"),
    ("nominations.routes", "bp"),
)


def import_models() -> None:
    import importlib

    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def create_app(config: dict | None = None) -> Flask:
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("ZP_INSTANCE_PATH") \
        or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    from core.config import load_config

    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    from core.db import engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    os.makedirs(app.config["STORAGE_PATH"], exist_ok=True)

    from core.extensions import babel, csrf, db, limiter, login_manager, migrate

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True,
                     render_as_batch=True)
    from core import limits

    # Before CSRF protection: an oversized or slow body is answered 413/408.
    limits.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from core import i18n, security

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(PROJECT_ROOT / "translations"))
    i18n.init_app(app)
    security.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from core.db import configure_sqlite

            configure_sqlite(db.engine)

    from accounts import auth

    auth.init_app(app, login_manager)

    from core.jobs import configure_jobs

    configure_jobs(app)

    import importlib

    for module_name, attr in BLUEPRINTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.register_blueprint(getattr(module, attr))

    from core import errors_views, navigation
    from core.cli import register_cli

    errors_views.init_app(app)
    navigation.init_app(app)
    register_cli(app)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    # WeasyPrint reports every layout step at INFO; only its warnings matter.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    return app

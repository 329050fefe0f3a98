"""Configuration read from the environment, with safe defaults for one machine.

Every setting can be given as an environment variable of the same name. The
secret key is never hard-coded: when ``SECRET_KEY`` is not set, a random key is
generated once into the instance folder and reused on later starts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def instance_secret_key(instance_path: str) -> str:
    """Read the instance secret key, creating it (mode 0600) on first use."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(instance_path: str, env: os._Environ[str] | dict[str, str] | None = None) -> dict:
    env = os.environ if env is None else env
    instance = Path(instance_path)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'zhengping.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://") :]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    redis_url = env.get("REDIS_URL") or None
    https = _bool(env.get("ZP_HTTPS"), False)
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # pool_pre_ping: a connection that died while the database was away is
        # replaced on its next use, so the app recovers without a restart.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Seconds. A database that drops packets must not hang requests for
        # ever: connecting and each statement give up after these (PostgreSQL;
        # SQLite has its busy timeout).
        "DATABASE_CONNECT_TIMEOUT": _int(env.get("DATABASE_CONNECT_TIMEOUT"), 5),
        "DATABASE_STATEMENT_TIMEOUT": _int(env.get("DATABASE_STATEMENT_TIMEOUT"), 30),
        "REDIS_URL": redis_url,
        "STORAGE_PATH": env.get("STORAGE_PATH") or str(instance / "storage"),
        "JOBS_DB": env.get("JOBS_DB") or str(instance / "jobs.db"),
        "JOBS_IMMEDIATE": _bool(env.get("JOBS_IMMEDIATE"), False),
        "MAX_CONTENT_LENGTH": _int(env.get("MAX_UPLOAD_MB"), 20) * 1024 * 1024,
        # Request bodies by route (see core/limits.py): the upload limit above
        # only for file uploads; ordinary forms, sign-in forms and the essay
        # autosave get much less. One text field of a multipart form may hold
        # a manuscript of MAX_TEXT_CHARS characters.
        "MAX_FORM_BYTES": _int(env.get("MAX_FORM_KB"), 1024) * 1024,
        "MAX_SIGNIN_BYTES": _int(env.get("MAX_SIGNIN_KB"), 16) * 1024,
        "MAX_TEXT_BYTES": _int(env.get("MAX_TEXT_KB"), 2048) * 1024,
        "MAX_FORM_MEMORY_SIZE": _int(env.get("MAX_TEXT_KB"), 2048) * 1024,
        # The body must arrive within this many seconds plus one second per
        # REQUEST_BODY_MIN_RATE bytes, or the request is refused with 408.
        "REQUEST_BODY_TIMEOUT": _int(env.get("REQUEST_BODY_TIMEOUT"), 30),
        "REQUEST_BODY_MIN_RATE": _int(env.get("REQUEST_BODY_MIN_RATE_KB"), 50) * 1024,
        # Manuscripts: far above any genre's length limit, far below what
        # would take the server's memory or fill a page.
        "MAX_TEXT_CHARS": _int(env.get("MAX_TEXT_CHARS"), 200_000),
        "MAX_PDF_PAGES": _int(env.get("MAX_PDF_PAGES"), 300),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int(env.get("MAIL_PORT"), 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_SENDER": env.get("MAIL_SENDER") or "zhengping@localhost",
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000",
        # Sessions and cookies.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "ZP_HTTPS": https,
        # A form left open for hours must still submit: the CSRF token lives as
        # long as the session instead of expiring after an hour.
        "WTF_CSRF_TIME_LIMIT": None,
        # Rate limits: Redis when several machines share them, memory otherwise.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT") or "5 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS") or "30 per 15 minutes",
        "REGISTER_LIMIT_PER_ADDRESS": env.get("REGISTER_LIMIT_PER_ADDRESS") or "10 per hour",
        "OBJECTION_LIMIT_PER_ADDRESS": env.get("OBJECTION_LIMIT_PER_ADDRESS") or "5 per hour",
        "VERIFY_LIMIT_PER_ADDRESS": env.get("VERIFY_LIMIT_PER_ADDRESS") or "20 per hour",
        # Password recovery: how long a reset link works, and how often it may be asked for.
        "PASSWORD_RESET_MINUTES": _int(env.get("PASSWORD_RESET_MINUTES"), 30),
        "PASSWORD_RESET_ISSUED_HOURS": _int(env.get("PASSWORD_RESET_ISSUED_HOURS"), 24),
        "RESET_LIMIT_PER_ADDRESS": env.get("RESET_LIMIT_PER_ADDRESS") or "10 per hour",
        "RESET_LIMIT_PER_ACCOUNT": env.get("RESET_LIMIT_PER_ACCOUNT") or "3 per hour",
        # Reverse proxies in front of the app that append X-Forwarded-For and set
        # X-Forwarded-Proto. 0 trusts no header: the peer address is the client.
        "ZP_TRUSTED_PROXIES": max(0, _int(env.get("ZP_TRUSTED_PROXIES"), 0)),
        # Argon2id: RFC 9106 second recommendation; OWASP's floor is m=19 MiB, t=2, p=1.
        "ARGON2_TIME_COST": _int(env.get("ARGON2_TIME_COST"), 3),
        "ARGON2_MEMORY_COST": _int(env.get("ARGON2_MEMORY_COST"), 65536),
        "ARGON2_PARALLELISM": _int(env.get("ARGON2_PARALLELISM"), 4),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_Hans_CN", "en"],
        "DISPLAY_TIMEZONE": "Asia/Shanghai",
    }

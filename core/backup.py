"""Backup and restore of the database together with the stored files.

SQLite: the online backup API copies a consistent snapshot while the app runs.
PostgreSQL: ``pg_dump`` in the custom format (a consistent snapshot too).
Files are stored under write-once generated names, so copying them after the
database snapshot captures every file the snapshot refers to.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from core.extensions import db


def _db_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _pg_args(url) -> tuple[list[str], dict]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def backup(target: str) -> str:
    url = _db_url()
    target = str(Path(target).with_suffix("")) + ".tar.gz" if not target.endswith(".tar.gz") else target
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if url.get_backend_name() == "sqlite":
            dump = tmp / "database.sqlite3"
            src = sqlite3.connect(url.database)
            dst = sqlite3.connect(dump)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            dump = tmp / "database.pgdump"
            args, env = _pg_args(url)
            subprocess.run(["pg_dump", "-Fc", "-f", str(dump), *args, url.database], check=True, env=env)
        manifest = {"created": dt.datetime.now(dt.timezone.utc).isoformat(), "backend": url.get_backend_name(),
                    "database_file": dump.name}
        with tarfile.open(target, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            storage = Path(current_app.config["STORAGE_PATH"])
            if storage.exists():
                tar.add(storage, arcname="storage")
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def restore(source: str) -> None:
    url = _db_url()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with tarfile.open(source, "r:gz") as tar:
            tar.extractall(tmp, filter="data")
        manifest = json.loads((tmp / "manifest.json").read_text())
        if manifest["backend"] != url.get_backend_name():
            raise RuntimeError(f"backup is for {manifest['backend']}, this app uses {url.get_backend_name()}")
        db.session.remove()
        db.engine.dispose()
        dump = tmp / manifest["database_file"]
        if url.get_backend_name() == "sqlite":
            src = sqlite3.connect(dump)
            dst = sqlite3.connect(url.database)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            args, env = _pg_args(url)
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", url.database, *args,
                            str(dump)], check=True, env=env)
        storage = Path(current_app.config["STORAGE_PATH"])
        if storage.exists():
            shutil.rmtree(storage)
        if (tmp / "storage").exists():
            shutil.copytree(tmp / "storage", storage)
        else:
            storage.mkdir(parents=True)

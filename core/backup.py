"""Backup and restore of the database together with the stored files.

SQLite: the online backup API copies a consistent snapshot while the app runs.
PostgreSQL: ``pg_dump`` in the custom format (a consistent snapshot too).
Files are stored under write-once generated names, so copying them after the
database snapshot captures every file the snapshot refers to; files that are
still being written (temporary names) or vanish meanwhile (a rolled-back
upload) are left out.

The archive is written under a temporary name beside the target, read back
and checked against its manifest (a SHA-256 per member), and only then
renamed into place: a failed or interrupted backup never leaves a file that
looks like a backup. ``restore`` checks the same before replacing anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from core.extensions import db
from core.storage import TEMP_PREFIX, fsync_dir  # TEMP_PREFIX: files being written; never backed up


def _db_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _pg_args(url) -> tuple[list[str], dict]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    env = dict(os.environ)
    # pg_dump/pg_restore must not wait for ever on a database that drops packets.
    env.setdefault("PGCONNECT_TIMEOUT", str(max(2, int(current_app.config.get("DATABASE_CONNECT_TIMEOUT") or 5))))
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


class BackupError(RuntimeError):
    """The backup could not be written or did not verify; nothing was left at the target."""


def _dump_database(url, tmp: Path) -> Path:
    if url.get_backend_name() == "sqlite":
        dump = tmp / "database.sqlite3"
        src = sqlite3.connect(url.database, timeout=30)
        dst = sqlite3.connect(dump)
        try:
            with dst:
                src.backup(dst)
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("the database copy failed its integrity check")
        finally:
            src.close()
            dst.close()
        return dump
    dump = tmp / "database.pgdump"
    args, env = _pg_args(url)
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), *args, url.database], check=True, env=env)
    return dump


def _storage_files(storage: Path):
    """Every stored file, skipping temporary ones; tolerant of files vanishing."""
    for folder, subfolders, names in os.walk(storage):  # a folder that vanishes is skipped
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(TEMP_PREFIX))
        for name in sorted(names):
            if not name.startswith(TEMP_PREFIX):
                yield Path(folder) / name


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> str | None:
    """Add one file as it is at the moment it is opened; None if it vanished first."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return None
    with fh:
        info = tar.gettarinfo(arcname=arcname, fileobj=fh)
        if not info.isreg():
            return None
        digest = hashlib.sha256()
        tar.addfile(info, _HashingReader(fh, digest))
    return digest.hexdigest()


class _HashingReader:
    def __init__(self, fh, digest) -> None:
        self.fh = fh
        self.digest = digest

    def read(self, size=-1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_archive(path: str | os.PathLike) -> dict:
    """Read the whole archive back and check it against its manifest.

    Returns the manifest; raises ``BackupError`` for a truncated, corrupt or
    incomplete archive.
    """
    try:
        with tarfile.open(path, "r|gz") as tar:  # one pass, every byte read (gzip checks its CRC)
            manifest = None
            digests: dict[str, str] = {}
            for member in tar:
                if not member.isreg():
                    continue
                fh = tar.extractfile(member)
                if member.name == "manifest.json":
                    manifest = json.loads(fh.read())
                    continue
                digest = hashlib.sha256()
                for chunk in iter(lambda fh=fh: fh.read(1024 * 1024), b""):
                    digest.update(chunk)
                digests[member.name] = digest.hexdigest()
    except (OSError, EOFError, tarfile.TarError, zlib.error, ValueError) as exc:
        raise BackupError(f"the archive is unreadable: {exc}") from exc
    if manifest is None:
        raise BackupError("the archive has no manifest")
    if manifest.get("database_file") not in digests:
        raise BackupError("the archive has no database")
    expected = manifest.get("files")
    if expected is not None and digests != expected:  # older backups have no list of files
        missing = sorted(set(expected) ^ set(digests)) or sorted(k for k in expected if expected[k] != digests[k])
        raise BackupError(f"the archive does not match its manifest: {', '.join(missing[:5])}")
    return manifest


def backup(target: str) -> str:
    """Write the backup to a temporary name beside TARGET, verify it, then rename it.

    A failure (a full disk, an interrupted run) leaves no file at TARGET that
    could pass for a backup, and an earlier backup there stays untouched.
    """
    url = _db_url()
    target = str(Path(target).with_suffix("")) + ".tar.gz" if not target.endswith(".tar.gz") else target
    target_path = Path(target).resolve()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    # Mode 0600: the archive holds every manuscript and account.
    fd, partial = tempfile.mkstemp(
        dir=target_path.parent, prefix=f"{TEMP_PREFIX}{target_path.name}.", suffix=".partial"
    )
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            dump = _dump_database(url, Path(tmp))
            files = {dump.name: _sha256(dump)}
            with open(partial, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    tar.add(dump, arcname=dump.name)
                    storage = Path(current_app.config["STORAGE_PATH"])
                    if storage.exists():
                        for path in _storage_files(storage):
                            arcname = "storage/" + path.relative_to(storage).as_posix()
                            digest = _add_file(tar, path, arcname)
                            if digest is not None:
                                files[arcname] = digest
                    manifest = {
                        "created": dt.datetime.now(dt.timezone.utc).isoformat(),
                        "backend": url.get_backend_name(),
                        "database_file": dump.name,
                        "files": files,
                    }
                    data = json.dumps(manifest).encode()
                    info = tarfile.TarInfo("manifest.json")
                    info.size = len(data)
                    info.mtime = int(dt.datetime.now().timestamp())
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
        verify_archive(partial)
        os.replace(partial, target_path)
        fsync_dir(target_path.parent)
    except BaseException:
        try:
            os.unlink(partial)
        except FileNotFoundError:
            pass
        raise
    return target


def restore(source: str) -> None:
    url = _db_url()
    verify_archive(source)  # a truncated or incomplete archive replaces nothing
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
            subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", url.database, *args, str(dump)],
                check=True,
                env=env,
            )
        storage = Path(current_app.config["STORAGE_PATH"])
        if storage.exists():
            shutil.rmtree(storage)
        if (tmp / "storage").exists():
            shutil.copytree(tmp / "storage", storage)
        else:
            storage.mkdir(parents=True)

"""Private file storage outside ``static/``.

Files are stored under generated names and served only by permission-checked
views. ``Storage`` is the interface; ``LocalStorage`` keeps files in a folder
(which can be a shared mount when the app runs on several machines), and any
other store (S3-compatible, NFS with a different layout) only needs the same
four methods.

Files written inside a database transaction are tied to it: when the
transaction rolls back, the files it wrote are deleted, so a failed submission
leaves no orphan file. ``flask storage-gc`` removes files left by a crash
between writing and committing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO, Protocol

from flask import current_app, send_file
from sqlalchemy import ForeignKey, Integer, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.utils import get_content_type

from core.db import UTCDateTime, utcnow
from core.extensions import db

# Files being written carry this prefix until they are renamed into place.
TEMP_PREFIX = ".tmp-"


class Storage(Protocol):
    def write(self, key: str, data: bytes) -> None: ...
    def write_file(self, key: str, source: BinaryIO) -> None: ...
    def read(self, key: str) -> bytes: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def keys(self): ...


def fsync_dir(path: Path) -> None:
    """Make a rename durable: the folder entry must reach the disk too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStorage:
    """Files in a folder; writes are atomic (temporary file, fsync, rename)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or ".." in key.split("/") or key.startswith("/"):
            raise ValueError("invalid storage key")
        return self.root / key

    def write(self, key: str, data: bytes) -> None:
        self.write_file(key, io.BytesIO(data))

    def write_file(self, key: str, source: BinaryIO) -> None:
        """Copy a (large) file in without holding it in memory."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                shutil.copyfileobj(source, fh, 1024 * 1024)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            fsync_dir(path.parent)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def temp_path(self, suffix: str = "") -> str:
        """A new empty file inside the store, for ``adopt``: on the same file system, so
        adopting it is a rename. Its name marks it temporary until then (a crash leaves it
        to ``remove_stale_temporaries``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=TEMP_PREFIX, suffix=suffix)
        os.close(fd)
        return tmp

    def adopt(self, key: str, path: str | os.PathLike) -> None:
        """Move a finished file in under ``key`` without copying it: fsync, rename, fsync the folder."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(path, target)
        fsync_dir(target.parent)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self):
        if not self.root.exists():
            return
        for path in self.root.rglob("*"):
            if path.name.startswith(TEMP_PREFIX):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:  # deleted while we looked (a rollback)
                continue
            if S_ISREG(stat.st_mode):
                yield path.relative_to(self.root).as_posix(), dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc)

    def remove_stale_temporaries(self, cutoff: dt.datetime) -> list[str]:
        """Delete temporary files older than ``cutoff``: writes cut short by a crash."""
        removed = []
        if not self.root.exists():
            return removed
        for path in self.root.rglob(TEMP_PREFIX + "*"):
            try:
                stat = path.stat()
                if S_ISREG(stat.st_mode) and stat.st_mtime < cutoff.timestamp():
                    path.unlink()
                    removed.append(path.relative_to(self.root).as_posix())
            except FileNotFoundError:  # renamed into place or removed meanwhile
                continue
        return removed


class StoredFile(db.Model):
    """A stored file's record: the key on disk and what to call it for people."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def get_storage() -> Storage:
    app = current_app._get_current_object()
    store = app.extensions.get("zp_storage")
    if store is None:
        store = LocalStorage(app.config["STORAGE_PATH"])
        app.extensions["zp_storage"] = store
    return store


def new_key(suffix: str = "") -> str:
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}{suffix}"


def store_bytes(
    data: bytes, *, content_type: str, original_name: str = "", suffix: str = "", created_by=None
) -> StoredFile:
    """Write bytes and add their record to the session; undone on rollback."""
    storage = get_storage()
    key = new_key(suffix)
    storage.write(key, data)
    pending = db.session.info.setdefault("zp_pending_files", [])
    pending.append((storage, key))
    record = StoredFile(
        key=key,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type,
        original_name=original_name[:255],
        created_by_id=getattr(created_by, "id", None),
    )
    db.session.add(record)
    return record


def store_path(
    path: str | os.PathLike, *, content_type: str, original_name: str = "", suffix: str = "", created_by=None
) -> StoredFile:
    """Like ``store_bytes`` for a file on disk (a big ZIP), streamed in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    storage = get_storage()
    key = new_key(suffix)
    with open(path, "rb") as fh:
        storage.write_file(key, fh)
    db.session.info.setdefault("zp_pending_files", []).append((storage, key))
    record = StoredFile(
        key=key,
        size=os.path.getsize(path),
        sha256=digest.hexdigest(),
        content_type=content_type,
        original_name=original_name[:255],
        created_by_id=getattr(created_by, "id", None),
    )
    db.session.add(record)
    return record


def temp_path(suffix: str = "") -> str:
    """Where to write a big file that ``store_finished_file`` will take in: inside the store
    when it can adopt files (a rename, no copy), else in the system's temporary folder."""
    storage = get_storage()
    make = getattr(storage, "temp_path", None)
    if make is not None:
        return make(suffix)
    fd, tmp = tempfile.mkstemp(prefix="zp-", suffix=suffix)
    os.close(fd)
    return tmp


def store_finished_file(
    path: str | os.PathLike,
    *,
    size: int,
    sha256: str,
    content_type: str,
    original_name: str = "",
    suffix: str = "",
    created_by=None,
) -> StoredFile:
    """Like ``store_path`` for a file whose size and hash the writer computed as it wrote it
    (from ``temp_path``): the store renames it into place, durably, instead of reading it
    twice and copying it. The file at ``path`` is gone afterwards; undone on rollback."""
    storage = get_storage()
    key = new_key(suffix)
    adopt = getattr(storage, "adopt", None)
    if adopt is not None:
        adopt(key, path)
    else:
        with open(path, "rb") as fh:
            storage.write_file(key, fh)
        os.unlink(path)
    db.session.info.setdefault("zp_pending_files", []).append((storage, key))
    record = StoredFile(
        key=key,
        size=size,
        sha256=sha256,
        content_type=content_type,
        original_name=original_name[:255],
        created_by_id=getattr(created_by, "id", None),
    )
    db.session.add(record)
    return record


def read_file(record: StoredFile) -> bytes:
    return get_storage().read(record.key)


def send_stored(record: StoredFile, download_name: str, *, as_attachment: bool = True):
    """Send a stored file under a name chosen by the caller (never the key)."""
    # Streamed from the store in chunks: a certificate ZIP can be hundreds of MB.
    response = send_file(
        get_storage().open(record.key),
        mimetype=record.content_type,
        as_attachment=as_attachment,
        download_name=download_name,
        max_age=0,
        etag=record.sha256,
    )
    # The stored type as it is ("text/plain; charset=gb18030"): send_file
    # would add a second charset to a text type that already names one.
    content_type = record.content_type
    if "charset=" not in content_type.lower():
        content_type = get_content_type(content_type, "utf-8")
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "private, no-store"
    return response


@event.listens_for(Session, "after_commit")
def _forget_pending(session):
    session.info.pop("zp_pending_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _delete_pending(session, previous_transaction):
    if previous_transaction.parent is not None:  # a savepoint: outer may still commit
        return
    for storage, key in session.info.pop("zp_pending_files", []):
        storage.delete(key)


def collect_garbage(older_than: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
    """Delete files that no record refers to, and temporary files, left by a crash.

    Only files older than ``older_than`` go: younger ones may belong to a
    transaction or a write still under way.
    """
    storage = get_storage()
    known = set(db.session.scalars(select(StoredFile.key)))
    cutoff = utcnow() - older_than
    removed = []
    for key, mtime in list(storage.keys()):
        if key not in known and mtime < cutoff:
            storage.delete(key)
            removed.append(key)
    sweep = getattr(storage, "remove_stale_temporaries", None)
    if sweep is not None:
        removed += sweep(cutoff)
    return removed

"""A big file written by the app itself (a certificate ZIP) is renamed into the store, not copied."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import func, select

from core.storage import StoredFile, get_storage, store_finished_file, temp_path


def test_a_finished_file_is_moved_into_the_store_with_its_hash(app, db):
    path = temp_path(".zip")
    root = Path(app.config["STORAGE_PATH"]).resolve()
    assert Path(path).resolve().parent == root  # same file system: adopting it is a rename
    data = b"PK" + os.urandom(4096)
    Path(path).write_bytes(data)
    inode = os.stat(path).st_ino
    digest = hashlib.sha256(data).hexdigest()
    record = store_finished_file(path, size=len(data), sha256=digest, content_type="application/zip", suffix=".zip")
    db.session.commit()
    assert not os.path.exists(path)
    assert get_storage().read(record.key) == data
    assert os.stat(root / record.key).st_ino == inode  # the same file, not a copy
    assert (record.size, record.sha256) == (len(data), digest)


def test_a_rolled_back_adoption_leaves_no_file(app, db):
    before = {p for p in Path(app.config["STORAGE_PATH"]).rglob("*") if p.is_file()}
    path = temp_path(".zip")
    Path(path).write_bytes(b"never kept")
    record = store_finished_file(path, size=10, sha256="0" * 64, content_type="application/zip")
    assert get_storage().exists(record.key)
    db.session.rollback()
    assert not get_storage().exists(record.key)
    assert {p for p in Path(app.config["STORAGE_PATH"]).rglob("*") if p.is_file()} == before
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0

"""Backups that never lie: complete and verified, or nothing at the target."""

from __future__ import annotations

import datetime as dt
import errno
import os
import tarfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from core.storage import LocalStorage, get_storage, store_bytes


def _members(path) -> set[str]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name for m in tar.getmembers() if m.isfile()}


@pytest.fixture
def stored(app, db):
    """A few hundred committed files, as a running competition has."""
    records = [store_bytes(f"稿件 {i}".encode() * 50, content_type="text/plain") for i in range(300)]
    db.session.commit()
    return [r.key for r in records]


def test_backup_succeeds_every_time_while_files_are_being_written(app, tmp_path, stored):
    """Uploads go on while the backup runs: files appear under temporary names,
    are renamed into place, and rolled-back ones vanish again."""
    store = LocalStorage(app.config["STORAGE_PATH"])
    stop = threading.Event()

    def churn():
        n = 0
        while not stop.is_set():
            n += 1
            key = f"{n % 97:02x}/churn-{n}.bin"
            store.write(key, b"x" * 2000)  # temporary file, then rename
            store.delete(key)  # a rolled-back submission

    def batch_churn():  # rolled-back batches: many files that vanish together
        root = Path(app.config["STORAGE_PATH"])
        n = 0
        while not stop.is_set():
            n += 1
            folder = root / f"{n % 16:02x}"
            folder.mkdir(exist_ok=True)
            batch = [folder / f"batch{n}-{i}.bin" for i in range(30)]
            for path in batch:
                path.write_bytes(b"y" * 500)
            for path in batch:
                path.unlink()

    writers = [threading.Thread(target=churn, daemon=True), threading.Thread(target=batch_churn, daemon=True)]
    for w in writers:
        w.start()
    runner = app.test_cli_runner()
    try:
        results = []
        for i in range(10):
            target = tmp_path / f"backup-{i}.tar.gz"
            results.append((target, runner.invoke(args=["backup", str(target)])))
    finally:
        stop.set()
        for w in writers:
            w.join(10)
    failures = [repr(r.exception) or r.output for _t, r in results if r.exit_code != 0]
    assert failures == []
    for target, _r in results:
        names = _members(target)
        assert {"storage/" + key for key in stored} <= names
        assert not any("/.tmp-" in name for name in names)


def test_backup_leaves_out_temporary_files(app, tmp_path, stored):
    half_written = Path(app.config["STORAGE_PATH"]) / "ab" / ".tmp-k3j4h5"
    half_written.parent.mkdir(parents=True, exist_ok=True)
    half_written.write_bytes(b"half an upload")
    target = tmp_path / "b.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    names = _members(target)
    assert "storage/ab/.tmp-k3j4h5" not in names
    assert {"storage/" + key for key in stored} <= names
    half_written.unlink()


def test_a_failed_backup_leaves_nothing_that_looks_like_a_backup(app, tmp_path, stored, monkeypatch):
    runner = app.test_cli_runner()
    good = tmp_path / "nightly.tar.gz"
    assert runner.invoke(args=["backup", str(good)]).exit_code == 0
    good_bytes = good.read_bytes()

    real_addfile = tarfile.TarFile.addfile
    calls = {"n": 0}

    def disk_fills_up(self, tarinfo, fileobj=None):
        calls["n"] += 1
        if calls["n"] > 50:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_addfile(self, tarinfo, fileobj)

    monkeypatch.setattr(tarfile.TarFile, "addfile", disk_fills_up)
    fresh = tmp_path / "fresh.tar.gz"
    result = runner.invoke(args=["backup", str(fresh)])
    assert result.exit_code != 0
    assert not fresh.exists()  # no truncated archive that looks like a backup
    assert "backup failed" in result.output
    calls["n"] = 0
    again = runner.invoke(args=["backup", str(good)])
    assert again.exit_code != 0
    assert good.read_bytes() == good_bytes  # last night's backup is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nightly.tar.gz"]  # no partial files either


def test_restore_refuses_a_truncated_archive_and_changes_nothing(app, tmp_path, stored, db):
    from accounts import services
    from accounts.models import Unit

    runner = app.test_cli_runner()
    good = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", str(good)]).exit_code == 0
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    services.create_unit(name="恢复前的单位", kind="other")
    db.session.commit()
    result = runner.invoke(args=["restore", str(cut), "--yes"])
    assert result.exit_code != 0 and "not a usable backup" in result.output
    assert "恢复前的单位" in set(db.session.scalars(select(Unit.name)))
    assert get_storage().exists(stored[0])


def test_storage_gc_removes_stale_temporary_files_left_by_a_crash(app, db):
    root = Path(app.config["STORAGE_PATH"])
    (root / "cd").mkdir(parents=True, exist_ok=True)
    stale = root / "cd" / ".tmp-crashed1"
    stale.write_bytes(b"a write cut short by a crash")
    old = (dt.datetime.now() - dt.timedelta(hours=2)).timestamp()
    os.utime(stale, (old, old))
    fresh = root / "cd" / ".tmp-writing2"
    fresh.write_bytes(b"being written right now")
    result = app.test_cli_runner().invoke(args=["storage-gc"])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert fresh.exists()
    assert "1 temporary files" in result.output
    fresh.unlink()

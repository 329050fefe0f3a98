"""Certificate batch work that needs no database: QR codes, the ZIP of single files, the joined PDF.

Plain data in, plain data out, so a helper process can do it while the main
process renders certificates (``BatchHelper``): a worker machine's second core
draws every QR code, then splits and zips chunk n and joins its pages to the
whole PDF while WeasyPrint, which uses one core, lays out chunk n + 1. Small
batches (one chunk) run in-process: there is nothing to overlap, and starting
a process would cost more than it saves.

The helper is started with 'spawn', which imports the main module again in
the child: a script that generates certificates at import time needs the usual
``if __name__ == "__main__":`` guard (the Huey consumer, Flask's CLI and
pytest have it).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import threading
import zipfile
from concurrent.futures import Future, ProcessPoolExecutor

from core.pdf import PdfJoiner, iter_parts, open_pages


def single_file_name(number: str) -> str:
    """The file name of one certificate inside the ZIP: its number, made safe for any file system."""
    return re.sub(r"[^\w.\-]+", "_", number) + ".pdf"


class _HashingWriter:
    """A file written front to back that hashes what goes through it.

    It cannot seek, so ``zipfile`` writes each member's sizes after its data
    (a data descriptor) instead of going back to its header: every byte
    passes here once, in order, and the digest is the finished file's.
    """

    def __init__(self, path: str) -> None:
        self._fh = open(path, "wb")  # noqa: SIM115 -- closed by close()
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._fh.write(data)

    def tell(self) -> int:
        return self.size

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        self._fh.flush()

    def sync(self) -> None:
        """Push what is written so far to the disk (while there is time), so the last fsync is short."""
        self._fh.flush()
        os.fdatasync(self._fh.fileno())

    def close(self, sync: bool = False) -> None:
        if self._fh.closed:
            return
        if sync:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        self._fh.close()


class _BatchFiles:
    """The ZIP of single files and the joined PDF of one generation, growing chunk by chunk."""

    def __init__(self, zip_path: str) -> None:
        self.writer = _HashingWriter(zip_path)
        # Stored, not deflated: the PDFs' streams are compressed already.
        self.zip = zipfile.ZipFile(self.writer, "w", zipfile.ZIP_STORED)
        self.joined = PdfJoiner()

    def close(self) -> None:
        self.zip.close()
        self.writer.close()
        self.joined.close()


# The generations this process is writing files for, by their ZIP's path: one
# generation adds its chunks over several calls, in the helper process or in-process.
_batches: dict[str, _BatchFiles] = {}
_batches_lock = threading.Lock()


def _batch(zip_path: str) -> _BatchFiles:
    with _batches_lock:
        if zip_path not in _batches:
            _batches[zip_path] = _BatchFiles(zip_path)
        return _batches[zip_path]


def warm_up() -> None:
    """Load what splitting and joining need (this module and pikepdf) before the first chunk comes."""
    import pikepdf  # noqa: F401


def add_chunk(zip_path: str, names: list[str], pdf: bytes) -> int:
    """Split a rendered chunk into one PDF per page for the ZIP at ``zip_path``, and join its pages
    to the batch's whole PDF."""
    batch = _batch(zip_path)
    source = open_pages(pdf)
    count = 0
    try:
        for name, part in zip(names, iter_parts(source), strict=True):
            batch.zip.writestr(name, part)
            count += 1
    except BaseException:
        source.close()
        raise
    batch.joined.add(source)
    batch.writer.sync()
    return count


def _write_synced(path: str, data: bytes) -> tuple[int, str]:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return len(data), hashlib.sha256(data).hexdigest()


def finish_batch(zip_path: str, pdf_path: str) -> dict:
    """Finish the ZIP and write the joined PDF to ``pdf_path``, both flushed to disk:
    each one's ``(size, sha256)``, the ZIP's hashed as it was written."""
    batch = _batch(zip_path)  # an empty batch still makes valid (empty) files
    with _batches_lock:
        _batches.pop(zip_path, None)
    try:
        batch.zip.close()
        batch.writer.close(sync=True)
        pdf = _write_synced(pdf_path, batch.joined.save())
    finally:
        batch.close()
    return {"zip": (batch.writer.size, batch.writer.digest.hexdigest()), "pdf": pdf}


def abandon_batch(zip_path: str, pdf_path: str) -> None:
    """Close and delete the files of a generation that failed."""
    with _batches_lock:
        batch = _batches.pop(zip_path, None)
    if batch is not None:
        try:
            batch.close()
        except Exception:  # half-written: deleted below all the same
            pass
    for path in (zip_path, pdf_path):
        if os.path.exists(path):
            os.unlink(path)


def peak_rss_mib() -> float | None:
    """This process's own peak resident memory (Linux VmHWM), in MiB.

    Not ``ru_maxrss``: Linux carries that over from the parent a spawned
    process was forked from, so a helper would report the parent's size.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class BatchHelper:
    """Run functions of this module in one helper process, or in-process when ``parallel`` is false.

    'spawn' starts a fresh interpreter: safe from a Huey worker thread, where
    forking a process that holds locks of other threads is not.
    """

    #: The helper process's peak memory in MiB, known after ``close()`` (None in-process).
    peak_rss_mib: float | None = None

    def __init__(self, parallel: bool) -> None:
        self._pool = (
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) if parallel else None
        )

    def submit(self, fn, *args) -> Future:
        if self._pool is not None:
            return self._pool.submit(fn, *args)
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # delivered by future.result(), as from the pool
            future.set_exception(exc)
        return future

    def close(self) -> None:
        if self._pool is not None:
            try:
                self.peak_rss_mib = self._pool.submit(peak_rss_mib).result()
            except Exception:  # a broken helper: its own error is what the caller reports
                pass
            # Not waiting for the process to exit (a second or so on a busy machine): it has
            # finished its work, and the executor reaps it in the background.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BatchHelper:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

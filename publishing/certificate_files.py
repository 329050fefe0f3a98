"""Certificate batch work that needs no database: the ZIP of single files and the joined PDF.

Plain data in, plain data out, so a helper process can do it while the main
process renders certificates (``BatchHelper``): a worker machine's second core
draws every QR code (``certificate_qr``), then splits and zips chunk n and joins its pages to the
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
    """A file written front to back and hashed on the way, where ``zipfile`` may still go back
    into the member it is writing (to fill in the sizes in its header).

    The current member stays in memory until ``commit()``: every byte reaches the
    file and the digest once, in its final form and in order. Members keep their
    sizes in their headers (no data descriptors), which streaming unzip tools need.
    """

    def __init__(self, path: str) -> None:
        self._fh = open(path, "wb")  # noqa: SIM115 -- closed by close()
        self.digest = hashlib.sha256()
        self.size = 0  # bytes committed
        self._pending = bytearray()
        self._pos = 0  # within _pending

    def write(self, data) -> int:
        data = bytes(data)
        self._pending[self._pos : self._pos + len(data)] = data
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size + self._pos

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self.tell()
        elif whence == 2:
            offset += self.size + len(self._pending)
        if not self.size <= offset <= self.size + len(self._pending):
            raise OSError("cannot seek back into committed data")
        self._pos = offset - self.size
        return offset

    def flush(self) -> None:
        pass  # committed bytes go out in commit()

    def commit(self) -> None:
        """Write out (and hash) everything so far: ``zipfile`` has finished the members before."""
        self._fh.write(self._pending)
        self.digest.update(self._pending)
        self.size += len(self._pending)
        self._pending, self._pos = bytearray(), 0

    def sync(self) -> None:
        """Push what is committed so far to the disk (while there is time), so the last fsync is short."""
        self._fh.flush()
        os.fdatasync(self._fh.fileno())

    def close(self, sync: bool = False) -> None:
        if self._fh.closed:
            return
        self.commit()
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
            batch.writer.commit()
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

"""Certificate batch work that needs no database: QR codes and the ZIP of single files.

Plain data in, plain data out, so a helper process can do it while the main
process renders the next chunk of certificates (``BatchHelper``): a worker
machine's second core splits and zips chunk n while WeasyPrint, which uses one
core, lays out chunk n + 1. Small batches (one chunk) run in-process: there is
nothing to overlap, and starting a process would cost more than it saves.

The helper is started with 'spawn', which imports the main module again in
the child: a script that generates certificates at import time needs the usual
``if __name__ == "__main__":`` guard (the Huey consumer, Flask's CLI and
pytest have it).
"""

from __future__ import annotations

import base64
import hashlib
import io
import multiprocessing
import os
import re
import threading
import zipfile
from concurrent.futures import Future, ProcessPoolExecutor

from core.pdf import iter_split_pages


def qr_png(url: str) -> bytes:
    """The verification QR code (medium error correction) as a 1-bit PNG, one pixel a module.

    A few hundred bytes: WeasyPrint embeds it as one small image, where the
    same code as SVG is a path of hundreds of squares to parse and draw on
    every page. The stylesheet scales it up without smoothing
    (``image-rendering: pixelated``), so its edges stay sharp for a scanner.
    """
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=1, border=1)
    return out.getvalue()


def qr_pngs(urls: list[str]) -> list[bytes]:
    return [qr_png(url) for url in urls]


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def qr_data_uri(url: str) -> str:
    """The verification QR code as a PNG ``data:`` URL (for one page and the preview)."""
    return png_data_uri(qr_png(url))


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

    def close(self, sync: bool = False) -> None:
        if sync:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        self._fh.close()


# The ZIPs being written by this process, by path: one generation writes its
# ZIP over several calls (one per chunk), in the helper process or in-process.
_zips: dict[str, tuple[_HashingWriter, zipfile.ZipFile]] = {}
_zips_lock = threading.Lock()


def _zip_at(zip_path: str) -> zipfile.ZipFile:
    with _zips_lock:
        if zip_path not in _zips:
            writer = _HashingWriter(zip_path)
            # Stored, not deflated: the PDFs' streams are compressed already.
            _zips[zip_path] = (writer, zipfile.ZipFile(writer, "w", zipfile.ZIP_STORED))
        return _zips[zip_path][1]


def zip_singles(zip_path: str, names: list[str], pdf: bytes) -> int:
    """Split a rendered chunk into one PDF per page and add them to the ZIP being written at ``zip_path``."""
    zf = _zip_at(zip_path)
    count = 0
    for name, part in zip(names, iter_split_pages(pdf), strict=True):
        zf.writestr(name, part)
        count += 1
    return count


def finish_zip(zip_path: str) -> tuple[int, str]:
    """Write the ZIP's directory, flush it to disk; its size and SHA-256, hashed as it was written."""
    zf = _zip_at(zip_path)  # an empty batch still makes a valid (empty) archive
    with _zips_lock:
        writer, _ = _zips.pop(zip_path)
    zf.close()
    writer.close(sync=True)
    return writer.size, writer.digest.hexdigest()


def abandon_zip(zip_path: str) -> None:
    """Close and delete a ZIP whose generation failed."""
    with _zips_lock:
        entry = _zips.pop(zip_path, None)
    if entry is not None:
        entry[0].close()
    if os.path.exists(zip_path):
        os.unlink(zip_path)


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
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BatchHelper:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

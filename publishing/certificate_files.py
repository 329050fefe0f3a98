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

import multiprocessing
import re
import zipfile
from concurrent.futures import Future, ProcessPoolExecutor

from core.pdf import iter_split_pages


def qr_data_uri(url: str) -> str:
    """The verification QR code as an SVG ``data:`` URL (medium error correction)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=1, dark="#000")


def qr_data_uris(urls: list[str]) -> list[str]:
    return [qr_data_uri(url) for url in urls]


def single_file_name(number: str) -> str:
    """The file name of one certificate inside the ZIP: its number, made safe for any file system."""
    return re.sub(r"[^\w.\-]+", "_", number) + ".pdf"


def zip_singles(zip_path: str, names: list[str], pdf: bytes) -> int:
    """Split a rendered chunk into one PDF per page and append them to the ZIP at ``zip_path``."""
    count = 0
    # Stored, not deflated: the PDFs' streams are compressed already.
    with zipfile.ZipFile(zip_path, "a", zipfile.ZIP_STORED) as zf:
        for name, part in zip(names, iter_split_pages(pdf), strict=True):
            zf.writestr(name, part)
            count += 1
    return count


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

"""The verification QR code of a certificate, as a small PNG.

Nothing of the project is imported here: the batch's helper process loads
this module alone and starts drawing the first chunk's codes at once, before
it loads anything else.
"""

from __future__ import annotations

import base64
import io


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


def warm_up() -> None:
    """Load the QR encoder (the helper process's first job)."""
    import segno  # noqa: F401

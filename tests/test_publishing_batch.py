"""Certificate batches of several chunks: the helper process splits and zips while the next chunk renders."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from publishing import certificates as certificates_module
from publishing.certificates import generate_certificates, live_certificates
from publishing.demo import replay_closed_notice
from publishing.results import HonourInput, import_honours, publish_results

NAMES = ["李秀英", "欧阳晓燕", "王䶮", "龚𠮷祥", "张伟"]


@pytest.fixture
def published(db, organiser):
    items = [
        HonourInput(
            "first" if i == 0 else "second",
            "一等奖" if i == 0 else "二等奖",
            name,
            "临渭区第二中学",
            f"作品{i}",
            "",
            95 - i,
            i + 1,
        )
        for i, name in enumerate(NAMES)
    ]
    rs = import_honours(
        "competition", 8, "2026年临渭区“科技兴区”主题征文活动", items, organiser, organiser="中共临渭区委宣传部"
    )
    replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="来电", actor=organiser)
    publish_results(rs, organiser)
    db.session.commit()
    return rs


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("chunk", [2, 3])
def test_batch_in_chunks_gives_every_certificate_once(db, published, organiser, monkeypatch, chunk):
    from core.storage import StoredFile, read_file

    monkeypatch.setattr(certificates_module, "BATCH_CHUNK", chunk)  # several chunks: the helper process does the ZIP
    seen = []
    out = generate_certificates(published, organiser, progress=lambda done, total, msg: seen.append(done))
    db.session.commit()
    assert out["count"] == len(NAMES) and seen[-1] == len(NAMES) and len(seen) > 2

    merged = _texts(read_file(db.session.get(StoredFile, out["pdf_file_id"])))
    assert len(merged) == len(NAMES)
    certs = live_certificates(published)
    with zipfile.ZipFile(io.BytesIO(read_file(db.session.get(StoredFile, out["zip_file_id"])))) as zf:
        assert zf.namelist() == [f"{c.number}.pdf" for c in certs]  # in number order, one per certificate
        # Sizes in every member's own header (no data descriptor): streaming unzip tools read it too.
        assert not any(info.flag_bits & 0x08 for info in zf.infolist())
        for cert in certs:
            pages = _texts(zf.read(f"{cert.number}.pdf"))
            others = [n for n in NAMES if n != cert.honour.recipient_name]
            assert len(pages) == 1 and cert.honour.recipient_name in pages[0] and cert.number in pages[0]
            assert not any(n in pages[0] for n in others)


def _objects(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.objects)


@pytest.mark.parametrize("pages", [3, 30])
def test_single_files_do_not_grow_with_the_batch(app_ctx, pages):
    """Each page keeps only its own resources: a single file from a big batch is the one from a small batch."""
    from core.pdf import html_to_pdf, split_pages

    def batch(n):
        return html_to_pdf(
            "".join(
                f'<section style="page-break-after: always; background: radial-gradient(#c9a23f, #fff)">'
                f'<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%2210%22 '
                f'height=%2210%22%3E%3Crect width=%22{i % 9 + 1}%22 height=%222%22/%3E%3C/svg%3E">证书 {i}</section>'
                for i in range(n)
            )
        )

    small = split_pages(batch(2))
    parts = split_pages(batch(pages))
    assert len(parts) == pages
    assert [_texts(p)[0].strip() for p in parts] == [f"证书 {i}" for i in range(pages)]
    assert max(map(_objects, parts)) == max(map(_objects, small))


def _qr_codes(pdf: bytes) -> list[list[list[bool]]]:
    """Every page's QR code read back from the PDF: the dark modules of its (square) image."""
    import pikepdf

    codes = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            found = []
            for _, obj in page.get_images().items():
                image = pikepdf.PdfImage(obj).as_pil_image().convert("L")
                if image.width == image.height:
                    border = 1
                    found.append(
                        [
                            [image.getpixel((x, y)) < 128 for x in range(border, image.width - border)]
                            for y in range(border, image.height - border)
                        ]
                    )
            codes.append(found)
    return codes


def test_every_certificate_carries_the_qr_code_of_its_verification_link(app, db, published, organiser, monkeypatch):
    """The code a phone scans on each page, in the whole PDF and in each single file, opens
    that certificate's check page under the public address (PUBLIC_BASE_URL, never the request's)."""
    import segno

    from core.storage import StoredFile, read_file

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://zhengshu.example.cn/zp")
    monkeypatch.setattr(certificates_module, "BATCH_CHUNK", 2)  # several chunks: the helper draws the codes
    out = generate_certificates(published, organiser)
    db.session.commit()
    certs = live_certificates(published)
    expected = [
        [
            [bool(m) for m in row]
            for row in segno.make(f"https://zhengshu.example.cn/zp/verify/{c.token}", error="m").matrix
        ]
        for c in certs
    ]
    merged = read_file(db.session.get(StoredFile, out["pdf_file_id"]))
    assert _qr_codes(merged) == [[code] for code in expected]
    with zipfile.ZipFile(io.BytesIO(read_file(db.session.get(StoredFile, out["zip_file_id"])))) as zf:
        for cert, code in zip(certs, expected, strict=True):
            assert _qr_codes(zf.read(f"{cert.number}.pdf")) == [[code]]
    # One certificate rendered on its own (an author's download) carries the same code.
    certificates_module.render_one_certificate(certs[1])
    assert _qr_codes(read_file(certs[1].file)) == [[expected[1]]]


def test_stored_hashes_are_the_files_and_no_temporary_file_is_left(app, db, published, organiser, monkeypatch):
    import hashlib
    from pathlib import Path

    from core.storage import TEMP_PREFIX, StoredFile, read_file

    monkeypatch.setattr(certificates_module, "BATCH_CHUNK", 2)
    out = generate_certificates(published, organiser)
    db.session.commit()
    for key in ("pdf_file_id", "zip_file_id"):
        record = db.session.get(StoredFile, out[key])
        data = read_file(record)
        assert (record.size, record.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert not list(Path(app.config["STORAGE_PATH"]).rglob(TEMP_PREFIX + "*"))


@pytest.mark.parametrize("chunk", [2, 10])
def test_a_failed_generation_leaves_no_file_behind(app, db, published, organiser, monkeypatch, chunk):
    from pathlib import Path

    from core.storage import TEMP_PREFIX

    real = certificates_module.render_pdf
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2 or chunk == 10:
            raise RuntimeError("WeasyPrint ran out of memory")
        return real(*args, **kwargs)

    monkeypatch.setattr(certificates_module, "BATCH_CHUNK", chunk)
    monkeypatch.setattr(certificates_module, "render_pdf", failing)
    before = {p for p in Path(app.config["STORAGE_PATH"]).rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError):
        generate_certificates(published, organiser)
    db.session.rollback()
    after = {p for p in Path(app.config["STORAGE_PATH"]).rglob("*") if p.is_file()}
    assert after == before and not [p for p in after if p.name.startswith(TEMP_PREFIX)]


@pytest.mark.parametrize(
    ("total", "cap", "sizes"),
    [
        (1, 250, [1]),
        (5, 2, [2, 2, 1]),  # small: as even as the cap allows, no helper needed for the sizes
        (59, 250, [59]),
        (60, 250, [45, 15]),  # from PARALLEL_FROM on: two chunks at least, the last a third of the others
        (300, 250, [225, 75]),
        (1000, 250, [231, 231, 231, 231, 76]),
    ],
)
def test_chunk_sizes(total, cap, sizes):
    assert certificates_module.chunk_sizes(total, cap) == sizes
    assert sum(sizes) == total and max(sizes) <= cap


def test_a_qr_code_that_cannot_be_drawn_fails_the_batch(app, db, published, organiser, monkeypatch):
    """Never a certificate without its code: WeasyPrint would leave out an image it cannot fetch."""

    def broken(urls):
        raise ValueError("data too large for a QR code")

    monkeypatch.setattr(certificates_module, "qr_pngs", broken)
    with pytest.raises(ValueError):
        generate_certificates(published, organiser)
    db.session.rollback()

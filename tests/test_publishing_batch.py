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

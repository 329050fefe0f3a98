"""A call's share poster and link preview (issue #13, archive and sharing).

The poster carries the title, the deadline, the organiser and a QR code that
opens the public call page; the public gets it only for calls they may read.
"""

from __future__ import annotations

import io
import os

import pytest

ARTIFACTS = os.environ.get("ZP_POSTER_ARTIFACTS")  # set to a folder to look at the posters


def _save(name: str, data: bytes) -> None:
    if ARTIFACTS:
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, name), "wb") as f:
            f.write(data)


def _call_url(app, comp) -> str:
    with app.test_request_context():
        from core.urls import external_url

        return external_url("publishing.public_call", call_id=comp.id)


def _qr_modules(png: bytes):
    """The dark/light modules read back from the poster's QR square."""
    from PIL import Image

    from core.posters import qr_box

    img = Image.open(io.BytesIO(png)).convert("L").crop(qr_box())
    return img


def test_poster_png_is_a_phone_sized_picture_with_the_calls_qr_code(app, client, make_competition):
    import segno
    from PIL import Image

    from core.posters import SIZE

    comp = make_competition(title="“红色家书”主题征文活动（第二届）")
    r = client.get(f"/essays/calls/{comp.id}/poster.png")
    assert r.status_code == 200
    assert r.mimetype == "image/png"
    png = r.get_data()
    _save("poster.png", png)
    assert Image.open(io.BytesIO(png)).size == SIZE == (1080, 1440)
    # The QR square holds exactly the code of the public call page: every module
    # sampled at its centre matches the code segno makes for that URL.
    qr = segno.make(_call_url(app, comp), error="m")
    matrix = [list(row) for row in qr.matrix]
    square = _qr_modules(png)
    border = 2
    cells = len(matrix) + 2 * border
    step = square.size[0] / cells
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            px = square.getpixel((int((x + border + 0.5) * step), int((y + border + 0.5) * step)))
            assert (px < 128) == bool(dark), (x, y)


def test_poster_pdf_names_the_call_its_deadline_and_organiser(client, make_competition):
    from pypdf import PdfReader

    from core.i18n import format_dt

    comp = make_competition(title="弘扬爱国奋斗精神征文")
    r = client.get(f"/essays/calls/{comp.id}/poster.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    _save("poster.pdf", r.get_data())
    reader = PdfReader(io.BytesIO(r.get_data()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "弘扬爱国奋斗精神征文" in text
    assert format_dt(comp.closes_at) in text and "区委宣传部" in text
    assert "/XObject" in str(reader.pages[0]["/Resources"]) or "/Image" in str(reader.pages[0]["/Resources"])


def test_a_long_call_still_fits_one_poster(client, make_competition):
    from pypdf import PdfReader

    title = "喜迎中华人民共和国成立七十七周年暨“书香校园·阅读点亮人生”全区中小学生主题征文比赛活动（第三届）"
    organisers = [
        {"role": "主办", "name": "中共某某区委宣传部、某某区教育局"},
        {"role": "承办", "name": "某某区图书馆"},
        {"role": "协办", "name": "某某区作家协会、某某日报社"},
    ]
    comp = make_competition(title=title, organisers=organisers)
    pdf = client.get(f"/essays/calls/{comp.id}/poster.pdf").get_data()
    _save("poster-long.pdf", pdf)
    _save("poster-long.png", client.get(f"/essays/calls/{comp.id}/poster.png").get_data())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", "")
    assert "比赛活动（第三届）" in text and "某某日报社" in text


def test_public_call_page_offers_the_poster_and_link_preview(app, client, comp):
    html = client.get(f"/public/calls/{comp.id}").get_data(as_text=True)
    assert f'href="/essays/calls/{comp.id}/poster.png"' in html
    assert f'href="/essays/calls/{comp.id}/poster.pdf"' in html
    assert f'<meta property="og:title" content="{comp.title}">' in html
    assert 'property="og:description"' in html and "区委宣传部" in html
    assert f'<meta property="og:url" content="{_call_url(app, comp)}">' in html
    assert f'/essays/calls/{comp.id}/poster.png">' in html.split('property="og:image" content="', 1)[1][:200]
    assert 'property="og:image" content="http' in html


def test_organiser_competition_page_offers_the_poster(client, login, organiser, comp):
    login(client, organiser)
    html = client.get(f"/essays/manage/{comp.id}").get_data(as_text=True)
    assert f'href="/essays/calls/{comp.id}/poster.png"' in html
    assert f'href="/essays/calls/{comp.id}/poster.pdf"' in html


@pytest.mark.parametrize("ext", ["png", "pdf"])
def test_a_drafts_poster_is_not_public(app, client, login, make_user, organiser, make_competition, ext):
    comp = make_competition(status="draft")
    path = f"/essays/calls/{comp.id}/poster.{ext}"
    assert client.get(path).status_code == 404  # anonymous
    login(client, make_user("author"))
    assert client.get(path).status_code == 404  # signed in without organiser rights
    r = login(app.test_client(), organiser).get(path)
    assert r.status_code == 200  # its organiser previews it
    assert "no-store" in r.headers["Cache-Control"]


def test_poster_of_a_call_that_does_not_exist(client):
    assert client.get("/essays/calls/999999/poster.png").status_code == 404
    assert client.get("/essays/calls/999999/poster.pdf").status_code == 404

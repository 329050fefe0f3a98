"""The dossier's photo and supporting files: checked by content, size-limited, metadata stripped,
nothing left behind when refused, seen only by those who may see the dossier."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from helpers import audit, follow
from helpers.dossiers import jpeg_with_gps, make_dossier, make_programme, pdf_bytes, png_bytes


@pytest.fixture
def unit(make_unit):
    return make_unit(name="区教育局")


@pytest.fixture
def coord(make_user, unit):
    return make_user("coordinator", unit=unit)


@pytest.fixture
def programme(db, organiser, unit):
    return make_programme(db, organiser, {unit: 2}, required_fields=["photo"])


@pytest.fixture
def draft(db, programme, coord):
    return make_dossier(db, programme, coord)


def _upload(client, post, nomination, data, name, kind="attachment", page=None):
    return post(
        client,
        f"/nominations/dossiers/{nomination.id}/files",
        {"kind": kind, "upload": (io.BytesIO(data), name)},
        page=page or f"/nominations/dossiers/{nomination.id}/edit",
        content_type="multipart/form-data",
    )


def _files(db, nomination):
    db.session.expire_all()
    return list(nomination.files)


def test_a_photo_is_re_encoded_without_its_exif_and_gps(client, db, app, coord, login, post, draft):
    from core.storage import read_file

    original = jpeg_with_gps()
    assert b"SecretCam" in original
    login(client, coord)
    assert "文件已添加" in follow(client, _upload(client, post, draft, original, "相片.jpg", kind="photo"))
    (photo,) = _files(db, draft)
    stored = read_file(photo.stored_file)
    assert photo.kind == "photo" and photo.filename == "相片.jpg" and photo.stored_file.content_type == "image/jpeg"
    assert b"SecretCam" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 50) and not image.getexif()
    r = client.get(f"/nominations/dossiers/{draft.id}/files/{photo.id}")
    assert r.status_code == 200 and r.data == stored and "相片" not in r.headers.get("Content-Disposition", "")
    assert audit(db, "nomination.file_add")


def test_a_new_photo_replaces_the_old_one(client, db, coord, login, post, draft):
    login(client, coord)
    _upload(client, post, draft, jpeg_with_gps(), "a.jpg", kind="photo")
    _upload(client, post, draft, png_bytes(), "b.png", kind="photo")
    (photo,) = _files(db, draft)
    assert photo.filename == "b.png" and photo.stored_file.content_type == "image/png"


def test_supporting_files_pdf_and_images(client, db, coord, login, post, draft):
    login(client, coord)
    _upload(client, post, draft, pdf_bytes(), "证明.pdf")
    _upload(client, post, draft, png_bytes(), "奖状.png")
    assert [f.stored_file.content_type for f in _files(db, draft)] == ["application/pdf", "image/png"]


@pytest.mark.parametrize(
    ("data", "name", "kind", "words"),
    [
        (b"just some text, not a PDF", "伪装.pdf", "attachment", "须为 PDF、JPEG 或 PNG"),
        (b"%PDF-1.7\nbroken beyond repair", "坏.pdf", "attachment", "不是可读取的 PDF"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "坏.jpg", "photo", "不是可读取的图片"),
        (b"MZ\x90\x00 executable", "photo.jpg", "photo", "须为 JPEG 或 PNG"),
        (None, "证明.pdf", "photo", "须为 JPEG 或 PNG"),  # a real PDF is no photo
        (b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1), "大.pdf", "attachment", "超过 10 MB"),
        (b"", "空.pdf", "attachment", "文件为空"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing_behind(
    client, db, coord, login, post, draft, storage_state, data, name, kind, words
):
    login(client, coord)
    before = storage_state()
    r = _upload(client, post, draft, pdf_bytes() if data is None else data, name, kind=kind)
    assert words in follow(client, r)
    assert storage_state() == before
    assert _files(db, draft) == []


def test_removing_a_file(client, db, coord, login, post, draft):
    login(client, coord)
    _upload(client, post, draft, pdf_bytes(), "证明.pdf")
    (record,) = _files(db, draft)
    r = post(
        client,
        f"/nominations/dossiers/{draft.id}/files/{record.id}/delete",
        page=f"/nominations/dossiers/{draft.id}/edit",
    )
    assert "文件已删除" in follow(client, r)
    assert _files(db, draft) == [] and audit(db, "nomination.file_remove")


def test_the_required_photo_is_checked_on_submit(client, db, coord, login, post, draft):
    from helpers.dossiers import dossier_values

    login(client, coord)
    r = post(client, f"/nominations/dossiers/{draft.id}/edit", dossier_values(submit="y"))
    assert r.status_code == 422 and "请填写：照片" in r.get_data(as_text=True)
    _upload(client, post, draft, png_bytes(), "照片.png", kind="photo")
    r = post(client, f"/nominations/dossiers/{draft.id}/edit", dossier_values(submit="y"))
    assert r.status_code == 302
    # Once submitted, files can no longer be added or removed.
    r = _upload(client, post, draft, pdf_bytes(), "迟到.pdf", page="/nominations/unit")
    assert "不能再修改" in client.get(r.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert len(_files(db, draft)) == 1


def test_files_of_another_unit_and_anonymous(
    app, client, db, coord, organiser, make_user, make_unit, login, post, draft
):
    login(client, coord)
    _upload(client, post, draft, pdf_bytes(), "证明.pdf")
    (record,) = _files(db, draft)
    url = f"/nominations/dossiers/{draft.id}/files/{record.id}"
    stranger = make_user("coordinator", unit=make_unit(name="区交通局"))
    c = login(app.test_client(), stranger)
    assert c.get(url).status_code == 404
    assert post(c, f"{url}/delete", page="/nominations/unit").status_code == 404
    assert _upload(c, post, draft, pdf_bytes(), "x.pdf", page="/nominations/unit").status_code == 404
    r = app.test_client().get(url)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert login(app.test_client(), organiser).get(url).status_code == 200  # the office sees every dossier
    judge = make_user("judge")
    assert login(app.test_client(), judge).get(url).status_code == 403
    assert len(_files(db, draft)) == 1
    from nominations.models import NominationFile

    assert db.session.scalar(select(NominationFile.id)) == record.id


def test_deleting_a_draft_takes_its_files_along(client, db, coord, login, post, draft, storage_state):
    from nominations.models import Nomination

    login(client, coord)
    _upload(client, post, draft, pdf_bytes(), "证明.pdf")
    _upload(client, post, draft, png_bytes(), "照片.png", kind="photo")
    rows, _on_disk = storage_state()
    assert rows == 2
    r = post(client, f"/nominations/dossiers/{draft.id}/delete", page=f"/nominations/dossiers/{draft.id}")
    assert r.status_code == 302
    assert storage_state()[0] == 0  # the records go; `flask storage-gc` removes the bytes
    assert db.session.scalar(select(Nomination.id)) is None

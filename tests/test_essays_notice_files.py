"""Files attached to a call (the notice as .docx/.pdf, the 推荐表 template): uploaded by organisers,
checked by content and size, downloadable by anyone from the public call page under their own names,
removable; refusals leave nothing behind."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import Workbook

from helpers import audit, follow, refused
from helpers.docs import make_docx
from helpers.dossiers import pdf_bytes


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["姓名", "单位", "作品题目"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, post, comp, data, name, kind="notice"):
    return post(
        client,
        f"/essays/manage/{comp.id}/files",
        {"kind": kind, "upload": (io.BytesIO(data), name)},
        page=f"/essays/manage/{comp.id}/edit",
        content_type="multipart/form-data",
    )


def _files(db, comp):
    db.session.expire_all()
    return list(comp.notice_files)


def test_organiser_attaches_the_notice_and_the_template_and_anyone_downloads_them(
    app, client, db, organiser, login, post, comp
):
    login(client, organiser)
    notice = make_docx("关于开展征文活动的通知\n一、征文内容")
    assert "文件已添加" in follow(client, _upload(client, post, comp, notice, "关于开展征文活动的通知.docx"))
    template = xlsx_bytes()
    _upload(client, post, comp, template, "附件2：作品推荐表.xlsx", kind="template")
    _upload(client, post, comp, pdf_bytes(), "征文通知.pdf")
    files = _files(db, comp)
    assert [(f.filename, f.kind) for f in files] == [
        ("关于开展征文活动的通知.docx", "notice"),
        ("附件2：作品推荐表.xlsx", "template"),
        ("征文通知.pdf", "notice"),
    ]
    assert audit(db, "competition.file_add")[-1].changes["original_name"] == "征文通知.pdf"

    visitor = app.test_client()
    page = visitor.get(f"/public/calls/{comp.id}").get_data(as_text=True)
    assert "附件" in page and "附件2：作品推荐表.xlsx" in page and "推荐表模板" in page
    response = visitor.get(f"/essays/calls/{comp.id}/files/{files[1].id}")
    assert response.status_code == 200 and response.data == template
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"filename*=UTF-8''{quote('附件2：作品推荐表.xlsx')}" in disposition
    response = visitor.get(f"/essays/calls/{comp.id}/files/{files[0].id}")
    assert response.data == notice and quote("关于开展征文活动的通知.docx") in response.headers["Content-Disposition"]


def test_the_author_page_of_the_call_lists_the_files_too(client, db, organiser, author, login, post, comp):
    login(client, organiser)
    _upload(client, post, comp, pdf_bytes(), "征文通知.pdf")
    client.get("/logout")
    reader = client.application.test_client()
    login(reader, author)
    assert "征文通知.pdf" in reader.get(f"/essays/c/{comp.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "name", "kind", "words"),
    [
        (None, "通知.exe", "notice", "通知文件须为 Word 文档（.docx）或 PDF"),
        ("xlsx", "通知.xlsx", "notice", "通知文件须为 Word 文档（.docx）或 PDF"),
        (b"MZ\x90\x00 an executable in disguise", "通知.docx", "notice", "内容与扩展名.docx不符"),
        (b"just text", "推荐表.pdf", "template", "内容与扩展名.pdf不符"),
        ("xlsx", "推荐表.docx", "template", "内容与扩展名.docx不符"),  # a workbook named as a Word file
        ("docx", "推荐表.pdf", "template", "内容与扩展名.pdf不符"),
        (b"%PDF-1.7\nbroken beyond repair", "通知.pdf", "notice", "已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "推荐表.docx", "template", "旧版 Office 文件"),
        (b"", "通知.pdf", "notice", "文件为空"),
        ("big", "通知.pdf", "notice", "文件超过 10 MB"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing_behind(
    client, db, organiser, login, post, comp, storage_state, data, name, kind, words
):
    payload = {
        None: pdf_bytes(),
        "xlsx": xlsx_bytes(),
        "docx": make_docx("通知"),
        "big": b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1),
    }.get(data, data)
    login(client, organiser)
    before = storage_state()
    assert words in follow(client, _upload(client, post, comp, payload, name, kind=kind))
    assert storage_state() == before and _files(db, comp) == []


def test_a_body_over_the_upload_limit_is_refused_before_the_app(
    app, client, db, organiser, login, post, comp, monkeypatch
):
    login(client, organiser)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = _upload(client, post, comp, b"%PDF-" + b"0" * 100_000, "大.pdf")
    assert response.status_code == 413 and _files(db, comp) == []


def test_a_failure_after_the_file_is_written_leaves_nothing_behind(
    client, db, organiser, login, post, comp, storage_state, monkeypatch
):
    from core.errors import UserError
    from essays import notice_files

    def fail(*args, **kwargs):
        raise UserError("审计失败")

    login(client, organiser)
    monkeypatch.setattr(notice_files.audit, "record", fail)
    before = storage_state()
    assert "审计失败" in follow(client, _upload(client, post, comp, pdf_bytes(), "通知.pdf"))
    assert storage_state() == before and _files(db, comp) == []


def test_organiser_removes_a_file_and_it_is_gone_from_the_public_page(app, client, db, organiser, login, post, comp):
    login(client, organiser)
    _upload(client, post, comp, pdf_bytes(), "征文通知.pdf")
    (record,) = _files(db, comp)
    url = f"/essays/calls/{comp.id}/files/{record.id}"
    r = post(client, f"/essays/manage/{comp.id}/files/{record.id}/delete", page=f"/essays/manage/{comp.id}/edit")
    assert "文件已删除" in follow(client, r)
    assert _files(db, comp) == [] and audit(db, "competition.file_remove")
    visitor = app.test_client()
    assert visitor.get(url).status_code == 404
    assert "征文通知.pdf" not in visitor.get(f"/public/calls/{comp.id}").get_data(as_text=True)


def test_files_of_a_draft_call_are_not_public(app, client, db, organiser, login, post, make_competition):
    draft = make_competition(status="draft")
    login(client, organiser)
    _upload(client, post, draft, pdf_bytes(), "草稿通知.pdf")
    (record,) = _files(db, draft)
    url = f"/essays/calls/{draft.id}/files/{record.id}"
    assert app.test_client().get(url).status_code == 404
    assert client.get(url).status_code == 200  # the organiser checks it before opening the call


def test_a_file_is_reached_only_through_its_own_call(app, client, db, organiser, login, post, make_competition):
    first, second = make_competition(), make_competition()
    login(client, organiser)
    _upload(client, post, first, pdf_bytes(), "通知.pdf")
    (record,) = _files(db, first)
    visitor = app.test_client()
    assert visitor.get(f"/essays/calls/{second.id}/files/{record.id}").status_code == 404
    r = post(client, f"/essays/manage/{second.id}/files/{record.id}/delete", page=f"/essays/manage/{second.id}/edit")
    assert r.status_code == 404 and len(_files(db, first)) == 1


def test_only_organisers_upload_and_remove(app, db, client, login, post, csrf, organiser, author, judge, comp):
    login(client, organiser)
    _upload(client, post, comp, pdf_bytes(), "通知.pdf")
    (record,) = _files(db, comp)
    users = {"author": author, "judge": judge}
    cases = []
    for url in (f"/essays/manage/{comp.id}/files", f"/essays/manage/{comp.id}/files/{record.id}/delete"):
        cases += [(None, url, 302), ("author", url, 403), ("judge", url, 403)]
    refused(app, login, csrf, users, cases, data={"kind": "notice"})
    assert len(_files(db, comp)) == 1


def test_the_number_of_files_is_limited(client, db, organiser, login, post, comp, monkeypatch):
    from essays import notice_files

    monkeypatch.setattr(notice_files, "MAX_FILES", 1)
    login(client, organiser)
    _upload(client, post, comp, pdf_bytes(), "一.pdf")
    assert "最多可上传 1 个附件" in follow(client, _upload(client, post, comp, pdf_bytes(), "二.pdf"))
    assert len(_files(db, comp)) == 1


def test_names_lose_their_folders_and_control_characters():
    from essays.notice_files import clean_name

    assert clean_name("C:\\Users\\王\\附件1：通知.docx") == "附件1：通知.docx"
    assert clean_name("../../etc/通知\x00\n.pdf") == "通知.pdf"
    long = clean_name("很" * 300 + ".docx")
    assert len(long) == 200 and long.endswith(".docx")

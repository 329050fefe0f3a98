"""Blindness: plant the author's identity everywhere, then crawl all a judge can reach.

Entries go through the real pipeline: the author uploads over HTTP, the
judge-copy job runs after the receipt, the organiser qualifies, and the
judge downloads over HTTP. Identity is planted in the title, the body, and
in every part and structure of a .docx or .pdf that can carry text (one
place per file, see ``helpers.judgecopy``) and in the file name. A judge
follows every link from the home page and the queue; no page or download may
contain any planted string in any layer (bytes, ZIP parts, extracted text,
PDF strings and streams).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from urllib.parse import urljoin, urlparse

import pytest
from flask import template_rendered

from helpers import values_for
from helpers.docs import make_docx_with_identity
from helpers.judgecopy import DOCX_PLACES, PDF_PLACES, PLANTED, layers

# The round's group leader: a judge's pages must not show how to reach them either.
LEADER = {"phone": "13987654321", "email": "zuzhang.zhou@example.com"}
IDENTITY = {"name": "李秀英", "unit": "临渭区第二中学", "phone": "13812345678", "email": "lixiuying@example.com"}
FILENAME = "李秀英_临渭二中.docx"
# The activity's own entry fields: private values (a teacher, co-authors, an address) must never
# reach a judge; the judge-visible 年级 is shown on the judge's entry page.
ENTRY_FIELDS = [
    {"label": "指导教师", "type": "people", "required": True, "teacher": True},
    {"label": "合作者", "type": "people"},
    {"label": "联系地址", "type": "long_text"},
    {"label": "年级", "type": "choice", "choices": ["七年级", "八年级"], "judge_visible": True, "no_identity": True},
]
PRIVATE_VALUES = {
    "指导教师": "周建国，渭南市实验小学",
    "合作者": "欧阳晓燕，华州区杏林中学",
    "联系地址": "朝阳大街八十八号",
}
PRIVATE_NEEDLES = ["周建国", "渭南市实验小学", "欧阳晓燕", "华州区杏林中学", "朝阳大街八十八号"]


def _planted(receipts: list[str]) -> list[str]:
    return list(IDENTITY.values()) + ["李秀英_临渭二中", "临渭二中", "lixiuying", *receipts, *PRIVATE_NEEDLES]


def _upload(client, csrf, db, comp, title, *, body="", file=None):
    """The author's submission over HTTP; the judge-copy job runs right after the receipt."""
    from essays.models import Submission

    path = f"/essays/c/{comp.id}/submit"
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="token"', page)
    data = {
        "token": token.group(1),
        "title": title,
        "genre_id": comp.genres[0].id,
        "body": body,
        "pledge": "y",
        "csrf_token": csrf(client, path),
    }
    for defn in comp.entry_fields or []:
        data[f"xf_{defn['key']}"] = {**PRIVATE_VALUES, "年级": "八年级"}.get(defn["label"], "")
    if file is not None:
        data["upload"] = (io.BytesIO(file[1]), file[0])
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    db.session.expire_all()
    return db.session.query(Submission).filter_by(competition_id=comp.id, title=title).one()


def _open_competition(db, code, formats):
    from essays.entry_fields import normalise_definitions
    from essays.models import Competition, CompetitionStatus, Genre, SubmissionCounter

    now = dt.datetime.now(dt.timezone.utc)
    comp = Competition(
        code=code,
        title="喜迎二十大征文",
        status=CompetitionStatus.OPEN,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
        max_entries_per_author=50,
        accepted_formats=formats,
        entry_fields=normalise_definitions(ENTRY_FIELDS),
    )
    comp.genres.append(Genre(name="散文", position=0, count_rule="word"))
    db.session.add(comp)
    db.session.flush()
    db.session.add(SubmissionCounter(competition_id=comp.id, last_serial=0))
    db.session.commit()
    return comp


def _identified_author(make_user, make_unit):
    school = make_unit(name=IDENTITY["unit"], kind="school")
    return make_user(
        "author",
        unit=school,
        display_name=IDENTITY["name"],
        phone=IDENTITY["phone"],
        email=IDENTITY["email"],
        username="lixiuying",
    )


def _qualify(db, comp, organiser):
    from essays import review
    from essays.models import CompetitionStatus, Submission

    for entry in db.session.query(Submission).filter_by(competition_id=comp.id).all():
        review.review_entry(entry, True, actor=organiser)
    comp.status = CompetitionStatus.JUDGING
    db.session.commit()


def _texts_of(response) -> list[str]:
    """Every readable layer of a response: HTML, docx parts, PDF text and metadata."""
    data = response.data
    out = [response.headers.get("Content-Disposition", "")]
    ctype = response.headers.get("Content-Type", "")
    if data[:2] == b"PK" and "zip" in ctype:  # a packet of judge copies: every member in every layer
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            out += [archive.comment.decode("utf-8", "ignore"), *archive.namelist()]
            for name in archive.namelist():
                member = archive.read(name)
                out.extend(layers(member) if member[:2] == b"PK" or member[:4] == b"%PDF" else [member.decode()])
    elif data[:2] == b"PK" or data[:4] == b"%PDF":
        out.extend(layers(data))
    else:
        out.append(
            data.decode("utf-8", "ignore")
            if "text" in ctype or "json" in ctype or "html" in ctype
            else data.decode("utf-8", "ignore")
        )
    return out


def _crawl(client, starts: list[str]) -> dict[str, object]:
    seen: dict[str, object] = {}
    todo = list(starts)
    while todo and len(seen) < 300:
        path = todo.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response
        if response.status_code in (301, 302, 303):
            todo.append(urlparse(response.headers["Location"]).path)
            continue
        if "html" not in response.headers.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', response.get_data(as_text=True)):
            url = urlparse(urljoin("http://localhost" + path, href))
            if url.netloc not in ("", "localhost") or url.path.startswith("/static/"):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen:
                todo.append(target)
    return seen


@pytest.mark.parametrize("reveal", [False, True])
def test_nothing_a_judge_can_reach_names_the_author(
    app, client, login, csrf, db, make_user, make_unit, organiser, reveal
):
    from judging import assign_services, judge_services, pool_services, round_services
    from judging.models import Assignment

    comp = _open_competition(db, "LEAK1", ["text", "docx"])
    author = _identified_author(make_user, make_unit)
    author_client = login(app.test_client(), author)
    typed = _upload(
        author_client,
        csrf,
        db,
        comp,
        f"我的家乡——{IDENTITY['name']}",
        body=f"我是{IDENTITY['unit']}的{IDENTITY['name']}，电话{IDENTITY['phone']}，"
        f"邮箱{IDENTITY['email']}。\n春风又绿渭河岸，我站在老城墙上眺望远方。",
    )
    filed = _upload(author_client, csrf, db, comp, "渭河岸边", file=(FILENAME, make_docx_with_identity(IDENTITY)))
    assert filed.judge_file.key.endswith(".docx"), "the judge-copy job did not run"
    _qualify(db, comp, organiser)

    judge = make_user("judge", unit=make_unit())
    helper = make_user("judge", unit=make_unit())
    leader = make_user("judge", unit=make_unit(), phone=LEADER["phone"], email=LEADER["email"])
    round_ = round_services.create_round(
        comp, actor=organiser, name="初评", k=2, reveal_scores_after_close=reveal, leader_id=leader.id
    )
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    pool_services.add_judge(round_, judge, actor=organiser)
    pool_services.add_judge(round_, helper, actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    round_services.open_round(round_, actor=organiser)
    judge_services.accept_pledge(round_, helper)
    db.session.commit()
    item = db.session.query(Assignment).filter_by(judge_id=helper.id, submission_id=typed.id).one()
    judge_services.save_score(item, actor=helper, values=values_for(round_, 80), submit=True)
    db.session.commit()

    planted = _planted([typed.receipt_number, filed.receipt_number]) + list(LEADER.values())
    login(client, judge)
    rendered = []

    def record(sender, template, context, **extra):
        for key, value in context.items():
            values = value if isinstance(value, list | tuple) else [value]
            rendered.extend((template.name, key, getattr(v, "_get_current_object", lambda v=v: v)()) for v in values)

    template_rendered.connect(record, app)
    # Before the pledge, after it, after scoring, and after the round closes.
    pages = dict(_crawl(client, ["/", "/judging/my", f"/judging/my/{round_.id}"]))
    judge_services.accept_pledge(round_, judge)
    db.session.commit()
    pages |= _crawl(client, ["/", "/judging/my", f"/judging/my/{round_.id}"])
    mine = db.session.query(Assignment).filter_by(judge_id=judge.id, submission_id=typed.id).one()
    judge_services.save_score(mine, actor=judge, values=values_for(round_, 70), submit=True)
    round_services.close_round(round_, actor=organiser)
    db.session.commit()
    after = _crawl(client, ["/", "/judging/my", f"/judging/my/{round_.id}"])
    pages |= {f"{k} (closed)": v for k, v in after.items()}
    # Error pages for entries that are not the judge's.
    for path in (
        f"/judging/my/{round_.id}/e/{typed.id}",
        f"/judging/my/{round_.id}/e/XXXX",
        f"/judging/rounds/{round_.id}",
    ):
        pages[path] = client.get(path)

    template_rendered.disconnect(record)
    # The judging templates a judge sees get projections, never a model (a Round reaches its leader).
    judging = [(t, k, v) for t, k, v in rendered if t.startswith(("judging/", "pdf/judging")) and k != "current_user"]
    assert {t for t, _, _ in judging} >= {"judging/pledge.html", "judging/queue.html", "judging/entry.html"}
    assert {(t, k, type(v).__name__) for t, k, v in judging if isinstance(v, db.Model)} == set()
    reached = set(pages)
    assert any("/e/" in p and p.endswith("/file") for p in reached), "the judge copy was not reached"
    assert any(p.startswith(f"/judging/my/{round_.id}/e/") for p in reached)
    # The private fields were filled in; the judge-visible one reaches the judge's entry page.
    assert typed.field_values and len(typed.field_values) == 4
    entry_pages = [r for p, r in pages.items() if p.startswith(f"/judging/my/{round_.id}/e/") and r.status_code == 200]
    assert any("八年级" in r.get_data(as_text=True) for r in entry_pages if "html" in r.headers["Content-Type"])
    assert any(p.endswith("sheets.pdf") for p in reached)
    # The reading packets: every entry of the judge's in one PDF, the judge copies in a ZIP named by code.
    packet = pages[f"/judging/my/{round_.id}/packet.pdf"]
    assert packet.status_code == 200 and "春风又绿渭河岸" in "".join(layers(packet.data))
    bundle = pages[f"/judging/my/{round_.id}/packet.zip"]
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        assert sorted(archive.namelist()) == sorted([f"{typed.anonymous_code}.txt", f"{filed.anonymous_code}.docx"])
    if __import__("os").environ.get("ZP_LEAK_VERBOSE"):
        for p, r in sorted(pages.items()):
            print("PAGE", r.status_code, r.headers.get("Content-Type"), p, r.headers.get("Content-Disposition", ""))
    downloads = [
        p for p, r in pages.items() if r.status_code == 200 and "html" not in r.headers.get("Content-Type", "")
    ]
    assert downloads
    for path, response in pages.items():
        # The profile page's unit picker lists every unit of the district: the
        # unit's name there says nothing about who wrote which entry.
        needles = [n for n in planted if not (path.startswith("/profile") and n == IDENTITY["unit"])]
        for text in _texts_of(response):
            for needle in needles:
                assert needle not in text, f"{needle!r} leaks on {path}"


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_identity_in_any_part_of_a_file_never_reaches_the_judge(
    app, client, login, csrf, db, make_user, make_unit, organiser, kind
):
    """One upload per place identity can hide in; the judge downloads each entry's copy.

    Places the allow-list copy does not keep give the judge a clean file (the
    body survives); places it keeps and detection sees (notes, page text)
    give the judge the redacted text, and the organiser is told.
    """
    import pikepdf

    from essays.models import Submission
    from judging import assign_services, judge_services, pool_services, round_services

    places = DOCX_PLACES if kind == "docx" else PDF_PLACES
    comp = _open_competition(db, f"LEAK{kind.upper()}", ["text", kind])
    author = _identified_author(make_user, make_unit)
    author_client = login(app.test_client(), author)
    for place, (build, _) in places.items():
        _upload(author_client, csrf, db, comp, place, file=(f"{IDENTITY['name']}_{IDENTITY['unit']}.{kind}", build()))
    _qualify(db, comp, organiser)
    judge = make_user("judge", unit=make_unit())
    round_ = round_services.create_round(comp, actor=organiser, name="初评", k=1)
    round_services.set_criteria(round_, [round_services.CriterionInput("总分", 100)], actor=organiser)
    pool_services.add_judge(round_, judge, actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    round_services.open_round(round_, actor=organiser)
    judge_services.accept_pledge(round_, judge)
    db.session.commit()

    login(client, judge)
    pages = _crawl(client, ["/", "/judging/my", f"/judging/my/{round_.id}"])
    entries = {e.title: e for e in db.session.query(Submission).filter_by(competition_id=comp.id)}
    receipts = [e.receipt_number for e in entries.values()]
    got = {}
    for place, (_, _expected) in places.items():
        path = f"/judging/my/{round_.id}/e/{entries[place].anonymous_code}/file"
        response = pages.get(path) or client.get(path)
        assert response.status_code == 200, place
        got[place] = "copy" if response.data[:4] in (b"PK\x03\x04", b"%PDF") else "text"
        pages[path] = response
        if got[place] == "copy":
            assert "家乡的变化" in "".join(layers(response.data)), f"the body of {place} is missing"
    for path, response in pages.items():
        # The profile page's unit picker lists every unit of the district (see above).
        needles = [n for n in PLANTED + receipts if not (path.startswith("/profile") and n == IDENTITY["unit"])]
        for text in _texts_of(response):
            for needle in needles:
                assert needle not in text, f"{needle!r} leaks on {path} ({response.headers.get('Content-Type')})"
    assert got == {place: expected for place, (_, expected) in places.items()}

    if kind == "pdf":  # links: only the plain web link is left, without its chained script
        data = pages[f"/judging/my/{round_.id}/e/{entries['link_actions'].anonymous_code}/file"].data
        with pikepdf.open(io.BytesIO(data)) as pdf:
            annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
            assert [str(a.A.URI) for a in annotations] == ["https://example.org/", "https://example.net/"]
            keys = " ".join(
                " ".join(obj.keys()) for obj in pdf.objects if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream))
            )
            for key in (
                "/JavaScript",
                "/JS",
                "/Launch",
                "/OpenAction",
                "/AA",
                "/Next",
                "/Outlines",
                "/AcroForm",
                "/EmbeddedFiles",
                "/PageLabels",
                "/Metadata",
                "/Names",
            ):
                assert key not in keys.split(), key
            assert "/Info" not in pdf.trailer
    else:  # the organiser learns of the bio in a note; judges read the text
        organiser_client = login(app.test_client(), organiser)
        for place in ("footnote", "endnote"):
            db.session.refresh(entries[place])
            assert entries[place].identity_flagged
            page = organiser_client.get(f"/essays/manage/entry/{entries[place].id}").get_data(as_text=True)
            assert "文件含身份信息" in page or "identity in the file" in page

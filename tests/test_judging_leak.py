"""Blindness: plant the author's identity everywhere, then crawl all a judge can reach.

The entry goes through the real submission pipeline (title, body, .docx file
with identity in metadata, comments, headers and the file name). A judge
then follows every link from the home page and the queue; no page,
download or PDF may contain any planted string.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures_docs import make_docx_with_identity  # noqa: E402
from test_judging_helpers import values_for  # noqa: E402

IDENTITY = {"name": "李秀英", "unit": "临渭区第二中学", "phone": "13812345678",
            "email": "lixiuying@example.com"}
FILENAME = "李秀英_临渭二中.docx"


def _planted(receipts: list[str]) -> list[str]:
    return list(IDENTITY.values()) + ["李秀英_临渭二中", "临渭二中", "lixiuying", *receipts]


def _submit(db, comp, author, organiser, title, body, upload=None):
    from essays import services as essays_services

    result = essays_services.submit_entry(
        competition=comp, author=author, actor=author, token=None, title=title,
        genre_id=comp.genres[0].id, group_id=None, body_text=None if upload else body, upload=upload,
        pledge=True)
    db.session.flush()
    essays_services.review_entry(result.entry, True, actor=organiser)
    db.session.commit()
    return result.entry


def _texts_of(response) -> list[str]:
    """Every readable layer of a response: HTML, docx parts, PDF text and metadata."""
    data = response.data
    out = [response.headers.get("Content-Disposition", "")]
    ctype = response.headers.get("Content-Type", "")
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            out.append(archive.comment.decode("utf-8", "ignore"))
            out.extend(archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())
            out.extend(archive.namelist())
    elif data[:4] == b"%PDF":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        out.append(data.decode("latin-1"))
        out.extend(page.extract_text() or "" for page in reader.pages)
        out.extend(str(v) for v in (reader.metadata or {}).values())
        if reader.xmp_metadata is not None:
            out.append(str(reader.xmp_metadata.rdf_root.toxml() if hasattr(reader.xmp_metadata, "rdf_root") else ""))
    else:
        out.append(data.decode("utf-8", "ignore") if "text" in ctype or "json" in ctype or "html" in ctype
                   else data.decode("utf-8", "ignore"))
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
def test_nothing_a_judge_can_reach_names_the_author(client, login, db, make_user, make_unit, organiser, reveal):
    from essays.models import Competition, CompetitionStatus, Genre, SubmissionCounter
    from essays.services import Upload
    from judging import services
    from judging.models import Assignment

    now = dt.datetime.now(dt.timezone.utc)
    comp = Competition(code="LEAK1", title="喜迎二十大征文", status=CompetitionStatus.OPEN,
                       opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
                       max_entries_per_author=5, accepted_formats=["text", "docx"])
    comp.genres.append(Genre(name="散文", position=0, count_rule="word"))
    db.session.add(comp)
    db.session.flush()
    db.session.add(SubmissionCounter(competition_id=comp.id, last_serial=0))
    db.session.commit()

    school = make_unit(name=IDENTITY["unit"], kind="school")
    author = make_user("author", unit=school, display_name=IDENTITY["name"], phone=IDENTITY["phone"],
                       email=IDENTITY["email"], username="lixiuying")
    typed = _submit(db, comp, author, organiser, f"我的家乡——{IDENTITY['name']}",
                    f"我是{IDENTITY['unit']}的{IDENTITY['name']}，电话{IDENTITY['phone']}，"
                    f"邮箱{IDENTITY['email']}。\n春风又绿渭河岸，我站在老城墙上眺望远方。")
    filed = _submit(db, comp, author, organiser, "渭河岸边", None,
                    upload=Upload(FILENAME, make_docx_with_identity(IDENTITY),
                                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    comp.status = CompetitionStatus.JUDGING
    db.session.commit()

    judge = make_user("judge", unit=make_unit())
    helper = make_user("judge", unit=make_unit())
    round_ = services.create_round(comp, actor=organiser, name="初评", k=2, reveal_scores_after_close=reveal)
    services.set_criteria(round_, [services.CriterionInput("总分", 100)], actor=organiser)
    services.add_judge(round_, judge, actor=organiser)
    services.add_judge(round_, helper, actor=organiser)
    services.assign_judges(round_, actor=organiser)
    services.open_round(round_, actor=organiser)
    services.accept_pledge(round_, helper)
    db.session.commit()
    item = db.session.query(Assignment).filter_by(judge_id=helper.id, submission_id=typed.id).one()
    services.save_score(item, actor=helper, values=values_for(round_, 80), submit=True)
    db.session.commit()

    planted = _planted([typed.receipt_number, filed.receipt_number])
    login(client, judge)
    # Before the pledge, after it, after scoring, and after the round closes.
    pages = dict(_crawl(client, ["/", "/judging/my", f"/judging/my/{round_.id}"]))
    services.accept_pledge(round_, judge)
    db.session.commit()
    pages |= _crawl(client, ["/", "/judging/my", f"/judging/my/{round_.id}"])
    mine = db.session.query(Assignment).filter_by(judge_id=judge.id, submission_id=typed.id).one()
    services.save_score(mine, actor=judge, values=values_for(round_, 70), submit=True)
    services.close_round(round_, actor=organiser)
    db.session.commit()
    after = _crawl(client, ["/", "/judging/my", f"/judging/my/{round_.id}"])
    pages |= {f"{k} (closed)": v for k, v in after.items()}
    # Error pages for entries that are not the judge's.
    for path in (f"/judging/my/{round_.id}/e/{typed.id}", f"/judging/my/{round_.id}/e/XXXX",
                 f"/judging/rounds/{round_.id}"):
        pages[path] = client.get(path)

    reached = set(pages)
    assert any("/e/" in p and p.endswith("/file") for p in reached), "the judge copy was not reached"
    assert any(p.startswith(f"/judging/my/{round_.id}/e/") for p in reached)
    assert any(p.endswith("sheets.pdf") for p in reached)
    if __import__("os").environ.get("ZP_LEAK_VERBOSE"):
        for p, r in sorted(pages.items()):
            print("PAGE", r.status_code, r.headers.get("Content-Type"), p, r.headers.get("Content-Disposition", ""))
    downloads = [p for p, r in pages.items() if r.status_code == 200 and "html" not in r.headers.get("Content-Type", "")]
    assert downloads
    for path, response in pages.items():
        # The profile page's unit picker lists every unit of the district: the
        # unit's name there says nothing about who wrote which entry.
        needles = [n for n in planted if not (path.startswith("/profile") and n == IDENTITY["unit"])]
        for text in _texts_of(response):
            for needle in needles:
                assert needle not in text, f"{needle!r} leaks on {path}"

"""Dossier printing and programme overview benchmark.

Prints ``BENCH <name> <value> <unit> [ratio=<x> vs <anchor>]`` lines:

- batch: N 推荐表 dossiers (a 2-inch photo each, 2,000 字 of 主要事迹) printed as one
  PDF through the app's path (the organiser's POST starts the background job, which
  gathers the dossiers, renders one WeasyPrint document and stores it) against bare
  WeasyPrint rendering the same HTML in the same run (goal: ratio >= 0.8);
- peak_rss: the worker's peak memory right after the app's batch, before the bare
  render (goal: <= 1 GiB);
- overview: the programme's funnel (queries and rendering of the partial) with 200
  and with 2,000 nominations across 60 units: SQL queries per page must be equal.

The app's batch and the bare render alternate ``--repeat`` times (best of each counts),
so a burst of load from other processes does not decide the ratio.

Run: ``.venv/bin/python bench/dossiers.py`` (300 dossiers; ``--dossiers N`` for another size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志远晓梅国栋"
DEED_SENTENCES = (
    "该同志扎根基层二十余年，始终把群众的冷暖放在心上。",
    "他带领团队攻克了小麦条锈病综合防控等多项关键技术难题，先后主持完成区级科研项目六项。",
    "在疫情防控最吃劲的时候，他主动请缨，连续四十多天吃住在卡点，协调调运防疫物资三百余吨。",
    "她创新推行“田间课堂”培训模式，累计培训新型职业农民两千余人次，带动周边农户户均增收八千余元。",
    "面对突如其来的洪涝灾害，他第一时间组织党员突击队转移受困群众一百二十余人，无一伤亡。",
)


def _deeds(i: int, chars: int = 2000) -> str:
    paras, total, k = [], 0, i
    while total < chars:
        para = "".join(DEED_SENTENCES[(k + j) % len(DEED_SENTENCES)] for j in range(5))
        paras.append(para)
        total += len(para)
        k += 1
    return "\n".join(paras)


def _photo(i: int) -> bytes:
    """A 2-inch (413×579 px) JPEG portrait, a little different for each dossier."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (413, 579), (225 + i % 30, 232, 240))
    draw = ImageDraw.Draw(img)
    shade = (60 + (i * 37) % 120, 50 + (i * 11) % 80, 45)
    draw.ellipse((120, 70, 293, 270), fill=(224, 188, 160))
    draw.rectangle((70, 300, 343, 579), fill=shade)
    # Grain, so the JPEG is photo-sized (tens of KiB) rather than a few flat colours.
    noise = Image.effect_noise((413, 579), 24 + i % 8).convert("RGB")
    img = Image.blend(img, noise, 0.12)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _populate(db, n_dossiers: int, n_units: int, title: str, *, photos: bool, statuses=None):
    from sqlalchemy import insert, select

    from accounts.models import Unit
    from core.storage import store_bytes
    from nominations.models import FileKind, Nomination, NominationFile, NominationStatus, Programme, Quota, Sex

    now = dt.datetime.now(dt.timezone.utc)
    tag = f"{title[:4]}{n_dossiers}"
    db.session.execute(
        insert(Unit),
        [{"name": f"{tag}单位{u}", "kind": "bureau", "active": True, "created_at": now} for u in range(n_units)],
    )
    unit_ids = db.session.scalars(select(Unit.id).where(Unit.name.like(f"{tag}单位%")).order_by(Unit.id)).all()
    programme = Programme(title=title, honour_title="最美科技工作者", year=2026, organiser_name="中共临渭区委宣传部")
    programme.quotas = [Quota(unit_id=u, places=5) for u in unit_ids]
    db.session.add(programme)
    db.session.flush()
    statuses = statuses or [NominationStatus.SUBMITTED]
    rows = []
    for i in range(n_dossiers):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % len(GIVEN)]
        rows.append(
            {
                "programme_id": programme.id,
                "unit_id": unit_ids[i % n_units],
                "status": statuses[i % len(statuses)],
                "version": 1,
                "name": name,
                "sex": Sex.MALE if i % 2 else Sex.FEMALE,
                "ethnicity": "汉族",
                "birth_month": dt.date(1970 + i % 25, 1 + i % 12, 1),
                "politics": "中共党员",
                "education": "大学本科",
                "position": "高级农艺师",
                "workplace": "临渭区农业技术推广中心",
                "phone": f"139{i:08d}",
                "summary": "该同志长期扎根农技推广一线，攻克多项关键技术难题，带动群众增收致富，成绩突出。" * 3,
                "deeds": _deeds(i),
                "unit_opinion": "情况属实，同意推荐。",
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Nomination), rows)
    if photos:
        ids = db.session.scalars(select(Nomination.id).where(Nomination.programme_id == programme.id)).all()
        for i, nomination_id in enumerate(ids):
            record = store_bytes(_photo(i), content_type="image/jpeg", original_name="photo.jpg", suffix=".jpg")
            db.session.flush()
            db.session.add(
                NominationFile(
                    nomination_id=nomination_id, kind=FileKind.PHOTO, stored_file_id=record.id, filename="照片.jpg"
                )
            )
    db.session.commit()
    return programme


def _overview_queries(app, db, programme_id: int) -> tuple[int, float]:
    from flask import render_template
    from sqlalchemy import event

    from nominations import overview
    from nominations.models import Programme

    seen = []

    def count(conn, cursor, statement, *args):
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.append(statement)

    with app.test_request_context():
        programme = db.session.get(Programme, programme_id)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            elapsed, _ = _timed(lambda: render_template("nominations/_funnel.html", funnel=overview.funnel(programme)))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return len(seen), elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2, help="runs of the batch and of the bare render")
    args = parser.parse_args()
    n = args.dossiers

    tmp = tempfile.mkdtemp(prefix="zp-bench-dossiers-")
    os.environ["ZP_INSTANCE_PATH"] = tmp
    os.environ["JOBS_DB"] = os.path.join(tmp, "jobs.db")
    os.environ["DATABASE_URL"] = f"sqlite:///{os.path.join(tmp, 'bench.db')}"

    from flask_migrate import upgrade

    from core import create_app
    from core.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "JOBS_IMMEDIATE": True,
            "WTF_CSRF_ENABLED": False,
            "STORAGE_PATH": os.path.join(tmp, "storage"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        upgrade()
    print(f"BENCH dossiers_count {n} dossiers (photo, 2000-字 deeds each)")

    with app.test_request_context():
        from accounts import services as accounts

        accounts.create_user(
            username="org", display_name="王芳", password="Correct-Horse-9", roles=["organiser"], email="org@example.cn"
        )
        db.session.commit()
        programme = _populate(db, n, 20, "寻找最美科技工作者", photos=True)
        programme_id = programme.id

    client = app.test_client()
    client.post("/login", data={"login": "org", "password": "Correct-Horse-9"})

    def app_batch():
        response = client.post(f"/nominations/programmes/{programme_id}/dossiers/batch")
        assert response.status_code == 302, response.status_code
        job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
        status = client.get(f"/jobs/{job_id}.json").get_json()
        assert status["status"] == "done", status
        return status

    # Warm up fonts and caches once, so neither side pays the first-use cost.
    with app.test_request_context():
        from weasyprint import HTML

        from core.pdf import STATIC_BASE, _fetcher_class
        from nominations import printing
        from nominations.models import Programme

        programme = db.session.get(Programme, programme_id)
        sample = printing.batch_nominations(programme)[:2]
        printing.html_to_pdf(printing.render_markup([printing.dossier_print(x) for x in sample], "warm-up"))

    app_time, status = _timed(app_batch)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pdf_size = len(client.get(status["download_url"]).data)

    with app.test_request_context():
        programme = db.session.get(Programme, programme_id)
        markup = printing.render_markup(
            [printing.dossier_print(x) for x in printing.batch_nominations(programme)], programme.title
        )
        fetcher = _fetcher_class()()

        def bare():
            return HTML(string=markup, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()

        bare_time, bare_pdf = _timed(bare)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(bare_pdf)).pages)
        del bare_pdf
        app_times, bare_times = [app_time], [bare_time]
        for _ in range(args.repeat - 1):
            app_times.append(_timed(app_batch)[0])
            bare_times.append(_timed(bare)[0])
    app_time, bare_time = min(app_times), min(bare_times)
    spread = f"app {'/'.join(f'{t:.1f}' for t in app_times)} s, bare {'/'.join(f'{t:.1f}' for t in bare_times)} s"
    print(
        f"BENCH batch_app {n / app_time:.1f} dossiers/s ratio={bare_time / app_time:.2f} vs "
        f"bare_weasyprint({n / bare_time:.1f}/s)  [{spread}; {pages} pages, {pdf_size / 1024 / 1024:.1f} MiB PDF]"
    )
    print(f"BENCH peak_rss {peak_mib:.0f} MiB ratio={peak_mib / 1024:.2f} vs 1GiB_budget")

    from nominations.models import NominationStatus

    statuses = list(NominationStatus)
    with app.test_request_context():
        small = _populate(db, 200, 60, "临渭标杆小", photos=False, statuses=statuses).id
        large = _populate(db, 2000, 60, "临渭标杆大", photos=False, statuses=statuses).id
    q_small, t_small = _overview_queries(app, db, small)
    q_large, t_large = _overview_queries(app, db, large)
    verdict = "equal" if q_small == q_large else "NOT EQUAL"
    print(
        f"BENCH overview_queries {q_large} queries/page ratio={q_large / q_small:.2f} vs 200_nominations({q_small})  "
        f"[{verdict}; 60 units; funnel + chart {t_small * 1000:.0f} ms vs {t_large * 1000:.0f} ms]"
    )


if __name__ == "__main__":
    main()

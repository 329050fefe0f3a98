"""Certificate generation benchmark.

Prints ``BENCH <name> <value> <unit> [ratio=<x> vs <anchor>]`` lines:

- batch: N CJK certificates through the app's generation path (numbering, batch
  render, split into single files, ZIP, merged PDF, storage) against bare
  WeasyPrint rendering the same pages as one document on one core, drawing the
  same QR codes itself (goal: ratio >= 1.0 at 300 and at 1,000; the app may use
  the second core, so the load average is printed beside the figure);
- single: one certificate through the author's download route against a bare
  one-page render that draws its QR code too (goal: <= 1.1x the time);
- cjk_vs_ascii: the same batch with CJK text and Noto fonts against ASCII text in
  DejaVu (goal: <= 2x);
- peak_rss: the worker's peak memory during the batch: this process's peak
  right after the batch (before the bare renders) plus the peak of the helper
  process the batch starts (goal: <= 1 GiB).

The template is the demo one, with its seal, as organisers use it. The app's
batch and the bare render alternate ``--repeat`` times (best of each counts),
so a burst of load from other processes does not decide the ratio.

Run: ``.venv/bin/python bench/certificates.py`` (300 certificates) or ``--full`` (1,000).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
    "欧阳"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志远晓梅国栋丽华帆䶮"


def _names(n: int) -> list[str]:
    return [
        SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % len(GIVEN)] for i in range(n)
    ]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} cores"


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000 certificates instead of 300")
    parser.add_argument("--repeat", type=int, default=2, help="runs of the batch and of the bare render")
    args = parser.parse_args()
    n = 1000 if args.full else 300

    tmp = tempfile.mkdtemp(prefix="zp-bench-cert-")
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
            "ARGON2_TIME_COST": 2,
            "ARGON2_MEMORY_COST": 19456,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        upgrade()
    print(f"BENCH certificates_count {n} certificates{' (full)' if args.full else ' (use --full for 1000)'}")

    with app.test_request_context():
        from weasyprint import HTML

        from accounts import services as accounts
        from core.pdf import STATIC_BASE, _fetcher_class
        from core.storage import StoredFile
        from publishing.certificate_qr import png_data_uri, qr_pngs
        from publishing.certificate_template import ensure_template, template_context, update_template
        from publishing.certificates import (
            generate_certificates,
            live_certificates,
            page_for,
            render_certificates,
            sample_page,
            verify_url,
        )
        from publishing.demo import replay_closed_notice
        from publishing.models import Certificate
        from publishing.results import HonourInput, import_honours, publish_results

        organiser = accounts.create_user(
            username="org", display_name="王芳", password="Correct-Horse-9", roles=["organiser"], email="org@example.cn"
        )
        author = accounts.create_user(
            username="writer",
            display_name="李秀英",
            password="Correct-Horse-9",
            roles=["author"],
            email="writer@example.cn",
        )
        names = _names(n)
        items = [
            HonourInput(
                "first" if i < n // 10 else "second",
                "一等奖" if i < n // 10 else "二等奖",
                name,
                "临渭区第二中学",
                f"科技之光照亮乡村振兴路（{i}）",
                "征文组",
                99 - i / n,
                i + 1,
                author.id if i == 0 else None,
                i,
            )
            for i, name in enumerate(names)
        ]
        rs = import_honours(
            "competition",
            1,
            "2026年临渭区“科技兴区”主题征文活动",
            items,
            organiser,
            organiser="中共临渭区委宣传部\n临渭区科学技术局",
        )
        replay_closed_notice(rs, days_ago=20, length=5, unit="calendar", how_to_object="来电", actor=organiser)
        publish_results(rs, organiser)
        db.session.commit()

        from publishing.demo import DEMO_SEAL_SVG

        tpl = ensure_template(rs)
        update_template(tpl, organiser, seal=DEMO_SEAL_SVG.encode(), seal_type="image/svg+xml")
        db.session.commit()
        # Warm up fonts and caches once, so neither side pays the first-use cost.
        render_certificates(tpl, [sample_page(tpl, rs)])

        def app_batch():
            out = generate_certificates(rs, organiser)
            db.session.commit()
            return out

        app_time, out = _timed(app_batch)
        # The worker's peak: this process up to now, plus the helper process's own peak (what both
        # could hold at once; not RUSAGE_CHILDREN, which Linux inflates with this process's size).
        main_peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        helper_peak_mib = out.get("helper_peak_mib") or 0
        worker_peak_mib = main_peak_mib + helper_peak_mib
        zip_size = db.session.get(StoredFile, out["zip_file_id"]).size
        certs = live_certificates(rs)
        urls = [verify_url(c.token) for c in certs]
        pages = [page_for(c, tpl, "about:blank") for c in certs]  # each side draws its QR codes
        from flask import render_template

        fetcher = _fetcher_class()()
        bare_context = template_context(tpl)

        def bare_markup(pages, urls):
            # The bare side draws the same QR codes itself, as the app's helper process does.
            pages = [dict(p, qr=png_data_uri(png)) for p, png in zip(pages, qr_pngs(urls))]
            return render_template("pdf/certificate.html", pages=pages, static_base=STATIC_BASE, **bare_context)

        def bare():
            return HTML(string=bare_markup(pages, urls), base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()

        app_times, bare_times = [app_time], [_timed(bare)[0]]
        for _ in range(args.repeat - 1):
            app_times.append(_timed(app_batch)[0])
            bare_times.append(_timed(bare)[0])
        app_time, bare_time = min(app_times), min(bare_times)
        spread = f"app {'/'.join(f'{t:.1f}' for t in app_times)} s, bare {'/'.join(f'{t:.1f}' for t in bare_times)} s"
        print(
            f"BENCH batch_app {n / app_time:.1f} certificates/s ratio={bare_time / app_time:.2f} vs "
            f"bare_weasyprint_multipage_one_core({n / bare_time:.1f}/s)  "
            f"[{spread}; zip {zip_size / n / 1024:.0f} KiB/cert; {_load()}]"
        )

        first = db.session.scalar(db.select(Certificate).order_by(Certificate.serial))
        cert_id = first.id

    # One certificate: the author's download (first request renders and stores it), alternating
    # with the bare render of the same page (its QR code drawn too), best of nine each: on a busy
    # machine the best of each is the run least disturbed by other work.
    def bare_single():
        with app.test_request_context():
            markup = bare_markup(pages[:1], urls[:1])
        return HTML(string=markup, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()

    client = app.test_client()
    client.post("/login", data={"login": "writer", "password": "Correct-Horse-9"})
    timings, bare_timings = [], []
    for _ in range(9):
        with app.app_context():
            cert = db.session.get(Certificate, cert_id)
            cert.file_id = None  # force the render, as after a correction
            db.session.commit()
        t, response = _timed(lambda: client.get(f"/publishing/my/certificates/{cert_id}.pdf"))
        assert response.status_code == 200, response.status_code
        timings.append(t)
        bare_timings.append(_timed(bare_single)[0])
    app_single, bare_single_time = min(timings), min(bare_timings)
    print(
        f"BENCH single_download {app_single * 1000:.0f} ms ratio={app_single / bare_single_time:.2f} vs "
        f"bare_single_render({bare_single_time * 1000:.0f} ms)  [{_load()}]"
    )

    with app.test_request_context():
        css = (Path(app.static_folder) / "css/pdf/certificate.css").read_text()
        ascii_css = css.replace("Noto Serif CJK SC", "DejaVu Serif").replace("Noto Sans CJK SC", "DejaVu Sans")
        from flask import render_template

        tpl = db.session.merge(tpl)  # loaded again in this context's session

        def doc(style: str, pages: list[dict]) -> str:
            html = render_template(
                "pdf/certificate.html", pages=pages, static_base=STATIC_BASE, **template_context(tpl)
            )
            link = f'<link rel="stylesheet" href="{STATIC_BASE}css/pdf/certificate.css">'
            return html.replace(link, f"<style>{style}</style>")

        pages = [dict(p, qr=png_data_uri(png)) for p, png in zip(pages, qr_pngs(urls))]
        ascii_pages = [
            dict(
                p,
                recipient=f"Alice Smith {i}:",
                sentence=(
                    f"For the essay 'Light of Science on the Road to Rural Revival ({i})', awarded First Prize in the "
                    "2026 Linwei District Science Essay Competition."
                ),
                date_text="30 November 2026",
            )
            for i, p in enumerate(pages)
        ]
        cjk_time, _ = _timed(
            lambda: HTML(string=doc(css, pages), base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()
        )
        ascii_time, _ = _timed(
            lambda: HTML(string=doc(ascii_css, ascii_pages), base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()
        )
        print(
            f"BENCH cjk_batch {n / cjk_time:.1f} certificates/s ratio={cjk_time / ascii_time:.2f} vs "
            f"ascii_dejavu_batch({n / ascii_time:.1f}/s)"
        )

    print(
        f"BENCH peak_rss {worker_peak_mib:.0f} MiB ratio={worker_peak_mib / 1024:.2f} vs 1GiB_budget  "
        f"[main {main_peak_mib:.0f} + helper {helper_peak_mib:.0f} MiB]"
    )


if __name__ == "__main__":
    main()

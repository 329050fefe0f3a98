"""Cost of the allow-list judge copy (the job after each .docx/.pdf receipt).

Anchors: the deny-list scrubbers it replaced (``bench/old_scrubbers.py``:
``scrub_docx`` / ``scrub_pdf``), measured on the same file in the same run.

    python -m bench.judge_copy
"""

from __future__ import annotations

import io
import statistics
import time

PARAGRAPH = "春风又绿渭河岸，我站在老城墙上眺望远方。十年前这里还是一片低矮的平房，如今高楼林立，街道整洁。"


def _docx(paragraphs: int) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("渭河岸边", level=1)
    for i in range(paragraphs):
        paragraph = document.add_paragraph()
        paragraph.add_run(PARAGRAPH[:10]).bold = i % 5 == 0
        paragraph.add_run(PARAGRAPH[10:])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(paragraphs: int) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(paragraphs))
    return HTML(string=f"<html><body style=\"font-family: 'Noto Sans CJK SC'\">{body}</body></html>").write_pdf()


def _median_ms(function, data, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    from bench import old_scrubbers
    from essays import judge_copy

    needles = ["李秀英", "临渭区第二中学", "13812345678"]
    for kind, data, scrub in (
        ("docx", _docx(300), old_scrubbers.scrub_docx),
        ("pdf", _pdf(60), old_scrubbers.scrub_pdf),
    ):
        assert judge_copy.build(kind, data, needles).data is not None
        built = _median_ms(lambda d, kind=kind: judge_copy.build(kind, d, needles), data)
        scrubbed = _median_ms(scrub, data)
        print(f"BENCH judge_copy_{kind} {built:.0f} ms ratio={built / scrubbed:.2f} vs scrub_{kind}")


if __name__ == "__main__":
    main()

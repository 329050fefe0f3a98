"""The export module (formula guard, Chinese headers, write-only .xlsx) against bare openpyxl / csv.

Run from the repo root: ``python -m bench.exports [ROWS]``. Prints BENCH lines: the time to write
ROWS entry-list rows (17 columns, one in ten title planted with a formula) and peak Python memory.
"""

from __future__ import annotations

import csv
import io
import sys
import time
import tracemalloc


def _rows(n: int):
    for i in range(n):
        title = '=HYPERLINK("http://x","y")' if i % 10 == 0 else f"我的家乡之{i}"
        yield [
            f"ZW-{i:05d}",
            f"A{i:05d}X",
            title,
            "散文",
            "青年组",
            f"作者{i}",
            "区教育局",
            "",
            "13800000000",
            f"a{i}@example.cn",
            2400 + i % 500,
            2300 + i % 500,
            "Word文档",
            "已通过",
            "",
            "",
            "2026-11-30 10:00:00",
        ]


HEADERS = [
    "收稿编号",
    "匿名编号",
    "标题",
    "体裁",
    "组别",
    "作者",
    "单位",
    "推荐单位",
    "联系电话",
    "电子邮箱",
    "字数",
    "汉字数",
    "稿件格式",
    "状态",
    "不合格原因",
    "身份信息标记",
    "提交时间",
]


def _bare_xlsx(n: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("稿件清单")
    ws.append(HEADERS)
    for row in _rows(n):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bare_csv(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(_rows(n))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _ours(n: int, fmt: str) -> bytes:
    from core import exports

    return exports.table_bytes(exports.Table(HEADERS, _rows(n), sheet="稿件清单"), fmt)


def _measure(fn, *args) -> tuple[float, float]:
    """Seconds (untraced run), then peak traced MiB (a second run: tracing slows Python down)."""
    start = time.perf_counter()
    fn(*args)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    for fmt, bare in (("xlsx", _bare_xlsx), ("csv", _bare_csv)):
        bare_t, bare_mem = _measure(bare, n)
        ours_t, ours_mem = _measure(_ours, n, fmt)
        print(f"BENCH export_{fmt}_{n}_rows {ours_t:.2f} s ratio={ours_t / bare_t:.2f} vs bare_{fmt}")
        print(
            f"BENCH export_{fmt}_{n}_rows_peak_memory {ours_mem:.1f} MiB ratio={ours_mem / bare_mem:.2f} vs bare_{fmt}"
        )


if __name__ == "__main__":
    main()

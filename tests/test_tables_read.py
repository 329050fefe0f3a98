"""Tables and charts that read (issue #12): lists carry the phone layout class,
award tables of one list share column widths, the result-set list counts what
its header says, the certificate keeps one line per issuer, chart labels are
at least 11 px, and score matrix figures line up under their judge."""

from __future__ import annotations

import re
from pathlib import Path

from judging import charts

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
# Tables that are not lists: a matrix that scrolls, the rubric editor, a receipt of key/value rows.
NOT_LISTS = {"matrix", "rubric"}
KEY_VALUE = {"templates/essays/receipt.html"}


def test_every_list_table_stacks_on_a_phone():
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        rel = str(path.relative_to(ROOT))
        if rel.startswith("templates/pdf/") or rel in KEY_VALUE:
            continue
        for m in re.finditer(r'<table class="([^"]*)"', path.read_text(encoding="utf-8")):
            classes = set(m.group(1).split())
            if "table" in classes and not classes & NOT_LISTS and "stack" not in classes:
                missing.append(f"{rel}: {m.group(0)}")
    assert missing == []


def test_the_stylesheet_labels_stacked_cells():
    css = (ROOT / "static/css/app.css").read_text(encoding="utf-8")
    assert "content: attr(data-label)" in css and ".table.stack" in css
    assert "labelTable" in (ROOT / "static/js/app.js").read_text(encoding="utf-8")


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_award_tables_of_one_list_share_column_widths(client, published):
    html = _text(client.get(f"/public/activities/{published.id}/results"))
    tables = re.findall(r'<table class="table stack winners">(.*?)</table>', html)
    assert len(tables) >= 2  # 一等奖 and 二等奖
    colgroups = {re.search(r"<colgroup>.*?</colgroup>", t).group(0) for t in tables}
    assert len(colgroups) == 1
    css = (ROOT / "static/css/publishing.css").read_text(encoding="utf-8")
    assert re.search(r"table\.winners \{ table-layout: fixed; \}", css)
    # Personal names are never broken: 李秀英 sits in a no-wrap name cell.
    assert re.search(r'<td class="name">\s*李秀英\s*</td>', html)


def test_the_result_set_list_counts_names_awarded(client, db, draft, organiser, login):
    from publishing.results import withdraw_honour

    withdraw_honour(draft.honours[1], "弃权", organiser)
    db.session.commit()
    login(client, organiser)
    html = _text(client.get("/publishing/manage"))
    row = re.search(r"<tbody>.*?</tbody>", html).group(0)
    head = re.search(r"<thead>.*?</thead>", html).group(0)
    assert "获奖数" in head and "投稿数" not in head
    assert re.search(r'<td class="num">\s*1\s*</td>', row)  # two imported, one withdrawn


def test_the_certificate_keeps_one_line_per_issuer(client, draft, organiser, login, post):
    login(client, organiser)
    page = f"/publishing/manage/{draft.id}/template"
    form = {
        "title": "荣誉证书",
        "activity_name": "2026年科技征文活动",
        "closing": "特发此证，以资鼓励。",
        "issuers": "中共西安市临渭区委员会宣传部\n临渭区科学技术局",
        "date_style": "arabic",
        "page_size": "A4",
        "orientation": "landscape",
        "style": "classic",
        "activity_code": "ZP",
        "number_pattern": "{code}-{year}-{serial:03d}",
    }
    html = post(client, f"{page}/preview", form, page=page).get_json()["html"]
    assert "<p>中共西安市临渭区委员会宣传部</p>" in html and "<p>临渭区科学技术局</p>" in html
    css = (ROOT / "static/css/pdf/certificate.css").read_text(encoding="utf-8")
    assert re.search(r"\.cert-issuer p \{[^}]*white-space: nowrap", css)
    assert 'wrap="off"' in client.get(page).get_data(as_text=True)


def _font_sizes(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]


def test_chart_labels_are_at_least_11_px_on_a_phone():
    """Drawn 360 units wide, a chart is about 326 px wide on a 390 px phone."""
    lenient = charts.leniency_chart([("孙明", 80, 5, 4), ("欧阳晓燕", 70, 8, 4)], 100, "宽严度")
    hist = charts.histogram_chart([0, 1, 3, 2, 0, 0, 1, 0, 0, 0], 0, 100, "分布")
    for svg in (lenient, hist):
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
        assert min(_font_sizes(svg)) * 326 / width >= 11, svg[:200]


def test_score_matrix_figures_line_up_under_their_judge():
    text = (TEMPLATES / "judging/scores.html").read_text(encoding="utf-8")
    matrix = text[text.index('class="table matrix"') :]
    assert '{% for _id, name in judges %}<th class="num">' in matrix
    assert '"%.2f"|format(r.scores[jid])' in matrix
    css = (ROOT / "static/css/judging.css").read_text(encoding="utf-8")
    assert re.search(r"\.matrix th\.num, \.matrix td\.num \{[^}]*tabular-nums", css)

"""The call's notice (征文通知): typed as Markdown, shown as paragraphs, headings, lists, bold and links;
nothing unsafe survives; older HTML notices still show; the editor's preview is for organisers only."""

from __future__ import annotations

import pytest

from helpers import refused

CASES = [
    # (what the organiser types, format, must appear, must not appear)
    ("第一段。\n\n第二段。", "markdown", ["<p>第一段。</p>", "<p>第二段。</p>"], []),
    ("第一行\n第二行", "markdown", ["<p>第一行<br>\n第二行</p>"], []),
    ("    从 Word 粘贴的缩进段落", "markdown", ["<p>从 Word 粘贴的缩进段落</p>"], ["<pre", "<code"]),
    ("## 一、征文内容\n\n正文", "markdown", ["<h3>一、征文内容</h3>", "<p>正文</p>"], ["<h2"]),
    ("# 大标题", "markdown", ["<h3>大标题</h3>"], ["<h1"]),
    ("1. 理论文章\n2. 散文", "markdown", ["<ol>", "<li>理论文章</li>", "<li>散文</li>"], []),
    ("3. 三\n4. 四", "markdown", ['<ol start="3">'], []),
    ("- 原创\n- 未发表", "markdown", ["<ul>", "<li>原创</li>"], []),
    ("截止时间：**2026年6月30日**", "markdown", ["<strong>2026年6月30日</strong>"], []),
    (
        "[报名系统](https://example.cn/a)",
        "markdown",
        ['<a href="https://example.cn/a" rel="noopener noreferrer">报名系统</a>'],
        [],
    ),
    ("| 奖项 | 名额 |\n|---|---|\n| 一等奖 | 3 |", "markdown", ["<table>", "<td>一等奖</td>"], []),
    ("<script>alert(1)</script>", "markdown", ["&lt;script&gt;"], ["<script"]),
    ('<img src="x" onerror="alert(1)">', "markdown", [], ["<img"]),
    ("[点我](javascript:alert(1))", "markdown", [], ["href", "<a"]),
    ("[点我](JAVASCRIPT:alert(1))", "markdown", [], ["href", "<a"]),
    ("![图](https://example.cn/x.png)", "markdown", [], ["<img"]),
    ('<p onclick="x()">通知</p><script>alert(2)</script>', "html", ["<p>通知</p>"], ["onclick", "script", "alert"]),
    ('<img src="x" onerror="alert(1)"><p>正文</p>', "html", ["<p>正文</p>"], ["<img", "onerror"]),
    ('<a href="javascript:alert(1)">链接</a>', "html", ["链接</a>"], ["javascript", "href"]),
    ('<p style="color:red" class="x">样式</p>', "html", ["<p>样式</p>"], ["style", "class"]),
]


@pytest.mark.parametrize(("source", "fmt", "present", "absent"), CASES)
def test_notice_markdown_becomes_safe_html(source, fmt, present, absent):
    from essays.notice_markup import render

    html = render(source, fmt)
    for part in present:
        assert part in html, (source, html)
    for part in absent:
        assert part.lower() not in html.lower(), (source, html)


def test_detect_format_tells_typed_text_from_html():
    from essays.notice_markup import detect_format

    assert detect_format("第一段\n\n第二段") == "markdown"
    assert detect_format("<p>通知</p>") == "html"
    assert detect_format("一、<strong>要求</strong>") == "markdown"  # inline tags only: typed text


def _form(client, path):
    """The competition form's fields as they are, from its page."""
    import re

    page = client.get(path).get_data(as_text=True)
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', page):
        data[name] = "y"
    for name, value in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>.*?<option[^>]*selected[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    return data


def test_typed_paragraphs_show_as_paragraphs_on_the_public_page(
    app, db, client, organiser, login, csrf, make_competition
):
    comp = make_competition(notice_source="征文通知")
    login(client, organiser)
    path = f"/essays/manage/{comp.id}/edit"
    data = _form(client, path)
    data.update(
        notice_source="为弘扬爱国奋斗精神，现开展征文活动。\n\n## 一、征文要求\n\n"
        "1. 作品须为原创；\n2. 字数不超过3000字。\n\n请于截止前登录**征评系统**投稿，详见[说明](https://example.cn/guide)。",
        accepted_formats=["text", "docx"],
        csrf_token=csrf(client, path),
    )
    for row in range(5):
        data.setdefault(f"genres-{row}-count_rule", "word")
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    assert comp.notice_format == "markdown" and comp.notice_source.startswith("为弘扬")

    html = app.test_client().get(f"/public/calls/{comp.id}").get_data(as_text=True)
    assert "<p>为弘扬爱国奋斗精神，现开展征文活动。</p>" in html
    assert "<h3>一、征文要求</h3>" in html
    assert "<li>作品须为原创；</li>" in html and "<strong>征评系统</strong>" in html
    assert 'href="https://example.cn/guide"' in html

    form = client.get(path).get_data(as_text=True)  # the organiser edits what was typed, not the HTML
    assert "## 一、征文要求" in form and 'name="notice_format"' not in form


def test_an_older_html_notice_still_shows_and_is_cleaned_again_on_display(app, db, make_competition):
    comp = make_competition(notice_html="<p>旧通知第一段</p><p>第二段</p>")
    assert comp.notice_format == "html" and comp.notice_source == "<p>旧通知第一段</p><p>第二段</p>"
    comp.notice_html = '<p onclick="x()">被改动的数据</p><script>alert(1)</script>'  # stored HTML is not trusted
    db.session.commit()
    html = app.test_client().get(f"/public/calls/{comp.id}").get_data(as_text=True)
    assert "<p>被改动的数据</p>" in html and "onclick" not in html and "alert(1)" not in html


def test_an_older_html_notice_is_edited_as_markdown(app, db, client, organiser, login, csrf, make_competition):
    comp = make_competition(
        notice_html="<p>旧通知第一段，\n第二行</p><h3>一、要求</h3><ol><li>原创</li><li><b>未发表</b></li></ol>"
    )
    login(client, organiser)
    path = f"/essays/manage/{comp.id}/edit"
    form = client.get(path).get_data(as_text=True)
    assert "已转换为 Markdown" in form
    assert "旧通知第一段，第二行\n\n## 一、要求\n\n1. 原创\n2. **未发表**" in form
    data = _form(client, path)
    data.update(
        notice_source="旧通知第一段，第二行\n\n## 一、要求\n\n1. 原创\n2. **未发表**", csrf_token=csrf(client, path)
    )
    data["accepted_formats"] = ["text", "docx"]
    for row in range(5):
        data.setdefault(f"genres-{row}-count_rule", "word")
    assert client.post(path, data=data).status_code == 302
    db.session.expire_all()
    assert comp.notice_format == "markdown"
    assert comp.notice_html == (
        "<p>旧通知第一段，第二行</p>\n<h3>一、要求</h3>\n<ol>\n<li>原创</li>\n<li><strong>未发表</strong></li>\n</ol>\n"
    )


HTML_NOTICES = [
    "<p>第一段<br>第二行</p><p>第二段</p>",
    '<h2>一、征文内容</h2><p>讲述<strong>身边</strong>的故事，详见<a href="https://example.cn/a?b=1&amp;c=(2)">说明</a>。</p>',
    '<ol start="2"><li>甲</li><li>乙<ul><li>乙一</li></ul></li></ol><hr><blockquote><p>引文</p></blockquote>',
    "<table><tr><th>奖项</th><th>名额</th></tr><tr><td>一等奖</td><td>3</td></tr></table>",
    "<p>1. 不是列表，* 不是强调，# 不是标题</p><p>- 也不是列表</p>",
]


@pytest.mark.parametrize("html", HTML_NOTICES)
def test_an_older_html_notice_converts_to_markdown_that_shows_the_same(html):
    import re

    from essays.notice_markup import html_to_markdown, render

    def words(markup):  # the text and the tags that give it shape, whatever the spacing
        markup = markup.replace("h2>", "h3>").replace("<tbody>", "").replace("</tbody>", "")
        markup = re.sub(r"</?thead>|<tbody>|</tbody>", "", markup)
        return re.sub(r"\s+", "", markup)

    assert words(render(html_to_markdown(html))) == words(render(html, "html"))


def test_preview_renders_what_the_public_page_will_show(client, organiser, login, post):
    login(client, organiser)
    response = post(
        client,
        "/essays/manage/notice-preview",
        {"notice_source": "## 要求\n\n第一段\n\n<script>alert(1)</script>"},
        page="/essays/manage/new",
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.get_data(as_text=True)
    assert "<h3>要求</h3>" in html and "<p>第一段</p>" in html and "<script" not in html


def test_preview_without_a_csrf_token_is_refused(client, organiser, login):
    login(client, organiser)
    assert client.post("/essays/manage/notice-preview", data={"notice_source": "x"}).status_code == 400


def test_preview_is_for_organisers_only(app, login, csrf, organiser, author, judge, coordinator):
    users = {"author": author, "judge": judge, "coordinator": coordinator, "organiser": organiser}
    refused(
        app,
        login,
        csrf,
        users,
        [(None, "/essays/manage/notice-preview", 302), ("author", "/essays/manage/notice-preview", 403)]
        + [("judge", "/essays/manage/notice-preview", 403), ("coordinator", "/essays/manage/notice-preview", 403)],
        data={"notice_source": "**x**"},
    )


def test_new_competition_page_has_the_editor_and_its_script(client, organiser, login):
    login(client, organiser)
    html = client.get("/essays/manage/new").get_data(as_text=True)
    assert 'data-preview-url="/essays/manage/notice-preview"' in html
    assert "/static/js/notice-editor.js" in html and 'name="notice_source"' in html

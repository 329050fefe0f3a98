"""One word count, one way: the typing counter counts as the server does and shows the limit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from essays.wordcount import count_han, count_words
from helpers import LONG_TEXT, PASSWORD, post_entry, submit_as

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "static" / "js" / "wordcount.js"

TEXTS = [
    "",
    "   \n\t ",
    "清晨的薄雾还没有散去，老周已经蹲在麦田里查看苗情。",
    "“你好！”他说——“我们走吧……”",
    "《人民日报》【评论】「引号」～￥（括号）",
    "Hello, world! This is an essay.",
    "don't COVID-19 3.14 and/or 1,000 10:30 e-mail",
    "ＡＢＣ１２３ 全角字母",
    "网址 https://www.example.cn/path?q=1 和邮箱 someone@example.com 各算一个",
    "www.gov.cn。",
    "表情😀👍🏽👨‍👩‍👧🇨🇳一共四个",
    "①②③ ⑴⑵ ㉑ 列表",
    "カタカナとひらがな",
    "café naïve Ελληνικά русский",
    "𠀀𪚥 扩展区汉字 〇",
    "一、二。三；四：五？六！",
    "a—b c…d e·f",
    "2026年12月18日，第3届“渭河杯”征文共收到1,234篇作品（含PDF 56篇）。",
    "tab\there\u3000全角空格\u200b零宽",
    "行末\r\n换行\n\n段落",
]


def _script():
    spec = importlib.util.spec_from_file_location("wordcount_js", ROOT / "scripts" / "wordcount_js.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_scripts_unicode_tables_follow_the_server():
    script = _script()
    assert script.current() == script.tables(), "run scripts/wordcount_js.py"


@pytest.mark.browser
def test_the_browser_counts_as_the_server_does(page):
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(SCRIPT))
    counted = page.evaluate(
        "texts => texts.map(t => [ZpWordCount.countWords(t), ZpWordCount.countHan(t)])",
        TEXTS,
    )
    expected = [[count_words(t), count_han(t)] for t in TEXTS]
    mismatches = [(t, js, py) for t, js, py in zip(TEXTS, counted, expected) if js != py]
    assert mismatches == []


@pytest.mark.browser
def test_the_counter_shows_the_genres_rule_and_limit(page, live_server, comp, make_user, db):
    author = make_user("author")
    genres = {g.name: str(g.id) for g in comp.genres}
    comp_id, username = comp.id, author.username
    db.session.commit()
    db.session.remove()
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/essays/c/{comp_id}/submit")
    assert "散文：20至3000字（按Word字数统计）" in page.inner_text("ul.limits")
    assert "诗歌：不超过60字（只计汉字）" in page.inner_text("ul.limits")
    text = "清晨的薄雾还没有散去，老周已经蹲在麦田里查看苗情。Hello world"
    page.select_option("select[name=genre_id]", genres["散文"])
    page.fill("textarea[name=body]", text)
    assert page.inner_text("#word-counter") == f"{count_words(text)} / 3000 字（不少于20字）"
    page.select_option("select[name=genre_id]", genres["诗歌"])
    assert page.inner_text("#word-counter") == f"{count_han(text)} / 60 字"
    page.fill("textarea[name=body]", "诗" * 61)
    assert page.inner_text("#word-counter") == "61 / 60 字"
    assert "error" in page.get_attribute("#word-counter", "class")


def test_the_receipt_shows_the_count_by_the_genres_rule(client, login, comp, make_user, csrf):
    author = make_user("author")
    poem = "春风又绿渭河岸，Spring comes again。"
    entry_id = submit_as(client, login, author, comp, csrf, genre_id=comp.genres[1].id, body=poem)
    page = client.get(f"/essays/entry/{entry_id}/receipt").get_data(as_text=True)
    assert f"{count_han(poem)} / 60 字" in page and "汉字数" in page
    response = post_entry(client, comp, csrf, title="第二篇")
    entry_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    page = client.get(f"/essays/entry/{entry_id}/receipt").get_data(as_text=True)
    assert f"{count_words(LONG_TEXT)} / 3000 字（不少于20字）" in page

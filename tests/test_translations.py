"""Chinese without slips: one translation per meaning, no gaps, no ASCII punctuation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent

# English words this app uses with more than one meaning: each use names its
# meaning with a message context (pgettext / NC_), e.g. "Open" is 待处理 for an
# objection and 进入 on a button, "Length" 字数 for a text, "From"/"To" 从/至 in a
# date range but 收件人/反映人 for a message or an objection.
NEEDS_CONTEXT = {"From", "To", "Open", "Closed", "Length"}

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "_l": None,
    "lazy_gettext": None,
    "lazy_pgettext": ((1, "c"), 2),
    "NC_": ((1, "c"), 2),
    "Nn_": (1, 2),
}


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _extracted():
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        yield f"{filename}:{lineno}", context, msgid


def test_ambiguous_words_always_say_which_meaning():
    bare = [f"{where}: {msgid!r}" for where, context, msgid in _extracted() if msgid in NEEDS_CONTEXT and not context]
    assert bare == []


def test_every_message_has_a_chinese_translation_in_the_parts():
    parts = _i18n_script().load_parts()
    missing = sorted({(c, m) for _where, c, m in _extracted() if (c or None, m) not in parts}, key=str)
    assert missing == []


def test_the_parts_give_one_translation_per_message():
    assert _i18n_script().conflicts() == []


def test_catalog_is_complete_and_uses_chinese_punctuation():
    po = ROOT / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    assert _i18n_script().catalog_problems(catalog) == []


def test_ascii_punctuation_after_chinese_is_found():
    find = _i18n_script().ascii_punctuation
    assert find("作品已提交.")
    assert find("单位, 姓名")
    assert find("（北京时间）.")
    assert not find("请上传 .docx 文件。")
    assert not find("满分 2.5 分")
    assert not find("电子邮箱：a@b.cn")


def test_parts_lines_carry_a_context(tmp_path):
    script = _i18n_script()
    (tmp_path / "a.txt").write_text(
        "objection ::: Open ||| 待处理\nOpen ||| 打开\n# a comment ||| x\n", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text("button ::: Open ||| 进入\nOpen ||| 开启\n", encoding="utf-8")
    parts = script.load_parts(tmp_path)
    assert parts[("objection", "Open")] == "待处理"
    assert parts[("button", "Open")] == "进入"
    assert parts[(None, "Open")] == "打开"
    assert len(parts) == 3
    assert len(script.conflicts(tmp_path)) == 1


def test_labels_with_a_context_translate_by_their_meaning(app_ctx):
    from essays.models import CompetitionStatus
    from judging.models import RoundState
    from publishing.models import ObjectionStatus

    assert ObjectionStatus.OPEN.label == "待处理"
    assert CompetitionStatus.CLOSED.label == "已截稿"
    assert RoundState.CLOSED.label == "已结束"
    assert dict(ObjectionStatus.choices())["open"] == "待处理"


def test_wtforms_own_messages_are_in_proper_chinese(client, csrf):
    token = csrf(client, "/register")
    data = {"csrf_token": token, "username": "x", "email": "not-an-address", "password": "short"}
    page = client.post("/register", data=data).get_data(as_text=True)
    assert "电子邮箱地址格式不正确。" in page
    assert "无效的" not in page and "Email 地址" not in page
    assert "此项为必填项。" in page


def test_date_range_and_labels_read_in_chinese(client, make_user, login):
    login(client, make_user("admin"))
    html = client.get("/audit").get_data(as_text=True)
    assert '从 <input type="date" name="since"' in html and '至 <input type="date" name="until"' in html
    assert "起 <input" not in html and "止 <input" not in html

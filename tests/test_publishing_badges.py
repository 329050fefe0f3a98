"""Every badge and flash colour a template asks for exists in the stylesheet.

One set of names: badges ok, warn, danger, info, brand; flashes success, warning, error, info.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")

QUOTED = re.compile(r"""(['"])([^'"]*)\1""")
# Quoted strings that are not class names: dict keys, comparison operands, method arguments.
NOT_CLASSES = [
    re.compile(p)
    for p in (
        r"""(['"])[^'"]*\1\s*:""",  # {'draft': ...}
        r"""(?:==|!=|\bin)\s*(['"])[^'"]*\1""",  # x == 'open'
        r"""\.\w+\(\s*(['"])[^'"]*\1""",  # r.rule.startswith("needs")
        r"""\b_\(\s*(['"])[^'"]*\1""",  # translated text
    )
]


def _call_args(text: str, start: int) -> str:
    """The text between the parenthesis at ``start`` and its partner."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
        i += 1
    return text[start + 1 :]


def _top_level_split(args: str) -> list[str]:
    parts, depth, quote, current = [], 0, None, ""
    for ch in args:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return parts


def _classes_in_expression(expr: str, sets: dict[str, str]) -> set[str]:
    for name, value in sets.items():  # {% set kinds = {...} %} used inside the expression
        if re.search(rf"\b{name}\b", expr):
            expr += " " + value
    for pattern in NOT_CLASSES:
        expr = pattern.sub(" ", expr)
    return {word for _, value in QUOTED.findall(expr) for word in value.split()}


def badge_classes() -> dict[str, set[str]]:
    """Template → badge modifier classes it can produce."""
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        sets = {m.group(1): m.group(2) for m in re.finditer(r"{%-?\s*set\s+(\w+)\s*=\s*({.*?})\s*-?%}", text, re.S)}
        found: set[str] = set()
        # The macro: badge(text, kind)
        for m in re.finditer(r"(?<![\w.])badge\(", text):
            if text[max(0, m.start() - 6) : m.start()] == "macro ":
                continue
            parts = _top_level_split(_call_args(text, m.end() - 1))
            for part in parts[1:]:
                found |= _classes_in_expression(part.replace("kind=", ""), sets)
        # Literal markup: class="badge ..." with words and {{ expressions }}
        for m in re.finditer(r'class="badge(?:\s+([^"]*))?"', text):
            value = m.group(1) or ""
            for expr in re.findall(r"{{(.*?)}}", value):
                found |= _classes_in_expression(expr, sets)
            found |= set(re.sub(r"{{.*?}}", " ", value).split())
        found.discard("{{")
        found = {c for c in found if c and c != "badge" and not c.startswith("{")}
        if found:
            out[str(path.relative_to(ROOT))] = found
    return out


def test_the_scan_sees_badges():
    classes = badge_classes()
    assert "danger" in classes["templates/publishing/verify.html"]
    assert {"warn", "ok", "danger"} <= classes["templates/publishing/manage_result.html"]


def test_every_badge_class_used_in_a_template_exists_in_the_stylesheet():
    missing = {
        f"{template}: .badge.{cls}"
        for template, classes in badge_classes().items()
        for cls in classes
        if not re.search(rf"\.badge\.{re.escape(cls)}(?![\w-])", CSS)
    }
    assert not missing, sorted(missing)


def test_every_badge_colour_can_be_checked():
    """A badge whose colour comes from a bare variable would escape the scan above:
    every kind argument must name its classes in the template itself."""
    unchecked = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        sets = {m.group(1) for m in re.finditer(r"{%-?\s*set\s+(\w+)\s*=\s*{", text)}
        for m in re.finditer(r"(?<![\w.])badge\(", text):
            if text[max(0, m.start() - 6) : m.start()] == "macro ":
                continue
            parts = _top_level_split(_call_args(text, m.end() - 1))
            for part in parts[1:]:
                expr = part.replace("kind=", "").strip()
                if expr and not QUOTED.search(expr) and not any(re.search(rf"\b{s}\b", expr) for s in sets):
                    unchecked.append(f"{path.relative_to(ROOT)}: badge(..., {expr})")
    assert unchecked == []


FLASH_CALL = r"""flash\([^()]*(?:\([^()]*\)[^()]*)*,\s*["'](\w+)["']\s*\)"""
FLASH_CLASS = r'class="flash flash-(\w+)'


def test_every_flash_category_has_a_colour():
    """Flash messages use the same words everywhere: success, warning, error (else info)."""
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    shown = set(re.search(r"category in \(([^)]*)\)", base).group(1).replace("'", " ").replace(",", " ").split())
    used = set()
    for package in ("accounts", "core", "essays", "judging", "nominations", "publishing"):
        for path in (ROOT / package).rglob("*.py"):
            used |= set(re.findall(FLASH_CALL, path.read_text("utf-8")))
    assert used and used <= shown, used - shown
    templates = (ROOT / "templates").rglob("*.html")
    literal = {c for path in templates for c in re.findall(FLASH_CLASS, path.read_text("utf-8"))}
    missing = {c for c in shown | literal | {"info"} if f".flash-{c} " not in CSS}
    assert missing == set()

"""Refresh the translation catalogs.

1. Extract every marked string (gettext, lazy_gettext, N_, pgettext, NC_,
   templates) into translations/messages.pot.
2. Update translations/zh_Hans_CN and translations/en from it.
3. Set the Chinese translations from translations/zh_parts/*.txt, one per line::

       English msgid ||| 中文
       context ::: English msgid ||| 中文

   The parts are the source of the Chinese: a line replaces what the catalog
   held, so a corrected translation reaches the catalog on the next run. A
   context line applies to ``pgettext(context, msgid)`` / ``NC_`` only.
4. Report problems (exit 1 if --check): strings without a Chinese translation,
   a msgid (with its context) translated differently in two parts files, ASCII
   punctuation right after Chinese text.
5. Compile the catalogs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TR = ROOT / "translations"
PARTS = TR / "zh_parts"
BIN = Path(sys.executable).parent

Key = tuple[str | None, str]  # (context, msgid)

# A full stop, comma, semicolon, colon, question or exclamation mark typed in
# ASCII right after a Han character or a closing Chinese bracket/quote: Chinese
# text takes the full-width marks (。，；：？！). Decimal points and file
# extensions (“.docx”) are not punctuation and are left alone.
_ASCII_AFTER_HAN = re.compile(r"[\u3400-\u9fff）」”》][.,;:?!](?![0-9A-Za-z])")


def run(*args: str) -> None:
    subprocess.run([str(BIN / "pybabel"), *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def parse_line(line: str) -> tuple[Key, str] | None:
    """``(context, msgid), msgstr`` of one parts line, or None for a comment/blank line."""
    if "|||" not in line or line.lstrip().startswith("#"):
        return None
    left, msgstr = (s.strip().replace("\\n", "\n") for s in line.split("|||", 1))
    context = None
    if " ::: " in left:
        context, left = (s.strip() for s in left.split(" ::: ", 1))
    if not left or not msgstr:
        return None
    return (context or None, left), msgstr


def read_parts(folder: Path = PARTS) -> dict[Key, list[tuple[str, str]]]:
    """Every translation the parts files give: key -> [(msgstr, "file:line"), ...]."""
    found: dict[Key, list[tuple[str, str]]] = {}
    for path in sorted(folder.glob("*.txt")) if folder.exists() else []:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            parsed = parse_line(line)
            if parsed:
                key, msgstr = parsed
                found.setdefault(key, []).append((msgstr, f"{path.name}:{number}"))
    return found


def load_parts(folder: Path = PARTS) -> dict[Key, str]:
    """key -> msgstr; where files disagree, the first file (by name) wins."""
    return {key: given[0][0] for key, given in read_parts(folder).items()}


def conflicts(folder: Path = PARTS) -> list[str]:
    """One line per msgid that two parts lines translate differently."""
    out = []
    for (context, msgid), given in read_parts(folder).items():
        if len({msgstr for msgstr, _where in given}) > 1:
            name = f"{context} ::: {msgid}" if context else msgid
            out.append(f"{name!r}: " + " | ".join(f"{msgstr} ({where})" for msgstr, where in given))
    return out


def ascii_punctuation(text: str) -> list[str]:
    """The places where ASCII punctuation follows Chinese text."""
    return [text[max(0, m.start() - 6) : m.end() + 2] for m in _ASCII_AFTER_HAN.finditer(text)]


def _key(message) -> Key:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (message.context or None, msgid)


def _strings(message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def catalog_problems(catalog) -> list[str]:
    """Untranslated messages and ASCII punctuation after Chinese in a catalog."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        context, msgid = _key(message)
        name = f"{context} ::: {msgid}" if context else msgid
        strings = _strings(message)
        if not all(strings):
            problems.append(f"untranslated: {name!r}")
        for text in strings:
            for place in ascii_punctuation(text or ""):
                problems.append(f"ASCII punctuation after Chinese in {name!r}: …{place}…")
    return problems


def main() -> int:
    check = "--check" in sys.argv
    pot = TR / "messages.pot"
    keywords = ["N_", "_l", "lazy_gettext", "lazy_pgettext:1c,2", "NC_:1c,2", "Nn_:1,2"]
    run("extract", "-F", "babel.cfg", *(a for k in keywords for a in ("-k", k)), "--no-location", "--sort-output",
        "--omit-header", "-o", str(pot), ".")  # fmt: skip
    for lang in ("zh_Hans_CN", "en"):
        po = TR / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            run("update", "-i", str(pot), "-d", str(TR), "-l", lang, "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            run("init", "-i", str(pot), "-d", str(TR), "-l", lang)
    po_path = TR / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale="zh_Hans_CN")
    parts = load_parts()
    for message in catalog:
        if not message.id:
            continue
        msgstr = parts.get(_key(message))
        if msgstr:
            message.string = msgstr if isinstance(message.id, str) else (msgstr,) * max(1, len(_strings(message)))
        message.flags.discard("fuzzy")
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, no_location=True)
    run("compile", "-d", str(TR), "--statistics")
    problems = conflicts() + catalog_problems(catalog)
    for problem in problems:
        print("  ", problem)
    if problems:
        print(f"{len(problems)} translation problems")
        return 1 if check else 0
    print("every string has one Chinese translation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

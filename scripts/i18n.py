"""Refresh the translation catalogs.

1. Extract every marked string (gettext, lazy_gettext, N_, templates) into
   translations/messages.pot.
2. Update translations/zh_Hans_CN and translations/en from it.
3. Fill Chinese translations from translations/zh_parts/*.txt
   (``msgid ||| msgstr`` per line) where the catalog has none yet.
4. Report strings that still lack a Chinese translation (exit 1 if --check).
5. Compile the catalogs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TR = ROOT / "translations"
BIN = Path(sys.executable).parent


def run(*args: str) -> None:
    subprocess.run([str(BIN / "pybabel"), *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def load_parts() -> dict[str, str]:
    parts: dict[str, str] = {}
    for path in sorted((TR / "zh_parts").glob("*.txt")) if (TR / "zh_parts").exists() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "|||" not in line:
                continue
            msgid, msgstr = (s.strip().replace("\\n", "\n") for s in line.split("|||", 1))
            if msgid and msgstr:
                parts.setdefault(msgid, msgstr)
    return parts


def main() -> int:
    check = "--check" in sys.argv
    pot = TR / "messages.pot"
    run(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "N_",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(pot),
        ".",
    )
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
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            if key in parts:
                message.string = parts[key] if isinstance(message.id, str) else (parts[key],)
            else:
                missing.append(key)
        message.flags.discard("fuzzy")
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, no_location=True)
    run("compile", "-d", str(TR), "--statistics")
    if missing:
        print(f"{len(missing)} strings lack a Chinese translation:")
        for m in missing:
            print("  ", m)
        return 1 if check else 0
    print("every string has a Chinese translation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

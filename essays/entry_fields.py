"""Entry fields the organiser defines per activity (指导教师, 年级, 联系地址, co-authors …): pure rules.

A competition keeps its field definitions in ``Competition.entry_fields`` and
each entry its values in ``Submission.field_values`` (both JSON): the values
are always read whole, per entry (submit page, export, certificates), never
queried field by field, and each activity has its own fields.

A definition is a dict::

    {"key": "f1", "label": "指导教师", "type": "people", "required": True,
     "judge_visible": False, "no_identity": False, "choices": [], "teacher": True}

Fields are private (never shown to judges) unless the organiser makes them
judge-visible, which is allowed only for a field the organiser has ticked as
carrying no identity, and never for a list of people or a teacher field.
``judge_visible_fields`` is what ``essays.blind`` reads; nothing else
projects a field for judges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from core.enums import LabelledEnum
from core.errors import UserError
from core.i18n_markers import N_, NC_


class FieldType(LabelledEnum):
    TEXT = "text", N_("Short text")
    LONG_TEXT = "long_text", N_("Long text")
    NUMBER = "number", NC_("entry field", "Number")
    CHOICE = "choice", N_("Choice from a list")
    PEOPLE = "people", N_("List of people (name, unit)")


MAX_FIELDS = 20
MAX_LABEL = 40
MAX_TEXT = {FieldType.TEXT: 200, FieldType.LONG_TEXT: 2000}
MAX_PEOPLE = 20
INPUT_PREFIX = "xf_"
_SEPARATORS = re.compile(r"[，,、；;\t]")


def input_name(defn: Mapping) -> str:
    """The name of a field's input on the submit page."""
    return INPUT_PREFIX + defn["key"]


def normalise_definitions(rows: Iterable[Mapping], existing: Iterable[Mapping] = ()) -> list[dict]:
    """The organiser's rows (empty labels dropped) as checked definitions; keys stay stable."""
    used = {d.get("key") for d in existing}
    out: list[dict] = []
    labels: set[str] = set()
    for row in rows:
        label = " ".join(str(row.get("label") or "").split())
        if not label:
            continue
        if len(label) > MAX_LABEL:
            raise UserError(N_("Entry field %(label)s: the name is longer than 40 characters."), label=label[:20])
        if label in labels:
            raise UserError(N_("Entry field names must be different."))
        labels.add(label)
        try:
            kind = FieldType(row.get("type") or FieldType.TEXT)
        except ValueError:
            raise UserError(N_("Entry field %(label)s: unknown type."), label=label) from None
        choices = [c for c in (" ".join(str(c).split()) for c in row.get("choices") or []) if c]
        if kind == FieldType.CHOICE and len(choices) < 2:
            raise UserError(N_("Entry field %(label)s: give at least two choices."), label=label)
        judge_visible, no_identity = bool(row.get("judge_visible")), bool(row.get("no_identity"))
        teacher = bool(row.get("teacher"))
        if teacher and kind not in (FieldType.TEXT, FieldType.PEOPLE):
            raise UserError(
                N_("Entry field %(label)s: only a short text or a list of people can name teachers."), label=label
            )
        if judge_visible and (kind == FieldType.PEOPLE or teacher):
            raise UserError(N_("Entry field %(label)s names people and cannot be shown to judges."), label=label)
        if judge_visible and not no_identity:
            raise UserError(
                N_("Entry field %(label)s: tick that it carries no identity before showing it to judges."),
                label=label,
            )
        key = str(row.get("key") or "")
        if not re.fullmatch(r"f\d{1,4}", key) or key in {d["key"] for d in out}:
            key = _new_key(used | {d["key"] for d in out})
        used.add(key)
        out.append(
            {
                "key": key,
                "label": label,
                "type": kind.value,
                "required": bool(row.get("required")),
                "judge_visible": judge_visible,
                "no_identity": no_identity,
                "choices": choices if kind == FieldType.CHOICE else [],
                "teacher": teacher,
            }
        )
    if len(out) > MAX_FIELDS:
        raise UserError(N_("An activity can have at most %(n)s entry fields."), n=MAX_FIELDS)
    return out


def _new_key(used: set) -> str:
    n = 1
    while f"f{n}" in used:
        n += 1
    return f"f{n}"


def parse_people(text: str) -> list[dict]:
    """One person a line: "姓名，单位" (the unit may be left out)."""
    people = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, _sep, unit = (part.strip() for part in _split_once(line))
        people.append({"name": name[:40], "unit": unit[:120]})
    return people


def _split_once(line: str) -> tuple[str, str, str]:
    match = _SEPARATORS.search(line)
    if match is None:
        return line, "", ""
    return line[: match.start()], match.group(), line[match.end() :]


def clean_values(definitions: Iterable[Mapping], raw: Mapping[str, str], *, complete: bool = True) -> dict:
    """The values typed on the submit page, checked against the definitions.

    ``raw`` maps a field's key to what was typed. ``complete`` (a submission,
    not a draft) also requires the required fields. Unknown keys are dropped.
    """
    values: dict = {}
    for defn in definitions:
        label, kind = defn["label"], FieldType(defn["type"])
        text = str(raw.get(defn["key"]) or "").strip()
        if not text:
            if complete and defn.get("required"):
                raise UserError(N_("Please fill in %(label)s."), label=label)
            continue
        if kind in MAX_TEXT:
            if len(text) > MAX_TEXT[kind]:
                raise UserError(N_("%(label)s is longer than %(n)s characters."), label=label, n=MAX_TEXT[kind])
            values[defn["key"]] = text
        elif kind == FieldType.NUMBER:
            values[defn["key"]] = _number(text, label)
        elif kind == FieldType.CHOICE:
            if text not in defn.get("choices", []):
                raise UserError(N_("%(label)s: choose one of the listed options."), label=label)
            values[defn["key"]] = text
        else:
            people = parse_people(text)
            if len(people) > MAX_PEOPLE:
                raise UserError(N_("%(label)s: at most %(n)s people."), label=label, n=MAX_PEOPLE)
            if any(not p["name"] for p in people):
                raise UserError(N_("%(label)s: every line needs a name before the unit."), label=label)
            values[defn["key"]] = people
    return values


def _number(text: str, label: str) -> int | float:
    try:
        number = float(text.replace("，", "").replace(",", ""))
    except ValueError:
        raise UserError(N_("%(label)s: enter a number."), label=label) from None
    if number != number or abs(number) > 1e9:  # NaN or absurd
        raise UserError(N_("%(label)s: enter a number."), label=label)
    return int(number) if number.is_integer() else number


def display_value(defn: Mapping, value) -> str:
    """A stored value as one line of text (exports, pages)."""
    if value is None or value == "" or value == []:
        return ""
    if defn.get("type") == FieldType.PEOPLE:
        return "；".join(f"{p['name']}（{p['unit']}）" if p.get("unit") else p["name"] for p in value)
    return str(value)


def raw_value(defn: Mapping, value) -> str:
    """A stored value as the submit page's input shows it again."""
    if defn.get("type") == FieldType.PEOPLE:
        return "\n".join(f"{p['name']}，{p['unit']}" if p.get("unit") else p["name"] for p in value or [])
    return "" if value is None else str(value)


def judge_visible_fields(definitions: Iterable[Mapping] | None, values: Mapping | None) -> tuple[tuple[str, str], ...]:
    """(label, value) of the judge-visible fields an entry filled in; private fields never."""
    values = values or {}
    return tuple(
        (d["label"], display_value(d, values.get(d["key"])))
        for d in definitions or []
        if d.get("judge_visible")
        and d.get("no_identity")
        and d.get("type") != FieldType.PEOPLE
        and not d.get("teacher")
        and display_value(d, values.get(d["key"]))
    )


def teachers(definitions: Iterable[Mapping] | None, values: Mapping | None) -> list[tuple[str, str]]:
    """(name, unit) of the people an entry names in its teacher fields (指导教师)."""
    values = values or {}
    out: list[tuple[str, str]] = []
    for d in definitions or []:
        if not d.get("teacher"):
            continue
        value = values.get(d["key"])
        if d.get("type") == FieldType.PEOPLE:
            out += [(p["name"], p.get("unit", "")) for p in value or [] if p.get("name")]
        elif value:
            out += [(name.strip(), "") for name in _SEPARATORS.split(str(value)) if name.strip()]
    return out

"""Read a user sheet (.xlsx or .csv) into rows; pure, no database.

The first row holds the headers. Chinese headers are expected (the template
an admin downloads has them); English ones are accepted too.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from core.archives import check_workbook
from core.errors import UserError
from core.i18n_markers import N_

HEADERS = {
    "username": ("用户名", "username", "账号"),
    "display_name": ("姓名", "name", "display_name"),
    "phone": ("手机", "手机号", "电话", "phone"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail"),
    "unit": ("单位", "unit"),
    "roles": ("角色", "roles", "role"),
    "password": ("初始密码", "密码", "password"),
}
REQUIRED = ("username", "display_name", "roles")
TEMPLATE_HEADERS = ["用户名", "姓名", "手机", "邮箱", "单位", "角色", "初始密码"]

ROLE_WORDS = {
    "admin": "admin",
    "管理员": "admin",
    "系统管理员": "admin",
    "organiser": "organiser",
    "organizer": "organiser",
    "组织者": "organiser",
    "宣传部": "organiser",
    "活动组织者": "organiser",
    "coordinator": "coordinator",
    "单位联络员": "coordinator",
    "联络员": "coordinator",
    "judge": "judge",
    "评委": "judge",
    "committee": "committee",
    "评审委员会委员": "committee",
    "委员": "committee",
    "author": "author",
    "作者": "author",
}

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-@]{3,64}$")


@dataclass
class SheetRow:
    line: int
    values: dict[str, str]
    roles: list[str] = field(default_factory=list)
    errors: list[tuple[str, dict]] = field(default_factory=list)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores phone numbers as numbers
    return str(value).strip()


def read_table(filename: str, data: bytes) -> list[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise UserError(N_("The file is not a valid .xlsx workbook."))
        from openpyxl import load_workbook  # only when a workbook is read

        check_workbook(data)  # openpyxl trusts the ZIP's declared sizes
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise UserError(N_("The file is not a valid .xlsx workbook.")) from exc
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UserError(N_("The CSV file is neither UTF-8 nor GBK encoded."))
        return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]
    raise UserError(N_("Please upload an .xlsx or .csv file."))


def parse_rows(table: list[list[str]]) -> list[SheetRow]:
    """Map columns by header and check each row's shape."""
    if not table or not any(table[0]):
        raise UserError(N_("The sheet is empty."))
    header = [h.strip().lower() for h in table[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in [n.lower() for n in names]:
                columns[key] = i
                break
    missing = [HEADERS[k][0] for k in REQUIRED if k not in columns]
    if missing:
        raise UserError(N_("The sheet lacks these columns: %(columns)s"), columns="、".join(missing))
    rows = []
    for line, raw in enumerate(table[1:], start=2):
        if not any(raw):
            continue
        values = {k: (raw[i] if i < len(raw) else "") for k, i in columns.items()}
        row = SheetRow(line=line, values=values)
        if not USERNAME_RE.match(values["username"]):
            row.errors.append((N_("User name must be 3–64 letters, digits or _.-@"), {}))
        if not values["display_name"]:
            row.errors.append((N_("Name is required."), {}))
        if values.get("phone") and not PHONE_RE.match(values["phone"].replace(" ", "")):
            row.errors.append((N_("Phone number %(value)s is not valid."), {"value": values["phone"]}))
        if values.get("email") and not EMAIL_RE.match(values["email"]):
            row.errors.append((N_("E-mail address %(value)s is not valid."), {"value": values["email"]}))
        words = [w for w in re.split(r"[,，、;；\s]+", values["roles"]) if w]
        if not words:
            row.errors.append((N_("At least one role is required."), {}))
        for word in words:
            role = ROLE_WORDS.get(word.lower())
            if role is None:
                row.errors.append((N_("Unknown role: %(value)s"), {"value": word}))
            elif role not in row.roles:
                row.roles.append(role)
        rows.append(row)
    if not rows:
        raise UserError(N_("The sheet has no data rows."))
    return rows

"""The certificate template of a result set: its fields, checks and seal."""

from __future__ import annotations

import base64

from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.storage import read_file, store_bytes
from publishing import formats
from publishing.models import CertificateTemplate, ResultSet

PAGE_SIZES = ("A4", "A5", "B5")
ORIENTATIONS = ("landscape", "portrait")
STYLES = ("classic", "gold", "plain")


def ensure_template(rs: ResultSet) -> CertificateTemplate:
    if rs.template is None:
        rs.template = CertificateTemplate(
            title="荣誉证书",
            activity_name=rs.title.removesuffix("获奖名单"),
            closing=formats.CERTIFICATE_CLOSING,
            issuers=rs.organiser or "",
            date_style="chinese_with_day",
            page_size="A4",
            orientation="landscape",
            style="classic",
            activity_code="ZP",
            number_pattern="{code}-{year}-{level_no}{serial:04d}",
        )
        db.session.flush()
    return rs.template


TEMPLATE_FIELDS = (
    "title",
    "activity_name",
    "closing",
    "issuers",
    "issue_date",
    "date_style",
    "page_size",
    "orientation",
    "style",
    "activity_code",
    "number_pattern",
)


def update_template(
    tpl: CertificateTemplate,
    actor,
    *,
    seal: bytes | None = None,
    seal_type: str = "",
    remove_seal: bool = False,
    **fields,
) -> CertificateTemplate:
    check_template_fields(fields)
    before = {k: getattr(tpl, k) for k in TEMPLATE_FIELDS}
    for key, value in fields.items():
        if key not in TEMPLATE_FIELDS:
            raise TypeError(key)
        setattr(tpl, key, value.strip() if isinstance(value, str) else value)
    if remove_seal:
        tpl.seal_file_id = None
    if seal:
        if seal_type not in ("image/png", "image/jpeg", "image/svg+xml"):
            raise UserError(N_("The seal must be a PNG, JPEG or SVG image."))
        suffix = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}[seal_type]
        stored = store_bytes(
            seal, content_type=seal_type, original_name="seal" + suffix, suffix=suffix, created_by=actor
        )
        db.session.flush()
        tpl.seal_file_id = stored.id
    changes = audit.diff(before, {k: getattr(tpl, k) for k in TEMPLATE_FIELDS})
    if seal or remove_seal:
        changes["seal"] = ["", "new" if seal else "removed"]
    audit.record(
        "certificate_template.update",
        tpl,
        actor=actor,
        changes=changes,
        label=tpl.result_set.title if tpl.result_set else "",
    )
    db.session.flush()
    return tpl


def check_template_fields(fields: dict) -> None:
    if "number_pattern" in fields:
        formats.validate_number_pattern(fields["number_pattern"])
    if fields.get("date_style", "arabic") not in formats.DATE_STYLES:
        raise UserError(N_("Unknown date style."))
    if (
        fields.get("page_size", "A4") not in PAGE_SIZES
        or fields.get("orientation", "landscape") not in ORIENTATIONS
        or fields.get("style", "classic") not in STYLES
    ):
        raise UserError(N_("Unknown page layout."))
    if "title" in fields and not (fields["title"] or "").strip():
        raise UserError(N_("The certificate needs a title."))
    if "activity_name" in fields and not (fields["activity_name"] or "").strip():
        raise UserError(N_("The activity name is missing."))


def seal_data_uri(tpl: CertificateTemplate) -> str | None:
    if tpl.seal_file is None:
        return None
    data = read_file(tpl.seal_file)
    return f"data:{tpl.seal_file.content_type};base64," + base64.b64encode(data).decode()


def template_context(tpl: CertificateTemplate) -> dict:
    return {"tpl": tpl, "issuers": tpl.issuer_lines, "seal": seal_data_uri(tpl)}


def template_field_errors(fields: dict) -> list[str]:
    """What :func:`check_template_fields` refuses, as messages (the live preview shows them)."""
    try:
        check_template_fields(fields)
    except UserError as exc:
        return [exc.render()]
    return []


class DraftTemplate:
    """The template as typed in the form, not saved: for the live preview."""

    def __init__(self, tpl: CertificateTemplate, fields: dict) -> None:
        self.__dict__.update({k: getattr(tpl, k) for k in TEMPLATE_FIELDS})
        self.seal_file = tpl.seal_file
        self.__dict__.update({k: v for k, v in fields.items() if v not in (None, "")})

    @property
    def issuer_lines(self) -> list[str]:
        return [line.strip() for line in (self.issuers or "").splitlines() if line.strip()]

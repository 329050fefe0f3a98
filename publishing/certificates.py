"""Certificates: numbering, revoking, page text, rendering one or a whole batch."""

from __future__ import annotations

import datetime as dt
import os
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.fonts import missing_glyphs
from core.i18n_markers import N_
from core.pdf import GENERATED_BASE, merge_documents, render_pdf
from core.storage import store_bytes, store_finished_file, temp_path
from core.urls import external_url
from publishing import certificate_files, formats
from publishing.certificate_files import (
    BatchHelper,
    abandon_zip,
    finish_zip,
    qr_pngs,
    single_file_name,
    zip_singles,
)
from publishing.certificate_template import ensure_template, template_context
from publishing.clock import local_date, today_local
from publishing.models import (
    Certificate,
    CertificateTemplate,
    Honour,
    RecipientKind,
    ResultSet,
    ResultState,
    SourceType,
)
from publishing.notifications import tell_certificates_ready
from publishing.winners import grouped_honours

# Pages per WeasyPrint document in a batch: fonts are subset once per document, so
# bigger is faster; a cap keeps a worker's memory bounded and lets the bar move.
BATCH_CHUNK = 250
# From this many pages on, a batch is rendered in two chunks at least, with the helper process.
PARALLEL_FROM = 60


def _number_for(tpl: CertificateTemplate, honour: Honour, serial: int, year: int) -> str:
    level_no = formats.level_order(honour.level_code) if honour.level_code in formats.LEVEL_CODES else 9
    return formats.certificate_number(
        tpl.number_pattern,
        code=tpl.activity_code,
        year=year,
        level=honour.level_code or "x",
        level_no=level_no,
        serial=serial,
        group=honour.group_label or "-",
    )


def issue_certificates(rs: ResultSet, actor) -> list[Certificate]:
    """Number a certificate for every honour of a published list that has none yet."""
    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("Certificates are issued only for published results."))
    tpl = ensure_template(rs)
    issue_date = tpl.issue_date or local_date(rs.published_at)
    serial = (
        db.session.scalar(select(func.max(Certificate.serial)).join(Honour).where(Honour.result_set_id == rs.id)) or 0
    )
    new: list[Certificate] = []
    ordered = [h for level in grouped_honours(rs) for g in level["groups"] for h in g["rows"]]
    numbers = [c.number for c in db.session.scalars(select(Certificate))] if ordered else []
    taken = set(numbers)
    for honour in ordered:
        if honour.certificate is not None:
            continue
        serial += 1
        number = _number_for(tpl, honour, serial, issue_date.year)
        if number in taken:
            raise UserError(
                N_(
                    "The certificate number %(number)s is already used by another activity; "
                    "change the activity code or the number pattern."
                ),
                number=number,
            )
        taken.add(number)
        cert = Certificate(
            honour=honour, serial=serial, number=number, token=secrets.token_urlsafe(24), issue_date=issue_date
        )
        db.session.add(cert)
        new.append(cert)
    db.session.flush()
    if new:
        audit.record(
            "certificates.issue",
            rs,
            actor=actor,
            changes={"issued": len(new), "first": new[0].number, "last": new[-1].number},
        )
        tell_certificates_ready([c.honour for c in new], rs)
    return new


def revoke_certificate(cert: Certificate, reason: str, actor) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for revoking the certificate."))
    if cert.revoked:
        raise UserError(N_("This certificate is already revoked."))
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason
    cert.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("certificate.revoke", cert, actor=actor, changes={"reason": reason})
    return cert


def verify_url(token: str) -> str:
    return external_url("publishing.verify", token=token)


def qr_data_uri(url: str) -> str:
    return certificate_files.qr_data_uri(url)


def recipient_line(honour_name: str, kind: str) -> str:
    # 同志 is the form of address for a person; teams and units are named as they are.
    return f"{honour_name} 同志：" if RecipientKind(kind) == RecipientKind.PERSON else f"{honour_name}："


def certificate_page(
    tpl: CertificateTemplate,
    *,
    source_type: str,
    recipient_name: str,
    recipient_kind: str,
    recipient_unit: str,
    work_title: str | None,
    level_text: str,
    number: str,
    token: str,
    issue_date: dt.date,
    revoked: bool = False,
    qr: str | None = None,
) -> dict:
    """The text of one certificate page (plain data for the template); ``qr`` if already drawn."""
    if SourceType(source_type) == SourceType.PROGRAMME:
        # The conferral names the honouree in the sentence itself: no salutation line.
        person = RecipientKind(recipient_kind) == RecipientKind.PERSON
        recipient = ""
        sentence = formats.honour_sentence(recipient_name, level_text, person=person)
    else:
        recipient = recipient_line(recipient_name, recipient_kind)
        sentence = formats.award_sentence(tpl.activity_name, work_title, level_text)
    return {
        "recipient": recipient,
        "recipient_unit": recipient_unit,
        "sentence": sentence,
        "number": number,
        "qr": qr or qr_data_uri(verify_url(token)),
        "date_text": formats.format_date(issue_date, tpl.date_style),
        "revoked": revoked,
    }


def page_for(cert: Certificate, tpl: CertificateTemplate | None = None, qr: str | None = None) -> dict:
    h = cert.honour
    tpl = tpl or ensure_template(h.result_set)
    return certificate_page(
        tpl,
        source_type=h.result_set.source_type,
        recipient_name=h.recipient_name,
        recipient_kind=h.recipient_kind,
        recipient_unit=h.recipient_unit,
        work_title=h.work_title,
        level_text=h.level_text,
        number=cert.number,
        token=cert.token,
        issue_date=cert.issue_date,
        qr=qr,
    )


def sample_page(tpl: CertificateTemplate, rs: ResultSet) -> dict:
    """A preview page: the first entry of the list, or an invented one with a rare surname."""
    h = rs.active_honours[0] if rs.active_honours else None
    return certificate_page(
        tpl,
        source_type=rs.source_type,
        recipient_name=h.recipient_name if h else "䶮晓明",
        recipient_kind=h.recipient_kind if h else "person",
        recipient_unit=h.recipient_unit if h else "",
        work_title=(h.work_title if h else "科技之光照亮乡村"),
        level_text=h.level_text if h else "一等奖",
        number=formats.certificate_number(
            tpl.number_pattern,
            code=tpl.activity_code,
            year=today_local().year,
            level="first",
            level_no=1,
            serial=1,
            group="A",
        )
        if _pattern_ok(tpl.number_pattern)
        else "—",
        token="preview",
        issue_date=tpl.issue_date or today_local(),
    )


def _pattern_ok(pattern: str) -> bool:
    try:
        formats.validate_number_pattern(pattern)
        return True
    except UserError:
        return False


def render_certificates(tpl: CertificateTemplate, pages: list[dict]) -> bytes:
    """One multi-page document (the fast path: fonts are subset once)."""
    return render_pdf("pdf/certificate.html", pages=pages, **template_context(tpl))


def certificate_glyph_problems(tpl: CertificateTemplate, pages: list[dict]) -> list[str]:
    text = "".join(
        [tpl.title, tpl.closing, tpl.issuers or ""]
        + [p["recipient"] + p["sentence"] + p["date_text"] + p["number"] for p in pages]
    )
    return missing_glyphs(text)


def render_one_certificate(cert: Certificate, actor=None) -> Certificate:
    """(Re)render one certificate's file, e.g. after a correction."""
    tpl = ensure_template(cert.honour.result_set)
    pdf = render_certificates(tpl, [page_for(cert)])
    stored = store_bytes(
        pdf, content_type="application/pdf", original_name=f"{cert.number}.pdf", suffix=".pdf", created_by=actor
    )
    db.session.flush()
    cert.file_id = stored.id
    cert.rendered_at = utcnow()
    db.session.flush()
    return cert


def regenerate_certificate(cert: Certificate, actor) -> Certificate:
    if cert.revoked:
        raise UserError(N_("This certificate is revoked."))
    render_one_certificate(cert, actor)
    audit.record("certificate.regenerate", cert, actor=actor)
    return cert


def live_certificates(rs: ResultSet) -> list[Certificate]:
    # The honours come with the same query: a page needs each one's name and title.
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Honour)
            .options(contains_eager(Certificate.honour))
            .where(Honour.result_set_id == rs.id, Honour.withdrawn.is_(False), Certificate.revoked_at.is_(None))
            .order_by(Certificate.serial)
        )
    )


def chunk_sizes(total: int, cap: int | None = None) -> list[int]:
    """How many pages each WeasyPrint document of a batch gets.

    As few documents as the cap allows (fonts are subset once per document),
    as even as possible, and at least two from ``PARALLEL_FROM`` pages on: the
    helper process zips a chunk while the next one renders, so only the last
    chunk's zipping is left when rendering ends.
    """
    cap = cap or BATCH_CHUNK
    count = -(-total // cap)
    if total >= PARALLEL_FROM:
        count = max(count, 2)
    count = max(count, 1)
    return [total // count + (1 if i < total % count else 0) for i in range(count)]


def _qr_name(index: int) -> str:
    return f"qr/{index}.png"


def _qr_images(job):
    """The ``images`` function of a chunk's document: its QR codes, waited for when WeasyPrint needs them."""

    def image(name: str) -> bytes | None:
        index = name.removeprefix("qr/").removesuffix(".png")
        codes = job.result()
        return codes[int(index)] if index.isdigit() and int(index) < len(codes) else None

    return image


def _abandon_zip(helper: BatchHelper, zip_path: str) -> None:
    try:
        helper.submit(abandon_zip, zip_path).result()
    except Exception:  # a broken helper: the caller deletes the file itself
        pass


def generate_certificates(rs: ResultSet, actor, progress=None) -> dict:
    """Issue missing numbers, render all live certificates in chunks, store the merged PDF and the ZIP.

    Each chunk is one WeasyPrint document (fonts are subset once per document).
    With more than one chunk, a helper process draws every QR code (the first
    chunk's while WeasyPrint computes its styles) and splits and zips each
    rendered chunk while this process renders the next one, then merges the
    chunks. The ZIP grows in a temporary file inside the store, not in memory
    (each single file carries its fonts, about half a megabyte), hashed as it
    is written and renamed into place when finished.
    """

    def report(done, total, message):
        if progress is not None:
            progress(done, total, message)

    issue_certificates(rs, actor)
    tpl = ensure_template(rs)
    certs = live_certificates(rs)
    total = len(certs)
    if not total:
        raise UserError(N_("There are no certificates to generate."))
    report(0, total, _("Rendering certificates"))
    context = template_context(tpl)
    batches, start = [], 0
    for size in chunk_sizes(total):
        batches.append(certs[start : start + size])
        start += size
    zip_path = temp_path(".zip")
    try:
        with BatchHelper(parallel=len(batches) > 1) as helper:
            try:
                qr_jobs = [helper.submit(qr_pngs, [verify_url(c.token) for c in batch]) for batch in batches]
                chunks, zip_jobs, done = [], [], 0
                for batch, qr_job in zip(batches, qr_jobs):
                    pages = [page_for(c, tpl, GENERATED_BASE + _qr_name(i)) for i, c in enumerate(batch)]
                    pdf = render_pdf("pdf/certificate.html", pages=pages, images=_qr_images(qr_job), **context)
                    chunks.append(pdf)
                    names = [single_file_name(c.number) for c in batch]
                    zip_jobs.append(helper.submit(zip_singles, zip_path, names, pdf))
                    for cert in batch:
                        # Single files live in the ZIP only: each carries the fonts, so keeping
                        # another copy per certificate would double the storage. An author's
                        # download renders (and keeps) their own page on first request.
                        cert.file_id = None
                    done += len(batch)
                    report(done, total, _("%(done)s of %(total)s certificates", done=done, total=total))
                # The merged PDF is joined and stored here while the helper zips the last chunk.
                merged_bytes = merge_documents(chunks)
                del chunks
                pdf_file = store_bytes(
                    merged_bytes,
                    content_type="application/pdf",
                    original_name="certificates.pdf",
                    suffix=".pdf",
                    created_by=actor,
                )
                del merged_bytes
                for job in zip_jobs:
                    job.result()
                zip_size, zip_sha256 = helper.submit(finish_zip, zip_path).result()
            except BaseException:
                _abandon_zip(helper, zip_path)
                raise
        zip_file = store_finished_file(
            zip_path,
            size=zip_size,
            sha256=zip_sha256,
            content_type="application/zip",
            original_name="certificates.zip",
            suffix=".zip",
            created_by=actor,
        )
    finally:
        if os.path.exists(zip_path):  # not adopted: the generation failed
            os.unlink(zip_path)
    db.session.flush()
    rs.certificates_pdf_id, rs.certificates_zip_id = pdf_file.id, zip_file.id
    rs.certificates_generated_at = utcnow()
    audit.record("certificates.generate", rs, actor=actor, changes={"certificates": total})
    db.session.flush()
    return {
        "count": total,
        "pdf_file_id": pdf_file.id,
        "zip_file_id": zip_file.id,
        "helper_peak_mib": helper.peak_rss_mib,
    }

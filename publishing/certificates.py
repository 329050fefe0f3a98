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
from core.pdf import GENERATED_BASE, render_pdf
from core.storage import store_bytes, store_finished_file, temp_path
from core.urls import external_url
from publishing import certificate_qr, formats
from publishing.certificate_files import (
    BatchHelper,
    abandon_batch,
    add_chunk,
    finish_batch,
    single_file_name,
    warm_up,
)
from publishing.certificate_qr import qr_pngs
from publishing.certificate_qr import warm_up as warm_up_qr
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
BATCH_CHUNK = 300  # 1,000 certificates: 300 + 300 + 300 + 100 pages, the worker under 1 GiB
# From this many pages on, a batch is rendered in two chunks at least, with the helper process.
PARALLEL_FROM = 60
# QR codes drawn per job of the helper.
QR_PIECE = 40


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
    # One query for the honours still without a number (not one per honour): usually none.
    missing = set(
        db.session.scalars(
            select(Honour.id)
            .outerjoin(Certificate, Certificate.honour_id == Honour.id)
            .where(Honour.result_set_id == rs.id, Certificate.id.is_(None))
        )
    )
    if not missing:
        return new
    ordered = [h for level in grouped_honours(rs) for g in level["groups"] for h in g["rows"]]
    taken = set(db.session.scalars(select(Certificate.number))) if ordered else set()
    for honour in ordered:
        if honour.id not in missing:
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
    return certificate_qr.qr_data_uri(url)


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

    As few documents as the cap allows (fonts are subset once per document).
    From ``PARALLEL_FROM`` pages on there are two at least, for the helper
    process to split and zip a chunk while the next one renders; the last
    chunk is a third of the size of the others, because its splitting is the
    only part left when rendering ends.
    """
    cap = cap or BATCH_CHUNK
    if total < PARALLEL_FROM:
        count = max(1, -(-total // cap))
        return [total // count + (1 if i < total % count else 0) for i in range(count)]
    count = 2
    while 3 * total > cap * (3 * count - 2):
        count += 1
    full = round(3 * total / (3 * count - 2))
    return [full] * (count - 1) + [total - full * (count - 1)]


def _qr_name(index: int) -> str:
    return f"qr/{index}.png"


def _qr_jobs(helper: BatchHelper, batch: list[Certificate]) -> list:
    """A chunk's QR codes drawn by the helper, ``QR_PIECE`` a job: the first pages wait for a few only."""
    urls = [verify_url(c.token) for c in batch]
    return [helper.submit(qr_pngs, urls[start : start + QR_PIECE]) for start in range(0, len(urls), QR_PIECE)]


def _qr_images(jobs: list):
    """The ``images`` function of a chunk's document: its QR codes, waited for when WeasyPrint needs them."""

    def image(name: str) -> bytes | None:
        index = name.removeprefix("qr/").removesuffix(".png")
        if not index.isdigit() or int(index) // QR_PIECE >= len(jobs):
            return None
        piece = jobs[int(index) // QR_PIECE].result()
        return piece[int(index) % QR_PIECE] if int(index) % QR_PIECE < len(piece) else None

    return image


def _abandon(helper: BatchHelper, zip_path: str, pdf_path: str) -> None:
    try:
        helper.submit(abandon_batch, zip_path, pdf_path).result()
    except Exception:  # a broken helper: the caller deletes the files itself
        pass


def generate_certificates(rs: ResultSet, actor, progress=None) -> dict:
    """Issue missing numbers, render all live certificates in chunks, store the joined PDF and the ZIP.

    Each chunk is one WeasyPrint document (fonts are subset once per document).
    For a batch of several chunks a helper process starts first, draws every QR
    code (the first chunk's while WeasyPrint computes its styles), and splits,
    zips and joins each rendered chunk while this process renders the next one.
    The ZIP (each single file carries its fonts, about half a megabyte) and the
    joined PDF are written by the helper into temporary files inside the store,
    hashed as they are written, and renamed into place: never copied.
    """

    def report(done, total, message):
        if progress is not None:
            progress(done, total, message)

    with BatchHelper(parallel=len(chunk_sizes(len(rs.active_honours))) > 1) as helper:
        helper.submit(warm_up_qr)  # the helper process starts now, while numbers are issued
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
        zip_path, pdf_path = temp_path(".zip"), temp_path(".pdf")
        try:
            qr_jobs = [_qr_jobs(helper, batch) for batch in batches]
            helper.submit(warm_up)  # then it loads what splitting needs, before the first chunk comes
            jobs, done = [], 0
            for batch, qr_pieces in zip(batches, qr_jobs):
                pages = [page_for(c, tpl, GENERATED_BASE + _qr_name(i)) for i, c in enumerate(batch)]
                pdf = render_pdf("pdf/certificate.html", pages=pages, images=_qr_images(qr_pieces), **context)
                for job in qr_pieces:
                    job.result()  # a code that failed to draw fails the batch: never a page without it
                jobs.append(helper.submit(add_chunk, zip_path, [single_file_name(c.number) for c in batch], pdf))
                del pdf
                for cert in batch:
                    # Single files live in the ZIP only: each carries the fonts, so keeping
                    # another copy per certificate would double the storage. An author's
                    # download renders (and keeps) their own page on first request.
                    cert.file_id = None
                done += len(batch)
                report(done, total, _("%(done)s of %(total)s certificates", done=done, total=total))
            for job in jobs:
                job.result()
            written = helper.submit(finish_batch, zip_path, pdf_path).result()
            files = {}
            for kind, path, name in (("pdf", pdf_path, "certificates.pdf"), ("zip", zip_path, "certificates.zip")):
                size, sha256 = written[kind]
                files[kind] = store_finished_file(
                    path,
                    size=size,
                    sha256=sha256,
                    content_type=f"application/{kind}",
                    original_name=name,
                    suffix="." + kind,
                    created_by=actor,
                )
        except BaseException:
            _abandon(helper, zip_path, pdf_path)
            raise
        finally:
            for path in (zip_path, pdf_path):
                if os.path.exists(path):  # not adopted: the generation failed
                    os.unlink(path)
    pdf_file, zip_file = files["pdf"], files["zip"]
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

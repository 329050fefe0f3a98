"""Builders for nomination programmes and dossiers (推荐表), and files to upload."""

from __future__ import annotations

import datetime as dt
import io

# A man born in January 1980 (17th digit 1: odd), check digit 1.
RESIDENT_ID = "610525198001010011"
# A woman born in February 1990 (17th digit 2: even), check digit 9.
RESIDENT_ID_F = "610525199002150029"


def make_programme(db, organiser, places: dict, *, stage: str = "nominating", **kw):
    """A programme with quotas ``{unit: places}``, set straight to ``stage``."""
    from nominations import programmes
    from publishing.clock import today_local

    values = dict(
        title=kw.pop("title", "2026年度临渭标杆评选"),
        honour_title=kw.pop("honour_title", "临渭标杆"),
        kind=kw.pop("kind", "individual"),
        organiser_name="中共临渭区委宣传部",
        eligibility="在本区工作满三年。",
        approval_ref="渭评字〔2026〕1号",
        year=2026,
        nominate_from=today_local() - dt.timedelta(days=10),
        nominate_until=today_local() + dt.timedelta(days=10),
        total_places=kw.pop("total_places", 10),
        required_fields=kw.pop("required_fields", []),
        deeds_limit=kw.pop("deeds_limit", 3000),
        summary_limit=kw.pop("summary_limit", 300),
        experts_per_dossier=1,
    )
    values.update(kw)
    programme = programmes.create_programme(values, organiser)
    programmes.set_quotas(programme, {unit.id: n for unit, n in places.items()}, organiser)
    programme.stage = stage
    db.session.commit()
    return programme


def dossier_values(**kw) -> dict:
    """Form fields of a complete individual dossier (as posted)."""
    values = {
        "name": "王建国",
        "sex": "male",
        "ethnicity": "汉族",
        "birth_month": "1980-01",
        "politics": "中共党员",
        "education": "大学本科",
        "position": "社区党支部书记",
        "workplace": "临渭区人民街道某社区",
        "phone": "13800000000",
        "is_frontline": "y",
        "summary": "扎根社区二十年，服务群众。",
        "deeds": "该同志扎根社区工作二十年，带领群众修路建桥。",
        "unit_opinion": "情况属实，同意推荐。",
        "integrity_confirmed": "y",
        "consent_profile": "y",
    }
    values.update(kw)
    return {k: v for k, v in values.items() if v is not None}


def service_values(**kw) -> dict:
    """The same dossier as the service takes it (typed values)."""
    values = {
        "name": "王建国",
        "sex": "male",
        "ethnicity": "汉族",
        "birth_month": dt.date(1980, 1, 1),
        "politics": "中共党员",
        "education": "大学本科",
        "position": "社区党支部书记",
        "workplace": "临渭区人民街道某社区",
        "phone": "13800000000",
        "is_frontline": True,
        "is_leader": False,
        "summary": "扎根社区二十年，服务群众。",
        "deeds": "该同志扎根社区工作二十年，带领群众修路建桥。",
        "unit_opinion": "情况属实，同意推荐。",
        "integrity_confirmed": True,
        "consent_profile": True,
        "consent_deeds": False,
    }
    values.update(kw)
    return values


def make_dossier(db, programme, coordinator, *, submit: bool = False, **kw):
    from nominations import dossiers

    saved = dossiers.save_dossier(programme, coordinator.unit_id, service_values(**kw), coordinator, submit=submit)
    db.session.commit()
    return saved.nomination


def jpeg_with_gps() -> bytes:
    """A small JPEG whose EXIF names a camera and a GPS position."""
    from PIL import Image

    image = Image.new("RGB", (40, 50), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 30.0, 0.0), 3: "E", 4: (109.0, 30.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 200)).save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def quota_sheet(rows: list[tuple]) -> bytes:
    """An .xlsx with the columns 单位 and 名额."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "名额"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""The public exemplar gallery: the one public projection of an honouree.

Only approved honourees who consented to a public profile appear, and only with
public fields: name (or team name), honour, unit, 事迹简介, the photo, and the
主要事迹 only with the second consent. Never the phone, resident ID, birth
month, political affiliation or a team's member list. A profile disappears
again when publishing withdraws the honour or unpublishes the list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from core.extensions import db
from core.storage import StoredFile
from nominations.handover import result_set
from nominations.models import FileKind, Nomination, NominationStatus, Programme, ProgrammeStage
from nominations.permissions import can_see_public_deeds, can_see_public_profile
from publishing.models import ResultState


@dataclass(frozen=True)
class PublicProfile:
    id: int
    name: str
    honour: str
    unit: str
    is_team: bool
    summary: str
    deeds: str | None
    has_photo: bool


@dataclass(frozen=True)
class PublicProgramme:
    id: int
    title: str
    year: int
    honour: str
    organiser: str
    profiles: list[PublicProfile]


def _photo(nomination: Nomination):
    return next((f for f in nomination.files if f.kind == FileKind.PHOTO), None)


def _live_honours(programme: Programme) -> set[int]:
    """Nomination ids whose honour is on the published list and not withdrawn."""
    rs = result_set(programme)
    if rs is None or rs.state != ResultState.PUBLISHED:
        return set()
    return {h.source_item_id for h in rs.honours if not h.withdrawn and h.source_item_id is not None}


def _visible(programme: Programme) -> list[Nomination]:
    live = _live_honours(programme)
    rows = db.session.scalars(
        select(Nomination)
        .where(
            Nomination.programme_id == programme.id,
            Nomination.status == NominationStatus.APPROVED,
            Nomination.consent_profile.is_(True),
        )
        .order_by(Nomination.id)
    ).all()
    return [n for n in rows if n.id in live and can_see_public_profile(n)]


def profile(nomination: Nomination) -> PublicProfile:
    programme = nomination.programme
    return PublicProfile(
        id=nomination.id,
        name=nomination.name,
        honour=programme.honour_title,
        unit=nomination.unit.name,
        is_team=programme.is_team,
        summary=nomination.summary,
        deeds=nomination.deeds if can_see_public_deeds(nomination) else None,
        has_photo=_photo(nomination) is not None,
    )


def public_programme(programme_id: int) -> PublicProgramme | None:
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.stage != ProgrammeStage.APPROVED:
        return None
    profiles = [profile(n) for n in _visible(programme)]
    if not profiles:
        return None
    return PublicProgramme(
        id=programme.id,
        title=programme.title,
        year=programme.year,
        honour=programme.honour_title,
        organiser=programme.organiser_name,
        profiles=profiles,
    )


def programmes_by_year() -> list[tuple[int, list[PublicProgramme]]]:
    ids = db.session.scalars(
        select(Programme.id).where(Programme.stage == ProgrammeStage.APPROVED).order_by(Programme.id.desc())
    ).all()
    by_year: dict[int, list[PublicProgramme]] = defaultdict(list)
    for programme_id in ids:
        shown = public_programme(programme_id)
        if shown is not None:
            by_year[shown.year].append(shown)
    return sorted(by_year.items(), reverse=True)


def public_photo(programme_id: int, nomination_id: int) -> StoredFile | None:
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.programme_id != programme_id:
        return None
    if nomination not in _visible(nomination.programme):
        return None
    photo = _photo(nomination)
    return photo.stored_file if photo is not None else None


def as_json(shown: PublicProgramme, photo_url) -> dict:
    """The API's document: the same public fields as the page, nothing else."""
    return {
        "programme": {
            "id": shown.id,
            "title": shown.title,
            "year": shown.year,
            "honour": shown.honour,
            "organiser": shown.organiser,
        },
        "honourees": [
            {
                "id": p.id,
                "name": p.name,
                "honour": p.honour,
                "unit": p.unit,
                "kind": "team" if p.is_team else "person",
                "summary": p.summary,
                "deeds": p.deeds,
                "photo_url": photo_url(p) if p.has_photo else None,
            }
            for p in shown.profiles
        ],
    }

"""The one place that projects a dossier for experts and the committee.

Expert- and committee-facing routes and templates only ever receive an
``ExpertDossier``, never a ``Nomination``: the phone number and the resident ID
are never in it. With ``blind`` (the programme's blind review) the name, unit,
workplace, team leader and member list, birth month and photo are left out too,
and the name, unit and workplace are masked wherever the texts mention them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MASK = "×××"


@dataclass(frozen=True)
class ExpertDossier:
    id: int
    code: str
    blind: bool
    is_team: bool
    name: str
    sex: str
    ethnicity: str
    birth_month: dt.date | None
    politics: str
    education: str
    position: str
    workplace: str
    unit: str
    leader_name: str
    member_count: int | None
    members_text: str
    summary: str
    deeds: str
    has_photo: bool


def dossier_code(nomination_id: int) -> str:
    return f"D{nomination_id:04d}"


def _mask(text: str, secrets: list[str]) -> str:
    for secret in sorted({s for s in secrets if s and len(s) >= 2}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def project(nomination, *, blind: bool) -> ExpertDossier:
    has_photo = any(str(f.kind) == "photo" for f in nomination.files)
    is_team = nomination.programme.is_team
    if not blind:
        return ExpertDossier(
            id=nomination.id,
            code=dossier_code(nomination.id),
            blind=False,
            is_team=is_team,
            name=nomination.name,
            sex=nomination.sex.label if nomination.sex else "",
            ethnicity=nomination.ethnicity,
            birth_month=nomination.birth_month,
            politics=nomination.politics,
            education=nomination.education,
            position=nomination.position,
            workplace=nomination.workplace,
            unit=nomination.unit.name,
            leader_name=nomination.leader_name,
            member_count=nomination.member_count,
            members_text=nomination.members_text,
            summary=nomination.summary,
            deeds=nomination.deeds,
            has_photo=has_photo,
        )
    secrets = [
        nomination.name,
        nomination.unit.name,
        nomination.unit.short_name or "",
        nomination.workplace,
        nomination.leader_name,
        *nomination.members_text.split(),
    ]
    return ExpertDossier(
        id=nomination.id,
        code=dossier_code(nomination.id),
        blind=True,
        is_team=is_team,
        name="",
        sex=nomination.sex.label if nomination.sex else "",
        ethnicity=nomination.ethnicity,
        birth_month=None,
        politics=nomination.politics,
        education=nomination.education,
        position=_mask(nomination.position, secrets),
        workplace="",
        unit="",
        leader_name="",
        member_count=nomination.member_count,
        members_text="",
        summary=_mask(nomination.summary, secrets),
        deeds=_mask(nomination.deeds, secrets),
        has_photo=False,
    )

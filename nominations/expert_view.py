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
    # What both views show; every field that can name the candidate is decided below, per view.
    shown = dict(
        id=nomination.id,
        code=dossier_code(nomination.id),
        blind=blind,
        is_team=nomination.programme.is_team,
        sex=nomination.sex.label if nomination.sex else "",
        ethnicity=nomination.ethnicity,
        politics=nomination.politics,
        education=nomination.education,
        member_count=nomination.member_count,
    )
    if not blind:
        return ExpertDossier(
            **shown,
            name=nomination.name,
            birth_month=nomination.birth_month,
            position=nomination.position,
            workplace=nomination.workplace,
            unit=nomination.unit.name,
            leader_name=nomination.leader_name,
            members_text=nomination.members_text,
            summary=nomination.summary,
            deeds=nomination.deeds,
            has_photo=any(str(f.kind) == "photo" for f in nomination.files),
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
        **shown,
        name="",
        birth_month=None,
        position=_mask(nomination.position, secrets),
        workplace="",
        unit="",
        leader_name="",
        members_text="",
        summary=_mask(nomination.summary, secrets),
        deeds=_mask(nomination.deeds, secrets),
        has_photo=False,
    )

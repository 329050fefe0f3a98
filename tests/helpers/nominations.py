"""Builders for nomination tests: a programme with units, quotas, members and dossiers.

Rows are made directly with the models (no services), so each test starts at the
stage it is about. Every dossier carries private fields planted with recognisable
values (``PRIVATE``) that must never reach an expert, the public or the API.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

_serial = itertools.count(1)

PHONE = "13987654321"
BIRTH = dt.date(1979, 3, 1)
POLITICS = "中共党员"
MEMBERS_PRIVATE = "队员甲（身份证610502197903011234）"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(serial: int) -> str:
    """A valid GB 11643 number born 1979-03-01, distinct per serial."""
    body = f"610502197903{1:02d}{serial % 1000:03d}"
    body = body[:17]
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS))
    return body + "10X98765432"[total % 11]


@dataclass
class Setup:
    programme: object
    organiser: object
    units: list = field(default_factory=list)
    nominations: list = field(default_factory=list)
    experts: list = field(default_factory=list)
    committee: list = field(default_factory=list)


def make_programme(db, organiser, *, stage="expert_review", **kw):
    from nominations.models import Programme, ProgrammeCriterion, ProgrammeKind, ProgrammeStage

    criteria = kw.pop("criteria", (("先进性", 40), ("示范性", 30), ("群众认可", 30)))
    programme = Programme(
        title=kw.pop("title", f"2026年度“临渭标杆”评选{next(_serial)}"),
        honour_title=kw.pop("honour_title", "临渭标杆"),
        kind=ProgrammeKind(kw.pop("kind", "individual")),
        organiser_name=kw.pop("organiser_name", "中共渭南市临渭区委宣传部"),
        year=kw.pop("year", 2026),
        stage=ProgrammeStage(stage),
        total_places=kw.pop("total_places", 10),
        experts_per_dossier=kw.pop("experts_per_dossier", 2),
        created_by_id=organiser.id,
        **kw,
    )
    for position, (name, maximum) in enumerate(criteria, start=1):
        programme.criteria.append(ProgrammeCriterion(position=position, name=name, maximum=maximum))
    db.session.add(programme)
    db.session.flush()
    return programme


def make_nomination(db, programme, unit, *, status="eligible", **kw):
    from nominations.models import Nomination, NominationStatus, Sex

    n = next(_serial)
    nomination = Nomination(
        programme=programme,
        unit_id=unit.id,
        status=NominationStatus(status),
        version=kw.pop("version", 1),
        name=kw.pop("name", f"候选人{n}"),
        sex=Sex(kw.pop("sex", "female")),
        ethnicity=kw.pop("ethnicity", "汉族"),
        birth_month=kw.pop("birth_month", BIRTH),
        politics=kw.pop("politics", POLITICS),
        education=kw.pop("education", "大学本科"),
        position=kw.pop("position", "社区网格员"),
        workplace=kw.pop("workplace", unit.name),
        phone=kw.pop("phone", PHONE),
        resident_id=kw.pop("resident_id", resident_id(n)),
        is_leader=kw.pop("is_leader", False),
        is_frontline=kw.pop("is_frontline", True),
        summary=kw.pop("summary", "扎根基层十余年，服务群众认真负责。"),
        deeds=kw.pop("deeds", "主要事迹：坚守岗位，带领群众修路架桥，事迹感人。"),
        members_text=kw.pop("members_text", ""),
        integrity_confirmed=True,
        consent_profile=kw.pop("consent_profile", True),
        consent_deeds=kw.pop("consent_deeds", True),
        **kw,
    )
    db.session.add(nomination)
    db.session.flush()
    return nomination


def add_member(db, programme, user, role):
    from nominations.models import MemberRole, ProgrammeMember

    member = ProgrammeMember(programme=programme, user_id=user.id, role=MemberRole(role))
    db.session.add(member)
    db.session.flush()
    return member


def add_joint_unit(db, programme, unit):
    from nominations.models import JointUnit

    row = JointUnit(programme=programme, unit_id=unit.id)
    db.session.add(row)
    db.session.flush()
    return row


def build(
    db,
    make_user,
    make_unit,
    organiser,
    *,
    dossiers=4,
    experts=3,
    committee=9,
    stage="expert_review",
    status="eligible",
    places=1,
    **programme_kw,
) -> Setup:
    """A programme with one unit per dossier (quota ``places`` each), experts from their own
    units, committee members and ELIGIBLE dossiers; committed."""
    from nominations.models import Quota

    programme = make_programme(db, organiser, stage=stage, **programme_kw)
    setup = Setup(programme=programme, organiser=organiser)
    for _ in range(dossiers):
        unit = make_unit()
        setup.units.append(unit)
        programme.quotas.append(Quota(unit_id=unit.id, places=places))
        setup.nominations.append(make_nomination(db, programme, unit, status=status))
    for _ in range(experts):
        user = make_user("judge", unit=make_unit())
        add_member(db, programme, user, "expert")
        setup.experts.append(user)
    for _ in range(committee):
        user = make_user("committee", unit=make_unit())
        add_member(db, programme, user, "committee")
        setup.committee.append(user)
    db.session.commit()
    return setup


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def add_photo(db, nomination):
    from core.storage import store_bytes
    from nominations.models import FileKind, NominationFile

    stored = store_bytes(PNG, content_type="image/png", original_name=f"{nomination.name}.png", suffix=".png")
    nomination.files.append(NominationFile(kind=FileKind.PHOTO, stored_file=stored, filename=f"{nomination.name}.png"))
    db.session.flush()
    return stored


def approve_all(db, setup, organiser, *, days_ago=20):
    """Ballot held (every dossier PASSED), no 联审, handed over, a notice already over, approved."""
    from core.db import utcnow
    from nominations import handover
    from nominations.models import NominationStatus, ProgrammeStage
    from publishing.demo import replay_closed_notice

    programme = setup.programme
    programme.stage = ProgrammeStage.BALLOT
    programme.ballot_opened_at = programme.ballot_closed_at = utcnow()
    for n in setup.nominations:
        n.status = NominationStatus.PASSED
    rs = handover.hand_over(programme, organiser)
    replay_closed_notice(rs, days_ago=days_ago, length=5, unit="working", how_to_object="实名来电", actor=organiser)
    handover.approve_programme(programme, organiser)
    db.session.commit()
    return rs

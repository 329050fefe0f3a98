"""Who serves on a programme: its expert panel and its committee (评审委员会)."""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from nominations.models import MemberRole, Programme, ProgrammeMember


def members(programme: Programme, role: MemberRole) -> list[User]:
    return db.session.scalars(
        select(User)
        .join(ProgrammeMember, ProgrammeMember.user_id == User.id)
        .where(ProgrammeMember.programme_id == programme.id, ProgrammeMember.role == role)
        .order_by(User.id)
    ).all()


def served_programmes(user: User, role: MemberRole) -> list[Programme]:
    """The programmes a person serves on as an expert or a committee member, newest first."""
    return db.session.scalars(
        select(Programme)
        .join(ProgrammeMember)
        .where(ProgrammeMember.user_id == user.id, ProgrammeMember.role == role)
        .order_by(Programme.id.desc())
    ).all()


def add_member(programme: Programme, user: User, role: MemberRole, actor) -> ProgrammeMember:
    role = MemberRole(role)
    exists = any(m.user_id == user.id and m.role == role for m in programme.members)
    if exists:
        raise UserError(N_("%(name)s is already on the list."), name=user.display_name)
    member = ProgrammeMember(programme=programme, user_id=user.id, role=role)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "nomination.member_add", programme, actor=actor, changes={"member": user.display_name, "role": str(role)}
    )
    return member


def remove_member(member: ProgrammeMember, actor) -> None:
    programme = member.programme
    if member.role == MemberRole.EXPERT and any(
        r.expert_id == member.user_id for n in programme.nominations for r in n.expert_reviews
    ):
        raise UserError(N_("This expert already has dossiers assigned and stays on the panel."))
    if member.role == MemberRole.COMMITTEE and programme.ballot_opened_at is not None:
        raise UserError(N_("The ballot has been opened; the committee can no longer change."))
    audit.record(
        "nomination.member_remove",
        programme,
        actor=actor,
        changes={"member": member.user.display_name, "role": str(member.role)},
    )
    db.session.delete(member)
    db.session.flush()

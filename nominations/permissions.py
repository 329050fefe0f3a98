"""Who may see or act on a programme or a nomination: the only place that decides access.

Pure functions ``can_<verb>_<noun>(user, obj)``; routes answer 404 when one says no
for someone else's object, so that its existence is not disclosed.
"""

from __future__ import annotations

from accounts.models import Role


def is_organiser(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANISER, Role.ADMIN))


def is_coordinator_of(user, unit_id: int | None) -> bool:
    return bool(
        user and user.is_authenticated and unit_id and user.has_role(Role.COORDINATOR) and user.unit_id == unit_id
    )


# --- programmes, dossiers and the office's eligibility check (helper n1) -----

EDITABLE = ("draft", "returned")  # NominationStatus values a unit may still change


def can_manage_programme(user, programme=None) -> bool:
    """Set up programmes, move their stages, check eligibility: the organising office."""
    return is_organiser(user)


def can_nominate(user, programme) -> bool:
    """Fill in dossiers for this programme: a coordinator with a unit, once it is open to units."""
    return bool(
        user
        and user.is_authenticated
        and user.has_role(Role.COORDINATOR)
        and user.unit_id
        and str(programme.stage) != "draft"
    )


def can_view_nomination(user, nomination) -> bool:
    """The whole dossier (private fields masked): the office and the nominating unit."""
    return is_organiser(user) or is_coordinator_of(user, nomination.unit_id)


def can_edit_nomination(user, nomination) -> bool:
    """Change the dossier: its unit's coordinator (the service refuses states that forbid it)."""
    return is_coordinator_of(user, nomination.unit_id)


def can_check_nomination(user, nomination) -> bool:
    """The eligibility check: pass, return for revision, reject."""
    return is_organiser(user)


def can_reveal_resident_id(user, nomination) -> bool:
    """See the full ID number (each time written to the audit log): the office only."""
    return is_organiser(user)


# --- expert review, committee ballot, 联审, notice and approval (helper n2) ---

# Stages before the committee sees the candidates.
_BEFORE_BALLOT = {"draft", "nominating", "checking", "expert_review"}


def _serves_as(user, programme, role: str) -> bool:
    if not (user and user.is_authenticated and programme is not None):
        return False
    return any(m.user_id == user.id and str(m.role) == role for m in programme.members)


def is_expert_of(user, programme) -> bool:
    return _serves_as(user, programme, "expert")


def is_committee_member_of(user, programme) -> bool:
    return _serves_as(user, programme, "committee")


def can_score_dossier(user, review) -> bool:
    """Only the assigned expert, and only their own assignment."""
    return bool(user and user.is_authenticated and review is not None and review.expert_id == user.id)


def can_see_candidates(user, programme) -> bool:
    """Committee members see the candidates from the ballot stage on; the office always."""
    return is_organiser(user) or (
        is_committee_member_of(user, programme) and str(programme.stage) not in _BEFORE_BALLOT
    )


def can_see_tallies(user, programme) -> bool:
    """Results show only after the ballot closes, to the committee and the office."""
    return programme.ballot_closed_at is not None and (is_organiser(user) or is_committee_member_of(user, programme))


def is_joint_reviewer_of(user, programme) -> bool:
    """A coordinator of one of the programme's 联审 departments."""
    return bool(programme is not None and any(is_coordinator_of(user, ju.unit_id) for ju in programme.joint_units))


def can_joint_review(user, programme) -> bool:
    """联审 departments see the candidates at the joint review stage only."""
    return is_joint_reviewer_of(user, programme) and str(programme.stage) == "joint_review"


def can_see_public_profile(nomination) -> bool:
    """The gallery shows an approved honouree who consented to a public profile."""
    return bool(
        nomination is not None
        and str(nomination.status) == "approved"
        and nomination.consent_profile
        and str(nomination.programme.stage) == "approved"
    )


def can_see_public_deeds(nomination) -> bool:
    return can_see_public_profile(nomination) and bool(nomination.consent_deeds)


# --- printing, downloads and the overview (helper n3) -------------------------


def can_print_dossier(user, nomination) -> bool:
    """The 推荐表 PDF: the unit's coordinator; the organiser once the unit has submitted;
    an assigned expert of a programme that is not blind (never of a blind one)."""
    if not (user and user.is_authenticated):
        return False
    if is_coordinator_of(user, nomination.unit_id):
        return True
    if nomination.status == "draft":  # (string values: this section adds no import at the top)
        return False
    if is_organiser(user):
        return True
    if nomination.programme.blind_review:
        return False
    return any(review.expert_id == user.id for review in nomination.expert_reviews)


def can_print_programme(user, programme) -> bool:
    """The programme's PDF batch, its 推荐汇总表 and its funnel: the organising office."""
    return is_organiser(user)


def can_download_unit_summary(user, programme, unit_id: int) -> bool:
    """A unit's 推荐汇总表: the organiser, or that unit's coordinator once the programme is out."""
    if is_organiser(user):
        return True
    return programme.stage != "draft" and is_coordinator_of(user, unit_id)

"""Who may see or act on a programme or a nomination: the only place that decides access.

Functions ``can_<verb>_<noun>(user, obj)``; routes answer 404 when one says no for
someone else's object, so that its existence is not disclosed. The office's rights on a
programme are per programme (:func:`organises`, ``accounts.activity_access``): a
co-organising department's account (承办/协办) manages only the programmes listing it.
"""

from __future__ import annotations

from accounts import activity_access as access
from accounts.models import Role


def is_organiser(user) -> bool:
    """An organiser or administrator account (of any department): may open the office's lists
    and create programmes; which programmes they manage is :func:`organises`."""
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANISER, Role.ADMIN))


def organises(user, programme) -> bool:
    """Manages this programme: the district department's organisers and administrators every
    one, a co-organising department's account (承办/协办) those that list it."""
    return programme is not None and access.can_organise(user, access.PROGRAMME, programme.id)


def is_coordinator_of(user, unit_id: int | None) -> bool:
    return bool(
        user and user.is_authenticated and unit_id and user.has_role(Role.COORDINATOR) and user.unit_id == unit_id
    )


# --- programmes, dossiers and the office's eligibility check (helper n1) -----

EDITABLE = ("draft", "returned")  # NominationStatus values a unit may still change


def can_create_programme(user) -> bool:
    """Create a programme: any organiser (a co-organiser's own programme then lists its creator)."""
    return is_organiser(user)


def can_manage_programme(user, programme) -> bool:
    """Set up the programme, move its stages, check eligibility: the office that organises it."""
    return organises(user, programme)


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
    """The whole dossier (private fields masked): the programme's office and the nominating unit."""
    return organises(user, nomination.programme) or is_coordinator_of(user, nomination.unit_id)


def can_edit_nomination(user, nomination) -> bool:
    """Change the dossier: its unit's coordinator (the service refuses states that forbid it)."""
    return is_coordinator_of(user, nomination.unit_id)


def can_check_nomination(user, nomination) -> bool:
    """The eligibility check: pass, return for revision, reject (the programme's office)."""
    return organises(user, nomination.programme)


def can_reveal_resident_id(user, nomination) -> bool:
    """See the full ID number (each time written to the audit log): the programme's office only."""
    return organises(user, nomination.programme)


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
    """Committee members see the candidates from the ballot stage on; the programme's office always."""
    return organises(user, programme) or (
        is_committee_member_of(user, programme) and str(programme.stage) not in _BEFORE_BALLOT
    )


def can_see_tallies(user, programme) -> bool:
    """Results show only after the ballot closes, to the committee and the office."""
    return programme.ballot_closed_at is not None and (
        organises(user, programme) or is_committee_member_of(user, programme)
    )


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
    if organises(user, nomination.programme):
        return True
    if nomination.programme.blind_review:
        return False
    return any(review.expert_id == user.id for review in nomination.expert_reviews)


def can_print_programme(user, programme) -> bool:
    """The programme's PDF batch, its 推荐汇总表 and its funnel: the programme's office."""
    return organises(user, programme)


def can_download_unit_summary(user, programme, unit_id: int) -> bool:
    """A unit's 推荐汇总表: the programme's office, or that unit's coordinator once the programme is out."""
    if organises(user, programme):
        return True
    return programme.stage != "draft" and is_coordinator_of(user, unit_id)

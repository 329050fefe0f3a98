"""Per-activity access (承办/协办): the rule itself, and the listing of organisers on an activity."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts import activity_access as access
from accounts.models import ActivityScope, OrganiserPart
from core.audit import AuditEntry
from core.errors import UserError


@pytest.mark.parametrize(
    "role, scope, listed, expected",
    [
        ("admin", ActivityScope.OWN, False, True),  # an administrator manages everything
        ("organiser", ActivityScope.ALL, False, True),  # the district department's organiser
        ("organiser", ActivityScope.OWN, True, True),  # a co-organiser on their activity
        ("organiser", ActivityScope.OWN, False, False),  # ... and refused on another's
        ("judge", ActivityScope.ALL, False, False),
        ("coordinator", ActivityScope.ALL, False, False),
        ("author", ActivityScope.ALL, False, False),
    ],
)
def test_who_may_organise_an_activity(db, make_user, organiser, role, scope, listed, expected):
    user = make_user(role)
    user.activity_scope = scope
    if listed:
        access.add_organiser(access.COMPETITION, 7, user, OrganiserPart.UNDERTAKER, actor=organiser)
    db.session.commit()
    assert access.can_organise(user, access.COMPETITION, 7) is expected
    # Listing on a competition never opens a programme with the same id.
    if role == "organiser" and scope == ActivityScope.OWN:
        assert access.can_organise(user, access.PROGRAMME, 7) is False


def test_organised_ids_none_means_all(db, organiser, co_organiser, admin):
    access.add_organiser(access.PROGRAMME, 3, co_organiser, OrganiserPart.CO_ORGANISER, actor=organiser)
    db.session.commit()
    assert access.organised_ids(organiser, access.PROGRAMME) is None
    assert access.organised_ids(admin, access.PROGRAMME) is None
    assert access.organised_ids(co_organiser, access.PROGRAMME) == {3}
    assert access.organised_ids(co_organiser, access.COMPETITION) == set()


def test_listing_and_removing_an_organiser_is_audited(db, organiser, co_organiser):
    access.add_organiser(access.COMPETITION, 5, co_organiser, OrganiserPart.UNDERTAKER, actor=organiser, label="征文")
    access.add_organiser(access.COMPETITION, 5, co_organiser, OrganiserPart.CO_ORGANISER, actor=organiser)
    db.session.commit()
    (row,) = access.organisers_of(access.COMPETITION, 5)
    assert row.part == OrganiserPart.CO_ORGANISER
    access.remove_organiser(access.COMPETITION, 5, co_organiser.id, actor=organiser)
    db.session.commit()
    assert access.organisers_of(access.COMPETITION, 5) == []
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["activity.organiser_added", "activity.organiser_added", "activity.organiser_removed"]
    with pytest.raises(UserError):
        access.remove_organiser(access.COMPETITION, 5, co_organiser.id, actor=organiser)


def test_only_organiser_accounts_are_listed(db, organiser, judge):
    with pytest.raises(UserError):
        access.add_organiser(access.COMPETITION, 1, judge, OrganiserPart.HOST, actor=organiser)

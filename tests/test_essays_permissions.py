"""Who may see, edit and recommend an entry: the essays permission predicates, as a table."""

from types import SimpleNamespace

import pytest

from accounts.models import ActivityScope, Role
from essays import permissions


def _user(*roles, unit_id=1, user_id=5, signed_in=True):
    return SimpleNamespace(
        id=user_id,
        unit_id=unit_id,
        is_authenticated=signed_in,
        has_role=lambda *asked: any(r in roles for r in asked),
        activity_scope=ActivityScope.ALL,  # the district department's organisers manage every activity
    )


def _entry(author_id=7, recommending_unit_id=None, unit_id=1, enabled=True):
    competition = SimpleNamespace(unit_recommendation_enabled=enabled)
    return SimpleNamespace(
        author_id=author_id,
        submitted_by_id=author_id,
        recommending_unit_id=recommending_unit_id,
        unit_id=unit_id,
        competition_id=3,
        competition=competition,
    )


COORDINATOR = _user(Role.COORDINATOR)
CASES = [
    # (predicate, user, entry, expected)
    ("can_view_entry", None, _entry(), False),
    ("can_view_entry", _user(Role.AUTHOR, user_id=7), _entry(), True),
    ("can_view_entry", COORDINATOR, _entry(recommending_unit_id=1), True),
    ("can_view_entry", COORDINATOR, _entry(recommending_unit_id=2), False),
    ("can_view_entry", _user(Role.COORDINATOR, unit_id=None), _entry(recommending_unit_id=None), False),
    ("can_view_entry", _user(Role.ORGANISER), _entry(), True),
    ("can_view_entry", _user(Role.JUDGE), _entry(), False),
    ("can_edit_entry", _user(Role.AUTHOR, user_id=7), _entry(), True),
    ("can_edit_entry", COORDINATOR, _entry(recommending_unit_id=1), True),
    ("can_edit_entry", COORDINATOR, _entry(), False),
    ("can_edit_entry", _user(Role.COORDINATOR, signed_in=False), _entry(recommending_unit_id=1), False),
    ("can_withdraw_recommendation", COORDINATOR, _entry(recommending_unit_id=1), True),
    ("can_withdraw_recommendation", _user(Role.AUTHOR), _entry(recommending_unit_id=1), False),
    ("can_endorse_entry", COORDINATOR, _entry(), True),
    ("can_endorse_entry", COORDINATOR, _entry(enabled=False), False),
    ("can_endorse_entry", COORDINATOR, _entry(unit_id=2), False),
    ("can_endorse_entry", COORDINATOR, _entry(recommending_unit_id=1), False),
]


@pytest.mark.parametrize(("predicate", "user", "entry", "expected"), CASES)
def test_entry_permissions(predicate, user, entry, expected):
    assert getattr(permissions, predicate)(user, entry) is expected


@pytest.mark.parametrize(
    ("user", "enabled", "expected"),
    [(COORDINATOR, True, True), (COORDINATOR, False, False), (_user(Role.COORDINATOR, unit_id=None), True, False)],
)
def test_only_a_unit_coordinator_recommends_where_the_call_allows_it(user, enabled, expected):
    assert permissions.can_recommend(user, SimpleNamespace(unit_recommendation_enabled=enabled)) is expected

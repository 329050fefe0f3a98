"""An update is audited with what changed, and not at all when nothing did."""

from core import audit
from helpers import audit as entries


def test_an_update_is_audited_only_with_the_fields_that_changed(db, make_unit, organiser):
    unit = make_unit("城东街道")
    before = {"name": "城东街道", "short_name": None}

    assert audit.record_changes("unit.update", unit, before, dict(before), actor=organiser) == {}
    assert entries(db, "unit.update") == []

    changes = audit.record_changes("unit.update", unit, before, {**before, "name": "城东新区"}, actor=organiser)
    assert changes == {"name": ["城东街道", "城东新区"]}
    (entry,) = entries(db, "unit.update")
    assert entry.changes == changes and entry.object_id == str(unit.id) and entry.actor_id == organiser.id

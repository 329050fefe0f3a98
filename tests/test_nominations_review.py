"""Expert review on the model level: assignment, scoring and the guard before the ballot."""

from __future__ import annotations

import pytest

from core.errors import UserError
from helpers.nominations import build, make_nomination


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    return build(db, make_user, make_unit, organiser, dossiers=4, experts=3)


def test_assignment_skips_the_experts_own_unit(db, make_user, make_unit, organiser):
    from nominations import panels, review
    from nominations.models import ExpertReview

    setup = build(db, make_user, make_unit, organiser, dossiers=3, experts=0)
    same = make_user("judge", unit=setup.units[0])
    others = [make_user("judge", unit=make_unit()) for _ in range(2)]
    for user in [same, *others]:
        panels.add_member(setup.programme, user, "expert", organiser)
    result = review.assign_experts(setup.programme, organiser)
    db.session.commit()
    assert result.unfilled == {}
    pairs = {(r.expert_id, r.nomination_id) for r in db.session.query(ExpertReview)}
    assert len(pairs) == 3 * 2
    assert (same.id, setup.nominations[0].id) not in pairs
    # Running again adds nobody.
    assert review.assign_experts(setup.programme, organiser).new == []


def test_assignment_refused_outside_the_expert_stage_or_without_experts(db, make_user, make_unit, organiser):
    from nominations import review

    setup = build(db, make_user, make_unit, organiser, dossiers=2, experts=0, stage="checking")
    with pytest.raises(UserError, match="expert review"):
        review.assign_experts(setup.programme, organiser)
    setup.programme.stage = "expert_review"
    with pytest.raises(UserError, match="Add experts"):
        review.assign_experts(setup.programme, organiser)


def test_submitted_score_is_locked_and_the_mean_goes_on_the_chain(db, setup, organiser):
    from nominations import review
    from nominations.models import StepKind

    review.assign_experts(setup.programme, organiser)
    nomination = setup.nominations[0]
    criteria = setup.programme.criteria
    totals = []
    for i, r in enumerate(nomination.expert_reviews):
        values = {str(c.id): c.maximum - i for c in criteria}
        review.save_review(r, values=values, comment="好", submit=True, actor=r.expert)
        totals.append(sum(values.values()))
    with pytest.raises(UserError, match="can no longer change"):
        review.save_review(nomination.expert_reviews[0], values={}, comment="", submit=False, actor=organiser)
    step = nomination.steps[-1]
    assert step.kind == StepKind.EXPERT and step.signer == "评审专家组"
    mean = sum(totals) / len(totals)
    assert f"{mean:.2f}" in step.opinion
    assert review.ranking(setup.programme)[0].nomination == nomination
    assert review.ranking(setup.programme)[0].mean == pytest.approx(mean)


def test_scores_out_of_range_or_incomplete_are_refused(db, setup, organiser):
    from nominations import review

    review.assign_experts(setup.programme, organiser)
    r = setup.nominations[0].expert_reviews[0]
    first = setup.programme.criteria[0]
    with pytest.raises(UserError, match="0 to 40"):
        review.save_review(r, values={str(first.id): 41}, comment="", submit=False, actor=r.expert)
    with pytest.raises(UserError, match="Score every criterion"):
        review.save_review(r, values={str(first.id): 30}, comment="", submit=True, actor=r.expert)
    review.save_review(r, values={str(first.id): 30}, comment="", submit=False, actor=r.expert)
    assert r.total == 30 and r.submitted_at is None


def test_ready_for_ballot_names_missing_scores_and_broken_rules(app, db, setup, organiser):
    from flask_babel import force_locale

    from nominations import review
    from nominations.models import CompositionRule

    with pytest.raises(UserError) as missing:
        review.check_ready_for_ballot(setup.programme)
    assert "缺少专家评分" in str(missing.value)
    setup.programme.rules.append(CompositionRule(subject="leader", op="le", percent=20))
    for n in setup.nominations[:2]:
        n.is_leader = True
    review.assign_experts(setup.programme, organiser)
    for n in setup.nominations:
        for r in n.expert_reviews:
            values = {str(c.id): 10 for c in setup.programme.criteria}
            review.save_review(r, values=values, comment="", submit=True, actor=r.expert)
    with force_locale("zh_Hans_CN"), pytest.raises(UserError) as broken:
        review.check_ready_for_ballot(setup.programme)
    with force_locale("zh_Hans_CN"):
        assert "领导干部 不超过 20%：现为 2/4（50%）" in broken.value.render()
    setup.nominations[0].is_leader = False
    setup.nominations[1].status = "rejected"  # out of the pool: 0 of 3 leaders
    review.check_ready_for_ballot(setup.programme)


def test_blind_projection_hides_who_and_where(db, make_user, make_unit, organiser):
    from helpers.nominations import PHONE, POLITICS
    from nominations import expert_view

    setup = build(db, make_user, make_unit, organiser, dossiers=1, experts=1, blind_review=True)
    n = setup.nominations[0]
    n.summary = f"{n.name}同志在{n.unit.name}工作十年。"
    seen = expert_view.project(n, blind=True)
    text = repr(seen)
    for secret in (n.name, n.unit.name, PHONE, n.resident_id, "1979"):
        assert secret not in text
    assert "×××同志在×××工作十年" in seen.summary
    open_view = expert_view.project(n, blind=False)
    assert open_view.name == n.name and open_view.politics == POLITICS
    assert PHONE not in repr(open_view) and n.resident_id not in repr(open_view)


def test_a_nomination_of_another_programme_is_not_assigned(db, setup, make_unit, organiser):
    from helpers.nominations import make_programme
    from nominations import review

    other = make_programme(db, organiser)
    make_nomination(db, other, make_unit())
    result = review.assign_experts(setup.programme, organiser)
    assert {nid for _e, nid in result.new} == {n.id for n in setup.nominations}

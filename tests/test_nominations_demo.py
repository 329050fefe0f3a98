"""The demo seeds a programme at the expert review and one open for nominations, once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpers import ARTIFACTS


def test_demo_seeds_both_programmes_once(app, db):
    from core.seed import seed_demo
    from nominations import overview, printing
    from nominations.models import ExpertReview, Nomination, NominationStatus, Programme, ProgrammeStage, StepKind

    assert seed_demo(force=True)
    db.session.commit()
    main = db.session.scalar(select(Programme).where(Programme.title == "寻找最美科技工作者"))
    assert main.stage == ProgrammeStage.EXPERT_REVIEW
    assert main.quotas and len(main.rules) == 3 and main.joint_units and len(main.criteria) == 4
    assert {m.user.username for m in main.members} == {"judge", "committee"}
    statuses = {n.name: n.status for n in main.nominations}
    assert len(statuses) == 8
    assert statuses["周婷"] == NominationStatus.DRAFT
    # At the expert review nothing waits for the check: the returned dossier came back and passed.
    assert not any(n.status in (NominationStatus.SUBMITTED, NominationStatus.RETURNED) for n in main.nominations)
    returned = next(n for n in main.nominations if any(s.kind == StepKind.RETURN for s in n.steps))
    kinds = [s.kind for s in returned.steps]
    assert kinds == [StepKind.SUBMIT, StepKind.RETURN, StepKind.RESUBMIT, StepKind.PASS]
    assert "请补充" in returned.steps[1].opinion and returned.status == NominationStatus.ELIGIBLE
    reviews = db.session.scalars(select(ExpertReview)).all()
    assert len(reviews) == 6 and sum(r.submitted_at is not None for r in reviews) == 4
    assert all(r.expert.username == "judge" for r in reviews)
    # Consistent with the stage guards: the check is done; the review still lacks scores.
    from core.errors import UserError
    from nominations import programmes, review

    programmes.check_checking_done(main)
    try:
        review.check_ready_for_ballot(main)
        raise AssertionError("the demo's expert review should still be running")
    except UserError:
        pass
    funnel = overview.funnel(main)
    assert funnel.totals["recommended"] == 7 and funnel.totals["eligible"] == 6 and funnel.totals["scored"] == 4
    eligible = next(n for n in main.nominations if n.name == "陈思远")
    page = printing.dossier_print(eligible)
    assert page.photo_uri and page.office_opinion.filled and page.unit_opinion.filled
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "nomination-demo-dossier.pdf").write_bytes(printing.dossier_pdf(eligible))

    open_ = db.session.scalar(select(Programme).where(Programme.title.like("%临渭标杆%")))
    assert open_.stage == ProgrammeStage.NOMINATING
    coordinator_unit = db.session.scalar(
        select(Nomination.unit_id).where(Nomination.programme_id == main.id, Nomination.name == "陈思远")
    )
    assert coordinator_unit in {q.unit_id for q in open_.quotas}

    counts = db.session.scalar(select(func.count(Nomination.id))), db.session.scalar(select(func.count(Programme.id)))
    seed_demo(force=True)  # safe to rerun
    db.session.commit()
    assert (
        db.session.scalar(select(func.count(Nomination.id))),
        db.session.scalar(select(func.count(Programme.id))),
    ) == counts


@pytest.mark.parametrize("role", ["organiser", "coordinator", "judge", "committee", "admin"])
def test_demo_nominations_pages_open_for_each_role(app, db, role):
    """From the home page, every nominations page a demo role's links reach opens (one per shape)."""
    import re

    from core.seed import DEMO_PASSWORD, seed_demo

    seed_demo(force=True)
    db.session.commit()
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post("/login", data={"login": role, "password": DEMO_PASSWORD, "csrf_token": token})
    queue, seen, opened = ["/"], {"/"}, []
    while queue and len(opened) < 60:
        url = queue.pop(0)
        response = client.get(url, follow_redirects=True)  # an expert's home leads to their only queue
        assert response.status_code == 200, (role, url, response.status_code)
        opened.append(url)
        if "text/html" not in response.content_type:
            continue
        for link in re.findall(r'href="(/(?:nominations|exemplars)[^"#?]*)', response.get_data(as_text=True)):
            shape = re.sub(r"\d+", "N", link)
            if re.search(r"\.(pdf|xlsx|csv|json)$|/files/|/photo", link) or shape in seen:
                continue
            seen.add(shape)
            queue.append(link)
    assert any(u.startswith("/nominations") for u in opened), (role, opened)

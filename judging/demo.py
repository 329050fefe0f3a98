"""Demo data: a 初评 round on the demo competition, with a rubric, four judges and some scores."""

from __future__ import annotations

import random

from sqlalchemy import select

from core.extensions import db
from essays.models import Competition, Submission, SubmissionStatus
from judging import assign_services, committee_services, judge_services, pool_services, round_services
from judging.models import Arbitration, Assignment, Round

DEMO_JUDGES = ("judge", "judge2", "judge3", "judge4")
DEMO_RUBRIC = (("立意与主题", 30, 1), ("内容与材料", 30, 1), ("语言与文采", 25, 0.5), ("结构与规范", 15, 0.5))


def seed(accounts: dict) -> None:
    comp = db.session.scalar(select(Competition).where(Competition.code == "ZW2026"))
    if comp is None or db.session.scalar(select(Round.id).where(Round.competition_id == comp.id)):
        return
    if not db.session.scalar(
        select(Submission.id).where(
            Submission.competition_id == comp.id, Submission.status == SubmissionStatus.QUALIFIED
        )
    ):
        return
    organiser = accounts["organiser"]
    judges = [accounts[name] for name in DEMO_JUDGES if name in accounts]
    if len(judges) < 2:
        return
    round_ = round_services.create_round(
        comp,
        actor=organiser,
        name="初评",
        k=2,
        method="mean",
        arbitration=Arbitration.THIRD_JUDGE,
        leader_id=judges[0].id,
        seed=2026,
        pledge_text="本人承诺：公正评审，只看作品不问作者；对作品和评分严格保密；"
        "遇到认识的作者或存在利害关系的作品，主动回避。",
    )
    round_services.set_criteria(
        round_, [round_services.CriterionInput(n, m, step=s) for n, m, s in DEMO_RUBRIC], actor=organiser
    )
    for judge in judges:
        pool_services.add_judge(round_, judge, actor=organiser)
    assign_services.assign_judges(round_, actor=organiser)
    round_services.open_round(round_, actor=organiser, confirm_freeze=True)
    if "committee" in accounts:  # the demo committee member serves this round (ties come to them)
        committee_services.add_member(round_, accounts["committee"], actor=organiser)
    # Judges other than the first have accepted the pledge and scored about half their queue.
    rnd = random.Random(2026)
    for judge in judges[1:]:
        judge_services.accept_pledge(round_, judge)
        items = db.session.scalars(
            select(Assignment)
            .where(Assignment.round_id == round_.id, Assignment.judge_id == judge.id)
            .order_by(Assignment.shuffle_key)
        ).all()
        for item in items[: max(1, len(items) // 2)]:
            values = {
                str(c.id): min(c.maximum, round(rnd.uniform(0.6, 0.95) * c.maximum / c.step) * c.step)
                for c in round_.criteria
            }
            judge_services.save_score(item, actor=judge, values=values, submit=True)
    db.session.flush()

"""Builders shared by the judging tests (no tests here).

Import with ``from test_judging_helpers import ...``: pytest puts ``tests/`` on
``sys.path``.
"""
from __future__ import annotations

import datetime as dt
import itertools

_codes = itertools.count(1)


def make_competition(db, organiser, *, genres=("散文",), groups=(), code=None):
    from essays.models import Competition, CompetitionStatus, Genre, Group

    now = dt.datetime.now(dt.timezone.utc)
    comp = Competition(code=code or f"T{next(_codes):05d}", title="喜迎二十大征文", theme="家乡",
                       status=CompetitionStatus.JUDGING, opens_at=now - dt.timedelta(days=30),
                       closes_at=now - dt.timedelta(days=1), created_by_id=organiser.id)
    for i, name in enumerate(genres):
        comp.genres.append(Genre(name=name, position=i))
    for i, name in enumerate(groups):
        comp.groups.append(Group(name=name, position=i))
    db.session.add(comp)
    db.session.commit()
    return comp


def make_entry(db, comp, author, *, unit=None, recommending_unit=None, genre=None, group=None,
               title="我的家乡", text="春风又绿渭河岸。", judge_title=None, judge_text=None, code=None,
               judge_file=None):
    from essays.models import Submission, SubmissionStatus

    n = next(_codes)
    unit = unit if unit is not None else author.unit
    entry = Submission(
        competition_id=comp.id, genre_id=(genre or comp.genres[0]).id,
        group_id=group.id if group else None, author_id=author.id,
        unit_id=unit.id if unit else None,
        recommending_unit_id=recommending_unit.id if recommending_unit else None,
        submitted_by_id=author.id, title=title, body_text=text,
        judge_title=judge_title if judge_title is not None else title,
        judge_text=judge_text if judge_text is not None else text,
        word_count=len(text), han_count=len(text), anonymous_code=code or f"A{n:04d}X",
        serial=n, receipt_number=f"{comp.code}-{n:04d}", status=SubmissionStatus.QUALIFIED,
        submitted_at=dt.datetime.now(dt.timezone.utc), judge_file_id=judge_file.id if judge_file else None)
    db.session.add(entry)
    db.session.commit()
    return entry


def setup_round(db, make_user, make_unit, organiser, *, n_entries=6, n_judges=3, k=2, criteria=None,
                arbitration="none", method="mean", leader=False, open_=True, accept=True, **settings):
    """A competition with entries from distinct units, a judge pool, a rubric and assignments."""
    from judging import services
    from judging.models import Arbitration

    comp = make_competition(db, organiser)
    judges = [make_user("judge", unit=make_unit()) for _ in range(n_judges)]
    entries = []
    for _ in range(n_entries):
        author = make_user("author", unit=make_unit())
        entries.append(make_entry(db, comp, author))
    leader_user = make_user("judge", unit=make_unit()) if leader else None
    round_ = services.create_round(comp, actor=organiser, name="初评", k=k, method=method,
                                   arbitration=Arbitration(arbitration),
                                   leader_id=leader_user.id if leader_user else None, **settings)
    services.set_criteria(round_, criteria or [
        services.CriterionInput("立意", 40, step=1), services.CriterionInput("语言", 30, step=0.5),
        services.CriterionInput("结构", 30, step=1)], actor=organiser)
    for judge in judges:
        services.add_judge(round_, judge, actor=organiser)
    if leader_user is not None:
        services.add_judge(round_, leader_user, actor=organiser, capacity=0)
    services.assign_judges(round_, actor=organiser)
    if open_:
        services.open_round(round_, actor=organiser)
    if accept:
        for judge in judges + ([leader_user] if leader_user else []):
            services.accept_pledge(round_, judge)
    db.session.commit()
    return round_, comp, judges, entries, leader_user


def values_for(round_, *totals_per_criterion):
    return {str(c.id): v for c, v in zip(round_.criteria, totals_per_criterion)}

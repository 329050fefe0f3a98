"""The demo data seeds an open competition with entries."""

from sqlalchemy import func, select


def test_demo_seed(db, make_user, make_unit):
    from essays import demo
    from essays.models import Competition, Submission

    accounts = {
        "organiser": make_user("organiser"),
        "author": make_user("author"),
        "author2": make_user("author"),
        "author3": make_user("author"),
    }
    demo.seed(accounts)
    comp = db.session.scalars(select(Competition)).one()
    assert comp.status == "open" and [g.name for g in comp.genres] == ["理论文章", "散文", "诗歌"]
    assert db.session.scalar(select(func.count(Submission.id))) == 4
    assert db.session.scalar(select(func.count(Submission.id)).where(Submission.status == "qualified")) == 2
    demo.seed(accounts)  # safe to rerun
    assert db.session.scalar(select(func.count(Competition.id))) == 1

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


def test_demo_notice_states_the_rules_the_system_enforces(db, make_user):
    from essays import demo
    from essays.models import Competition

    accounts = {name: make_user("organiser" if name == "organiser" else "author") for name in demo_accounts()}
    demo.seed(accounts)
    comp = db.session.scalars(select(Competition)).one()
    for genre in comp.genres:
        if genre.min_length and genre.max_length:
            words = f"{genre.name}{genre.min_length}至{genre.max_length}字"
        else:
            words = f"{genre.name}不超过{genre.max_length}字"
        assert words in comp.notice_html
        assert genre.count_rule == "word"
    assert "按Word字数统计" in comp.notice_html
    assert "行" not in comp.notice_html.split("二、征文要求")[1].split("</li>")[0]  # no limit the system cannot check


def demo_accounts():
    return ("organiser", "author", "author2", "author3")

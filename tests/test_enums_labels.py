"""Enums carry their labels; CHECK constraints where a stored value has a range."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.enums import LabelledEnum


def _labelled_enums() -> list[type[LabelledEnum]]:
    import accounts.models  # noqa: F401  (the enums live beside their models)
    import essays.models  # noqa: F401
    import judging.models  # noqa: F401
    import publishing.models  # noqa: F401

    return sorted(LabelledEnum.__subclasses__(), key=lambda cls: cls.__name__)


def test_a_member_is_its_stored_string_with_a_chinese_label(app):
    from judging.models import Method, ResultRule, RoundState

    assert RoundState.SETUP == "setup" and RoundState("setup") is RoundState.SETUP
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert RoundState.SETUP.label == "设置中" and Method.MEAN.label == "平均分"
        assert [value for value, _ in Method.choices()] == [
            "mean",
            "trimmed_mean",
            "median",
            "standardised",
            "mean_rank",
        ]
        assert {str(label) for _, label in Method.choices()} == {m.label for m in Method}
        # A result decided by the method shows the method's words.
        assert ResultRule("median").label == Method.MEDIAN.label
        assert ResultRule.label_of("unheard_of") == "unheard_of"
        assert ResultRule.label_of(None, default="") == ""


def test_every_label_has_a_chinese_translation(app):
    enums = _labelled_enums()
    assert len(enums) >= 20
    untranslated = []
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        for cls in enums:
            for member in cls:
                if not any("\u4e00" <= ch <= "\u9fff" for ch in member.label):
                    untranslated.append(f"{cls.__name__}.{member.name}: {member.msgid}")
    assert untranslated == []


def test_round_settings_and_results_are_shown_in_words(app, client, db, login, organiser):
    from core.seed import seed_demo
    from judging.models import Method, Round

    seed_demo(force=True)
    round_ = db.session.scalar(select(Round))
    assert round_.method is Method.MEAN
    login(client, organiser)
    html = client.get("/judging/rounds").get_data(as_text=True)
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        mean, setup_label = Method.MEAN.label, round_.state.label
    assert mean in html and setup_label in html
    assert ">mean<" not in html


@pytest.mark.parametrize(
    "model, field, bad",
    [
        ("Criterion", "maximum", 0),
        ("Criterion", "step", -1),
        ("Criterion", "weight", 0),
        ("AwardLevelRule", "count", -1),
        ("AwardLevelRule", "percent", -5),
    ],
)
def test_database_refuses_out_of_range_values(app, db, model, field, bad):
    from core.seed import seed_demo
    from judging import award_services, models
    from judging.models import Round

    seed_demo(force=True)
    round_ = db.session.scalar(select(Round))
    award_services.get_scheme(round_, create=True)
    db.session.commit()
    row = db.session.scalars(select(getattr(models, model))).first()
    assert row is not None
    setattr(row, field, bad)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

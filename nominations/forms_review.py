"""Forms of the expert review, the ballot, 联审 and the hand-over (shape checks only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DecimalField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from nominations.models import JointDecision, Vote


class _ScoreBase(FlaskForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=4000)])


def score_form(criteria, review=None, *, formdata=None):
    """A form with one number field per rubric line (0..maximum), named ``c<criterion id>``."""

    class ScoreForm(_ScoreBase):
        pass

    for criterion in criteria:
        field = DecimalField(
            criterion.name,
            validators=[Optional(), NumberRange(min=0, max=criterion.maximum)],
            description=criterion.guidance,
            places=None,
        )
        setattr(ScoreForm, f"c{criterion.id}", field)
    data = {}
    if review is not None:
        data = {f"c{key}": value for key, value in (review.values or {}).items()}
        data["comment"] = review.comment
    form = ScoreForm(formdata=formdata, data=data) if formdata is not None else ScoreForm(data=data)
    form.criterion_fields = [(c, getattr(form, f"c{c.id}")) for c in criteria]
    return form


def score_values(form) -> dict[str, float]:
    return {str(c.id): float(f.data) for c, f in form.criterion_fields if f.data is not None}


class VoteForm(FlaskForm):
    vote = RadioField(_l("Your vote"), choices=Vote.choices(), validators=[InputRequired()])


class RecusalForm(FlaskForm):
    reason = StringField(_l("Reason for recusal"), validators=[DataRequired(), Length(max=500)])


class JointDecisionForm(FlaskForm):
    decision = RadioField(
        lazy_pgettext("joint review", "Decision"), choices=JointDecision.choices(), validators=[InputRequired()]
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])

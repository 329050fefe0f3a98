"""Judging forms: shape checks only; business rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateTimeLocalField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from judging.models import Arbitration, Grouping, Method, PoolRule


class NewRoundForm(FlaskForm):
    competition_id = SelectField(_l("Competition"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Round name"), validators=[DataRequired(), Length(max=80)], default="初评")


class RoundForm(FlaskForm):
    name = StringField(_l("Round name"), validators=[DataRequired(), Length(max=80)])
    k = IntegerField(_l("Judges per entry"), validators=[DataRequired(), NumberRange(min=1, max=15)])
    method = SelectField(_l("Aggregation"), choices=Method.choices())
    arbitration = SelectField(_l("Double marking and arbitration"), choices=Arbitration.choices())
    threshold = FloatField(
        _l("Threshold T (points)"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Leave empty for 15 percent of full marks."),
    )
    leader_id = SelectField(_l("Group leader (arbiter)"), coerce=int, validators=[Optional()])
    pool_rule = SelectField(_l("Entries in this round"), choices=PoolRule.choices())
    pool_value = FloatField(_l("N or percentage"), validators=[Optional(), NumberRange(min=0)])
    pool_grouping = SelectField(_l("Counted"), choices=Grouping.choices())
    judge_deadline = DateTimeLocalField(_l("Judging deadline"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    reveal_scores_after_close = BooleanField(_l("Judges may see colleagues' scores after the round closes"))
    pledge_text = TextAreaField(_l("Judge's pledge"), validators=[Optional(), Length(max=4000)])


class OpenRoundForm(FlaskForm):
    """Opening a round while the call still accepts entries needs the freeze confirmed."""

    confirm_freeze = BooleanField(
        _l("I confirm: the entries are frozen from the start of this round and no longer accept changes.")
    )


class AddJudgeForm(FlaskForm):
    user_id = SelectField(_l("Judge"), coerce=int, validators=[DataRequired()])
    capacity = IntegerField(_l("Maximum load"), validators=[Optional(), NumberRange(min=0)])


class RemoveJudgeForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class AdjustForm(FlaskForm):
    submission_id = IntegerField(validators=[DataRequired()])
    new_level = SelectField(_l("New level"), choices=[])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class KeyinUploadForm(FlaskForm):
    """One keyed-in file (first or second entry) of the offline score sheets."""

    sheet = FileField(_l("Keyed-in scores (.xlsx or .csv)"), validators=[FileRequired()])

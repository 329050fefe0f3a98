"""The organiser's notice form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from judging.notices import ACTIVITY, BEHIND, UNIT


class NoticeForm(FlaskForm):
    audience = SelectField(
        _l("Send to"),
        choices=[
            (ACTIVITY, _l("Everyone in an activity")),
            (UNIT, _l("The authors of one unit")),
            (BEHIND, _l("Judges behind schedule in a round")),
        ],
    )
    competition_id = SelectField(_l("Activity"), coerce=int, validators=[Optional()])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    round_id = SelectField(_l("Round"), coerce=int, validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10000)])


class NoticeEditForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10000)])

"""Publishing forms: shape checks only; business rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from publishing.models import DayUnit, Ordering


class ObjectionForm(FlaskForm):
    honour_id = SelectField(_l("Entry concerned"), coerce=int, validators=[Optional()])
    real_name = StringField(_l("Your real name"), validators=[DataRequired(), Length(min=2, max=30)])
    phone = TelField(_l("Your phone number"), validators=[DataRequired(), Length(max=32)])
    content = TextAreaField(
        _l("Your objection and the facts behind it"), validators=[DataRequired(), Length(min=10, max=5000)]
    )


class VerifyForm(FlaskForm):
    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Holder's name"), validators=[DataRequired(), Length(max=200)])


class ResultSetForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    organiser = TextAreaField(_l("Issued by (one organisation per line)"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description for the public page"), validators=[Optional(), Length(max=5000)])
    ordering = SelectField(_l("Order within a level"), choices=Ordering.choices())


class NoticeForm(FlaskForm):
    start = DateField(_l("Notice starts on"), validators=[DataRequired()])
    length = IntegerField(_l("Notice length"), default=7, validators=[DataRequired(), NumberRange(min=1, max=365)])
    unit = SelectField(_l("Counted in"), choices=DayUnit.choices())
    how_to_object = TextAreaField(_l("How to object"), validators=[DataRequired(), Length(max=2000)])
    # Set by the confirmation page: the first post only shows the computed window.
    confirmed = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ResolveForm(FlaskForm):
    status = SelectField(
        lazy_pgettext("objection", "Decision"),
        choices=[
            ("investigating", _l("Under investigation")),
            ("dismissed", _l("Dismissed")),
            ("upheld", _l("Upheld: withdraw the entry")),
        ],
    )
    honour_id = SelectField(_l("Entry concerned"), coerce=int, validators=[Optional()])
    outcome = TextAreaField(_l("Written outcome"), validators=[Optional(), Length(max=5000)])


class HonourForm(FlaskForm):
    recipient_name = StringField(_l("Recipient"), validators=[DataRequired(), Length(max=200)])
    recipient_unit = StringField(_l("Unit"), validators=[Optional(), Length(max=200)])
    work_title = StringField(_l("Work"), validators=[Optional(), Length(max=200)])
    level_text = StringField(_l("Award"), validators=[DataRequired(), Length(max=60)])
    group_label = StringField(_l("Group or genre"), validators=[Optional(), Length(max=60)])


DATE_STYLE_CHOICES = [
    ("arabic", _l("Arabic numerals (2026年12月18日)")),
    ("chinese", _l("Chinese numerals, month (二〇二六年十二月)")),
    ("chinese_with_day", _l("Chinese numerals, day (二〇二六年十二月十八日)")),
]


class TemplateForm(FlaskForm):
    title = StringField(_l("Certificate title"), validators=[DataRequired(), Length(max=40)])
    activity_name = StringField(_l("Activity name in the sentence"), validators=[DataRequired(), Length(max=200)])
    closing = StringField(_l("Closing line"), validators=[DataRequired(), Length(max=100)])
    issuers = TextAreaField(_l("Issuing organisations (one per line)"), validators=[Optional(), Length(max=1000)])
    issue_date = DateField(_l("Date on the certificate (empty: the publication date)"), validators=[Optional()])
    date_style = SelectField(_l("Date style"), choices=DATE_STYLE_CHOICES)
    page_size = SelectField(_l("Paper size"), choices=[("A4", "A4"), ("B5", "B5"), ("A5", "A5")])
    orientation = SelectField(_l("Orientation"), choices=[("landscape", _l("Landscape")), ("portrait", _l("Portrait"))])
    style = SelectField(
        _l("Border"),
        choices=[
            ("classic", _l("Red band with gold rule")),
            ("gold", _l("Gold band with red rule")),
            ("plain", _l("Plain grey line")),
        ],
    )
    activity_code = StringField(_l("Activity code"), validators=[DataRequired(), Length(max=20)])
    number_pattern = StringField(
        _l("Number pattern"),
        validators=[DataRequired(), Length(max=80)],
        description=_l(
            "Fields: {code}, {year}, {level}, {level_no}, {serial}, {group}; e.g. {code}-{year}-{level_no}{serial:04d}"
        ),
    )
    seal = FileField(
        _l("Seal image (PNG with transparent background, or SVG)"),
        validators=[FileAllowed(["png", "jpg", "jpeg", "svg"])],
    )
    remove_seal = BooleanField(_l("Remove the current seal"))


class WorkdayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    is_working = SelectField(_l("This day is"), choices=[("1", _l("a working day")), ("0", _l("a day off"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class MessageForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10000)])


class EmptyForm(FlaskForm):
    """CSRF only, for buttons."""

    next = HiddenField()


class ObjectionCheckForm(FlaskForm):
    reference = StringField(_l("Reference number"), validators=[DataRequired(), Length(max=20)])
    phone = TelField(_l("The phone number you gave"), validators=[DataRequired(), Length(max=32)])

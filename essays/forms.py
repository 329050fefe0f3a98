"""Essay forms: shape checks only; business rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from essays.models import ORGANISER_ROLES, CountRule, Format


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GenreRow(Form):
    id = HiddenField()
    name = StringField(_l("Genre"), validators=[Optional(), Length(max=40)])
    min_length = IntegerField(_l("Minimum"), validators=[Optional(), NumberRange(min=0)])
    max_length = IntegerField(_l("Maximum"), validators=[Optional(), NumberRange(min=1)])
    count_rule = SelectField(_l("Counting rule"), choices=[], validate_choice=False)


class OrganiserRow(Form):
    role = SelectField(_l("Role"), choices=[(r, r) for r in ORGANISER_ROLES], validate_choice=False)
    name = StringField(_l("Unit"), validators=[Optional(), Length(max=120)])


class CompetitionForm(FlaskForm):
    code = StringField(
        _l("Code (used in receipt numbers)"),
        validators=[DataRequired(), Regexp(r"^[A-Za-z0-9]{2,16}$", message=_l("2–16 letters or digits, e.g. ZW2026"))],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=200)])
    notice_html = TextAreaField(
        _l("Notice text"),
        validators=[Optional(), Length(max=100_000)],
        description=_l("Simple formatting (paragraphs, bold, lists, links) is kept; scripts and styles are removed."),
    )
    organisers = FieldList(FormField(OrganiserRow), min_entries=4, max_entries=12)
    genres = FieldList(FormField(GenreRow), min_entries=5, max_entries=20)
    groups = StringField(
        _l("Groups"),
        validators=[Optional(), Length(max=400)],
        description=_l("Separate with commas, e.g. 成人组，青少年组; leave empty for no groups."),
    )
    opens_at = DateTimeLocalField(_l("Opens at (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes at (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    grace_minutes = IntegerField(
        _l("Published grace period (minutes)"), default=0, validators=[Optional(), NumberRange(min=0, max=1440)]
    )
    max_entries_per_author = IntegerField(
        _l("Maximum entries per author"), default=1, validators=[DataRequired(), NumberRange(min=1, max=50)]
    )
    unit_recommendation_enabled = BooleanField(_l("Units may submit on behalf of their members (单位推荐)"))
    freeze_when_qualified = BooleanField(
        _l("Freeze entries when qualified"),
        description=_l(
            "Authors can no longer edit or withdraw a qualified entry. Entries always freeze "
            "once they are in an opened judging round."
        ),
    )
    unit_quota = IntegerField(
        _l("Entries each unit may recommend (0 = no limit)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1000)],
    )
    accepted_formats = MultiCheckboxField(_l("Accepted formats"), choices=[])
    max_file_mb = IntegerField(
        _l("File size limit (MB)"), default=10, validators=[DataRequired(), NumberRange(min=1, max=20)]
    )
    pledge_text = TextAreaField(_l("Originality pledge"), validators=[Optional(), Length(max=4000)])
    review_threshold = FloatField(
        _l("Similarity: review from containment"),
        default=0.5,
        validators=[DataRequired(), NumberRange(min=0.05, max=1)],
    )
    copy_threshold = FloatField(
        _l("Similarity: presumed copy from containment"),
        default=0.8,
        validators=[DataRequired(), NumberRange(min=0.05, max=1)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted_formats.choices = [(f.value, f.label) for f in Format]
        for row in self.genres:
            row.form.count_rule.choices = [(c.value, c.label) for c in CountRule]


class EntryForm(FlaskForm):
    token = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    genre_id = SelectField(_l("Genre"), coerce=int, validators=[DataRequired()])
    group_id = SelectField(_l("Group"), coerce=int, validators=[Optional()])
    body = TextAreaField(
        _l("Text of the entry"),
        validators=[Optional()],
        description=_l("Type or paste the text here, or upload a file below."),
    )
    upload = FileField(_l("Or upload a file"))
    pledge = BooleanField(_l("I confirm the originality pledge above"))


class RecommendForm(EntryForm):
    member_id = SelectField(_l("Author (member of your unit)"), coerce=int, validators=[DataRequired()])


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("qualify", _l("Qualified")), ("disqualify", _l("Disqualified"))])
    reason = TextAreaField(_l("Reason (shown to the author)"), validators=[Optional(), Length(max=2000)])


class RedactForm(FlaskForm):
    phrases = TextAreaField(
        _l("More text to hide from judges (one per line)"), validators=[Optional(), Length(max=2000)]
    )

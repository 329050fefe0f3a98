"""Nomination forms (helper n1's pages): shape checks only; rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    MonthField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from nominations.models import DEFAULT_UNIT_OPINION, MemberRole, ProgrammeKind, RuleOp, RuleSubject, Sex
from nominations.programmes import PROGRAMME_FIELDS, REQUIRABLE_FIELDS

REQUIRABLE_LABELS = {
    "resident_id": _l("Resident ID number"),
    "photo": _l("Photo"),
    "phone": _l("Telephone"),
    "ethnicity": _l("Ethnicity"),
    "politics": _l("Political status"),
    "education": _l("Education"),
    "position": _l("Post / title"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProgrammeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    honour_title = StringField(
        _l("Honour conferred"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("As on the certificate, e.g. 临渭标杆"),
    )
    kind = SelectField(_l("Nominees"), choices=ProgrammeKind.choices())
    organiser_name = StringField(_l("Organised by"), validators=[Optional(), Length(max=200)])
    eligibility = TextAreaField(_l("Eligibility"), validators=[Optional(), Length(max=20_000)])
    approval_ref = StringField(_l("Approval reference (批准文号)"), validators=[Optional(), Length(max=100)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    nominate_from = DateField(_l("Nominations open"), validators=[Optional()])
    nominate_until = DateField(_l("Nomination deadline"), validators=[Optional()])
    check_until = DateField(_l("Eligibility check until"), validators=[Optional()])
    review_until = DateField(_l("Expert review until"), validators=[Optional()])
    notice_from = DateField(_l("Public notice from"), validators=[Optional()])
    commend_on = DateField(_l("Commendation on"), validators=[Optional()])
    total_places = IntegerField(_l("Places in total"), validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    required_fields = MultiCheckboxField(
        _l("Also required in the dossier"), choices=[(f, REQUIRABLE_LABELS[f]) for f in REQUIRABLE_FIELDS]
    )
    deeds_limit = IntegerField(
        _l("Main deeds: at most (characters)"), default=3000, validators=[InputRequired(), NumberRange(1, 100_000)]
    )
    summary_limit = IntegerField(
        _l("Summary: at most (characters)"), default=300, validators=[InputRequired(), NumberRange(1, 10_000)]
    )
    blind_review = BooleanField(_l("Experts do not see names and units"))
    experts_per_dossier = IntegerField(
        _l("Experts per dossier"), default=3, validators=[InputRequired(), NumberRange(1, 50)]
    )

    def values(self) -> dict:
        data = {name: self[name].data for name in self.VALUE_FIELDS}
        data["kind"] = ProgrammeKind(data["kind"])
        data["organiser_name"] = (data["organiser_name"] or "").strip()
        return data

    VALUE_FIELDS = PROGRAMME_FIELDS


class RuleForm(FlaskForm):
    subject = SelectField(_l("Who"), choices=RuleSubject.choices())
    op = SelectField(_l("Bound"), choices=RuleOp.choices())
    percent = FloatField(_l("Share (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)])


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=80)])
    maximum = FloatField(_l("Maximum points"), default=10, validators=[InputRequired(), NumberRange(min=0.5, max=1000)])
    guidance = StringField(_l("Guidance"), validators=[Optional(), Length(max=2000)])


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int, choices=[])
    role = SelectField(_l("Role"), choices=MemberRole.choices())


class JointUnitForm(FlaskForm):
    unit_id = SelectField(_l("Department"), coerce=int, choices=[])


class DossierForm(FlaskForm):
    name = StringField(_l("Nominee's name"), validators=[Optional(), Length(max=120)])
    sex = SelectField(_l("Sex"), choices=[("", "—"), *Sex.choices()], validators=[Optional()])
    ethnicity = StringField(_l("Ethnicity"), default="汉族", validators=[Optional(), Length(max=20)])
    birth_month = MonthField(_l("Month of birth"), validators=[Optional()])
    politics = StringField(_l("Political status"), validators=[Optional(), Length(max=30)])
    education = StringField(_l("Education"), validators=[Optional(), Length(max=30)])
    position = StringField(_l("Post / title"), validators=[Optional(), Length(max=120)])
    workplace = StringField(_l("Workplace"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=32)])
    resident_id = StringField(_l("Resident ID number"), validators=[Optional(), Length(max=24)])
    is_leader = BooleanField(_l("Leading cadre (领导干部)"))
    is_frontline = BooleanField(_l("Works on the front line (一线)"))
    leader_name = StringField(_l("Team leader"), validators=[Optional(), Length(max=64)])
    member_count = IntegerField(_l("Number of members"), validators=[Optional(), NumberRange(min=1, max=100_000)])
    members_text = TextAreaField(_l("Team members (one per line)"), validators=[Optional(), Length(max=20_000)])
    summary = TextAreaField(_l("Summary of deeds"), validators=[Optional(), Length(max=20_000)])
    deeds = TextAreaField(_l("Main deeds"), validators=[Optional(), Length(max=200_000)])
    unit_opinion = TextAreaField(
        _l("Opinion of the nominating unit"), default=DEFAULT_UNIT_OPINION, validators=[Optional(), Length(max=2000)]
    )
    integrity_confirmed = BooleanField(
        _l("We confirm that the information in this dossier is true and complete, and take responsibility for it.")
    )
    consent_profile = BooleanField(_l("The nominee agrees to a public profile if the honour is conferred"))
    consent_deeds = BooleanField(_l("The nominee agrees that the main deeds are published with the profile"))
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit to the organiser"))

    def values(self, programme) -> dict:
        data = {
            name: self[name].data
            for name in self._fields
            if name not in ("csrf_token", "save", "submit", "resident_id")
        }
        # An empty ID field keeps the stored number (the page shows it masked, never in full).
        if "resident_id" in (programme.required_fields or []) and (self.resident_id.data or "").strip():
            data["resident_id"] = self.resident_id.data
        return data


class FileForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[("photo", _l("Photo")), ("attachment", _l("Supporting file"))])
    upload = FileField(_l("File"))


class CheckForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            ("pass", _l("Passes the eligibility check")),
            ("return", _l("Return to the unit for revision")),
            ("reject", _l("Reject as not eligible")),
        ],
        validators=[InputRequired()],
    )
    opinion = TextAreaField(
        _l("Opinion"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when returning or rejecting; shown to the unit."),
    )

"""Judging forms: shape checks only; business rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.errors import UserError
from core.i18n_markers import N_
from judging import awards as awards_mod
from judging.models import Arbitration, Grouping, Method, PoolRule
from judging.round_services import CriterionInput


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
    confirm_insider = BooleanField(
        _l("I confirm: this judge is an organiser or administrator, who can see who wrote the entries.")
    )


class ConflictForm(FlaskForm):
    """A conflict of interest between a pool judge and one entry, recorded by the organiser."""

    judge_id = SelectField(_l("Judge"), coerce=int, validate_choice=False)
    receipt_number = StringField(_l("Receipt number of the entry"), validators=[DataRequired(), Length(max=40)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class RemoveJudgeForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


def _not_a_number(form: Form) -> UserError:
    """The refusal for a form that did not validate: the number as typed, if a number did not parse."""
    for field in form:
        if not field.errors:
            continue
        if isinstance(field, FormField):
            return _not_a_number(field.form)
        if isinstance(field, FieldList):
            return _not_a_number(next(entry for entry in field if entry.errors))
        if isinstance(field, FloatField | IntegerField):
            return UserError(N_("%(value)s is not a number."), value=(field.raw_data or [""])[0])
    return UserError(N_("The form has expired or was sent from another page. Please reload the page and submit again."))


def _stripped(value):
    return (value or "").strip()


class CriterionForm(Form):
    """One row of the rubric editor; a row without a name is left out."""

    name = StringField(_l("Criterion"), filters=[lambda v: _stripped(v)[:80]])
    maximum = FloatField(_l("Full marks"), validators=[Optional()])
    weight = FloatField(_l("Weight"), validators=[Optional()], default=1)
    step = FloatField(_l("Step"), validators=[Optional()], default=1)
    guidance = StringField(_l("Guidance"), filters=[_stripped])


class RubricForm(FlaskForm):
    """The rubric editor: its rows are ``criteria-N-name`` and so on (the page adds blank rows)."""

    criteria = FieldList(FormField(CriterionForm))

    def with_blank_rows(self, count: int) -> RubricForm:
        for _ in range(count):
            self.criteria.append_entry({"weight": 1, "step": 1})
        return self

    def rows(self) -> list[CriterionInput]:
        """The named rows as the service takes them; a number that did not parse is refused."""
        if not self.validate_on_submit():
            raise _not_a_number(self)
        return [
            CriterionInput(
                name=row.name.data,
                maximum=row.maximum.data or 0,
                weight=row.weight.data or 1,
                step=row.step.data or 1,
                guidance=row.guidance.data,
            )
            for row in (entry.form for entry in self.criteria)
            if row.name.data
        ]


def rubric_form(round_) -> RubricForm:
    """The editor filled with the round's rubric (on a GET) and blank rows to add criteria."""
    data = [
        {"name": c.name, "maximum": c.maximum, "weight": c.weight, "step": c.step, "guidance": c.guidance}
        for c in round_.criteria
    ]
    form = RubricForm(formdata=None, data={"criteria": data})
    return form.with_blank_rows(1 if data else 3)


class LevelForm(Form):
    """One award level's quota: none, a count or a percentage, and an optional minimum score."""

    kind = SelectField(
        _l("Quota"),
        choices=[("none", _l("Not awarded")), ("count", _l("Count")), ("percent", _l("Percent"))],
        default="none",
    )
    value = FloatField(_l("Number or percentage"), validators=[Optional()])
    min = FloatField(_l("Minimum score"), validators=[Optional()])


class AwardSchemeBase(FlaskForm):
    grouping = SelectField(_l("Quotas apply"), choices=Grouping.choices(), default="all")
    boundary_tie = SelectField(
        _l("Tie at a boundary"),
        choices=[("both_higher", _l("Both take the higher award")), ("committee", _l("The committee decides"))],
        default="both_higher",
        validate_choice=False,  # the service refuses an unknown policy with its own message
    )
    one_award_per_author = BooleanField(_l("One award per author"), default=True)

    def level_forms(self):
        """(level code, its subform) from the highest level down."""
        return [(code, self[code].form) for code in awards_mod.LEVEL_CODES]

    def levels(self) -> list[dict]:
        """The levels that are awarded, as ``award_services.set_scheme`` takes them."""
        if not self.validate_on_submit():
            raise _not_a_number(self)
        out = []
        for code, level in self.level_forms():
            value = level.value.data
            if level.kind.data == "none" or value is None:
                continue
            count = level.kind.data == "count"
            out.append(
                {
                    "code": code,
                    "count": int(value) if count else None,
                    "percent": None if count else value,
                    "min_score": level.min.data,
                }
            )
        return out


def award_scheme_form(scheme=None) -> AwardSchemeBase:
    """A form with one ``<code>_kind``/``<code>_value``/``<code>_min`` group per award level.

    Built per request from ``awards.LEVEL_CODES``; on a GET it shows ``scheme``.
    """
    fields = {code: FormField(LevelForm, separator="_") for code in awards_mod.LEVEL_CODES}
    form_class = type("AwardSchemeForm", (AwardSchemeBase,), fields)
    if scheme is None:
        return form_class()
    levels = {
        lv.code: {
            "kind": "count" if lv.count is not None else "percent",
            "value": lv.count if lv.count is not None else lv.percent,
            "min": lv.min_score,
        }
        for lv in scheme.levels
    }
    return form_class(
        formdata=None,
        data={
            "grouping": str(scheme.grouping),
            "boundary_tie": scheme.boundary_tie,
            "one_award_per_author": scheme.one_award_per_author,
            **levels,
        },
    )


class PickUserForm(FlaskForm):
    """One user picked from a list the page offers (a judge for an entry, a committee member).

    The services check the choice; a value that is not a number picks nobody.
    """

    judge_id = IntegerField(_l("Judge"), validators=[Optional()])
    user_id = IntegerField(_l("User"), validators=[Optional()])


class ReasonForm(FlaskForm):
    """An organiser's decision with its reason (on one entry, or on every entry it applies to)."""

    submission_id = IntegerField(validators=[Optional()])
    reason = StringField(_l("Reason"), filters=[_stripped])


class AdjustForm(FlaskForm):
    submission_id = IntegerField(validators=[DataRequired()])
    new_level = SelectField(_l("New level"), choices=[])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class KeyinUploadForm(FlaskForm):
    """One keyed-in file (first or second entry) of the offline score sheets."""

    sheet = FileField(_l("Keyed-in scores (.xlsx or .csv)"), validators=[FileRequired()])


class TeacherHonoursForm(FlaskForm):
    """优秀指导教师 for the teachers the round's awarded entries name."""

    level_text = StringField(_l("Name of the honour"), validators=[Length(max=60)], default="优秀指导教师")

"""The judge's forms: the pledge, recusal and the score sheet of one entry.

Shape checks only: whether a score is a number on the rubric's scale, and
whether the judge may score at all, is decided by ``judging.judge_services``
and ``judging.permissions``, so a refusal reads the same from the page, the
autosave and the offline key-in.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from judging.models import ConflictRelation
from judging.workspace import JudgeCriterion

DECLARATION_ROWS = 3


class DeclarationRowForm(Form):
    """One row of the pledge's declaration: how the judge is tied, and to whom."""

    relation = SelectField(_l("Relation"), choices=[("", "—"), *ConflictRelation.choices()], validators=[Optional()])
    concerns = StringField(_l("Name or unit it concerns"), validators=[Optional(), Length(max=200)])


class PledgeForm(FlaskForm):
    accept = BooleanField(_l("I accept the pledge"), validators=[DataRequired()])
    declarations = FieldList(FormField(DeclarationRowForm), min_entries=DECLARATION_ROWS, max_entries=10)

    def declaration_rows(self) -> list[dict]:
        """The rows as typed, for ``judge_services.accept_pledge`` to check."""
        return [{"relation": row.relation.data or "", "concerns": row.concerns.data or ""} for row in self.declarations]


class RecuseForm(FlaskForm):
    reason = StringField(_l("Reason for recusal"), validators=[DataRequired(), Length(max=200)])


class DeclareConflictForm(FlaskForm):
    reason = StringField(_l("Reason for the conflict of interest"), validators=[DataRequired(), Length(max=200)])


class ScoreForm(FlaskForm):
    """A judge's score on one entry; ``score_form`` adds a field ``c<id>`` per rubric criterion."""

    comment = TextAreaField(_l("Comment (optional)"))
    # The entry version the page showed: a score is refused if the entry changed since.
    entry_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    action = StringField()  # the button pressed: "draft" or "submit"

    criteria: tuple[JudgeCriterion, ...] = ()

    def values(self) -> dict[str, str]:
        """{criterion id: the value as typed}, for ``judge_services.save_score`` to check."""
        return {str(c.id): self[c.field].data or "" for c in self.criteria}

    @property
    def submitting(self) -> bool:
        return self.action.data == "submit"


def score_form(criteria: Sequence[JudgeCriterion], *, work: dict | None = None, version: int | None = None):
    """The score form of a rubric, filled from the judge's stored work (``workspace.work_state``) if given."""
    fields = {c.field: StringField(c.name) for c in criteria}
    form_class = type("RubricScoreForm", (ScoreForm,), {**fields, "criteria": tuple(criteria)})
    if work is None:
        return form_class()
    data = {c.field: work["values"].get(str(c.id), "") for c in criteria}
    return form_class(data={**data, "comment": work["comment"], "entry_version": version})

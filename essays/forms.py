"""Essay forms: shape checks only; business rules live in services."""

from __future__ import annotations

from flask_babel import gettext as _
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

from accounts.privacy import GUARDIAN_RELATIONS
from core.i18n import local, parse_local
from essays import notice_markup
from essays.entry_fields import FieldType
from essays.models import ORGANISER_ROLES, CountRule, Format, NoticeFileKind


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


class EntryFieldRow(Form):
    """One entry field the organiser defines (essays.entry_fields)."""

    key = HiddenField()
    label = StringField(_l("Field name"), validators=[Optional(), Length(max=40)])
    type = SelectField(
        _l("Field type"), choices=FieldType.choices(), default=FieldType.TEXT.value, validate_choice=False
    )
    choices = StringField(_l("Choices (for a choice field)"), validators=[Optional(), Length(max=400)])
    required = BooleanField(_l("Required to fill in"))
    judge_visible = BooleanField(_l("Shown to judges"))
    no_identity = BooleanField(_l("Carries no identity"))
    teacher = BooleanField(_l("Names teachers (优秀指导教师)"))


class CompetitionForm(FlaskForm):
    code = StringField(
        _l("Code (used in receipt numbers)"),
        validators=[DataRequired(), Regexp(r"^[A-Za-z0-9]{2,16}$", message=_l("2–16 letters or digits, e.g. ZW2026"))],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=200)])
    notice_source = TextAreaField(
        _l("Notice text"),
        validators=[Optional(), Length(max=100_000)],
        description=_l(
            "A blank line starts a new paragraph. ## at the start of a line makes a heading, 1. a numbered list, "
            "**text** bold, [text](https://…) a link."
        ),
    )
    organisers = FieldList(FormField(OrganiserRow), min_entries=4, max_entries=12)
    genres = FieldList(FormField(GenreRow), min_entries=5, max_entries=20)
    entry_fields = FieldList(FormField(EntryFieldRow), min_entries=3, max_entries=20)
    groups = StringField(
        _l("Groups"),
        validators=[Optional(), Length(max=400)],
        description=_l("Separate with commas, e.g. 成人组，青少年组; leave empty for no groups."),
    )
    minor_groups = StringField(
        _l("Groups of minors"),
        validators=[Optional(), Length(max=400)],
        description=_l(
            "Of the groups above, those whose authors are minors: a guardian's consent is asked at submission."
        ),
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
        for row in self.entry_fields:
            row.form.type.choices = FieldType.choices()
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
    # A group of minors (``Group.minors``) asks for the guardian's consent.
    guardian_name = StringField(_l("Guardian's name"), validators=[Optional(), Length(max=64)])
    guardian_relation = SelectField(
        _l("Relation to the author"),
        choices=[("", "—")] + [(r, r) for r in GUARDIAN_RELATIONS],
        validate_choice=False,  # checked with the consent, only for a group of minors
    )
    guardian_consent = BooleanField(
        _l("As the author's guardian, I agree to this entry and to the processing of the author's personal information")
    )


class RecommendForm(EntryForm):
    member_id = SelectField(_l("Author (member of your unit)"), coerce=int, validators=[DataRequired()])


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("qualify", _l("Qualified")), ("disqualify", _l("Disqualified"))])
    reason = TextAreaField(_l("Reason (shown to the author)"), validators=[Optional(), Length(max=2000)])


class RedactForm(FlaskForm):
    phrases = TextAreaField(
        _l("More text to hide from judges (one per line)"), validators=[Optional(), Length(max=2000)]
    )


def with_choices(form: EntryForm, comp) -> EntryForm:
    """The entry form with the competition's genres and groups to choose from."""
    form.genre_id.choices = [(0, _("— choose —"))] + [(g.id, g.name) for g in comp.genres]
    form.group_id.choices = [(0, _("— choose —"))] + [(g.id, g.name) for g in comp.groups]
    return form


def _names(text: str | None) -> list[str]:
    """Names typed separated by commas (Chinese or Western) or 、."""
    return [n.strip() for n in (text or "").replace("，", ",").replace("、", ",").split(",") if n.strip()]


def competition_values(form: CompetitionForm) -> dict:
    """The keyword arguments of ``competitions.create_competition``/``update_competition``."""
    genres = [
        {
            "id": int(r.form.id.data) if (r.form.id.data or "").isdigit() else None,
            "name": r.form.name.data,
            "min_length": r.form.min_length.data,
            "max_length": r.form.max_length.data,
            "count_rule": r.form.count_rule.data if r.form.count_rule.data in list(CountRule) else CountRule.WORD,
        }
        for r in form.genres
        if (r.form.name.data or "").strip()
    ]
    minors = set(_names(form.minor_groups.data))
    groups = [{"name": n, "minors": n in minors} for n in _names(form.groups.data)]
    organisers = [
        {
            "role": r.form.role.data if r.form.role.data in ORGANISER_ROLES else ORGANISER_ROLES[0],
            "name": r.form.name.data.strip(),
        }
        for r in form.organisers
        if (r.form.name.data or "").strip()
    ]
    entry_fields = [
        {
            "key": r.form.key.data,
            "label": r.form.label.data,
            "type": r.form.type.data,
            "choices": _split_list(r.form.choices.data),
            "required": r.form.required.data,
            "judge_visible": r.form.judge_visible.data,
            "no_identity": r.form.no_identity.data,
            "teacher": r.form.teacher.data,
        }
        for r in form.entry_fields
    ]
    return dict(
        code=form.code.data,
        title=form.title.data.strip(),
        theme=(form.theme.data or "").strip(),
        notice_source=form.notice_source.data or "",
        notice_format=notice_markup.MARKDOWN,
        organisers=organisers,
        opens_at=parse_local(form.opens_at.data),
        closes_at=parse_local(form.closes_at.data),
        grace_minutes=form.grace_minutes.data or 0,
        max_entries_per_author=form.max_entries_per_author.data,
        unit_recommendation_enabled=form.unit_recommendation_enabled.data,
        unit_quota=form.unit_quota.data or 0,
        freeze_when_qualified=form.freeze_when_qualified.data,
        accepted_formats=list(form.accepted_formats.data or []),
        max_file_mb=form.max_file_mb.data,
        pledge_text=form.pledge_text.data or "",
        review_threshold=form.review_threshold.data,
        copy_threshold=form.copy_threshold.data,
        genres=genres,
        groups=groups,
        entry_fields=entry_fields,
    )


def _split_list(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").replace("，", ",").replace("、", ",").split(",") if n.strip()]


FILLED_FROM_COMPETITION = (
    "code",
    "title",
    "theme",
    "notice_source",
    "grace_minutes",
    "max_entries_per_author",
    "unit_recommendation_enabled",
    "unit_quota",
    "max_file_mb",
    "pledge_text",
    "review_threshold",
    "copy_threshold",
    "freeze_when_qualified",
)


def fill_competition_form(form: CompetitionForm, comp) -> None:
    """Show a competition's settings in the form."""
    for key in FILLED_FROM_COMPETITION:
        getattr(form, key).data = getattr(comp, key)
    if comp.notice_format == notice_markup.HTML:  # saved before Markdown: edited (and saved) as Markdown
        form.notice_source.data = notice_markup.html_to_markdown(comp.notice_source)
    form.accepted_formats.data = list(comp.accepted_formats or [])
    form.opens_at.data = local(comp.opens_at).replace(tzinfo=None)
    form.closes_at.data = local(comp.closes_at).replace(tzinfo=None)
    form.groups.data = "，".join(g.name for g in comp.groups)
    form.minor_groups.data = "，".join(g.name for g in comp.groups if g.minors)
    for row, genre in zip(form.genres, comp.genres):
        row.form.id.data = str(genre.id)
        row.form.name.data, row.form.min_length.data = genre.name, genre.min_length
        row.form.max_length.data, row.form.count_rule.data = genre.max_length, genre.count_rule
    for row, org in zip(form.organisers, comp.organisers or []):
        row.form.role.data, row.form.name.data = org.get("role"), org.get("name")
    defs = comp.entry_fields or []
    while len(form.entry_fields) < min(len(defs) + 2, form.entry_fields.max_entries):
        form.entry_fields.append_entry()
    for row, defn in zip(form.entry_fields, defs):
        for key in ("key", "label", "type", "required", "judge_visible", "no_identity", "teacher"):
            getattr(row.form, key).data = defn.get(key)
        row.form.choices.data = "，".join(defn.get("choices") or [])


class NoticePreviewForm(FlaskForm):
    """The editor's live preview: the Markdown as typed (CSRF-checked like every form)."""

    notice_source = TextAreaField(validators=[Optional(), Length(max=100_000)])


class NoticeFileForm(FlaskForm):
    kind = SelectField(_l("The file is"), choices=NoticeFileKind.choices(), default=NoticeFileKind.NOTICE.value)
    upload = FileField(_l("File (.docx, .pdf; templates also .xlsx)"))


def redaction_choices(form: RedactForm, entry, posted) -> tuple[set[int], list[str]]:
    """The found spans the organiser keeps (unticked) and the extra phrases to hide."""
    keep = {i for i in range(len(entry.identity_spans or [])) if f"redact_{i}" not in posted}
    phrases = [p.strip() for p in (form.phrases.data or "").splitlines() if p.strip()]
    return keep, phrases

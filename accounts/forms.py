"""Account forms: shape checks only; business rules live in services. The unit
select reads its choices (and the chosen unit) from the database."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, Regexp

from accounts.models import ActivityScope, OrganiserPart, Role, Unit, UnitKind
from core.extensions import db

PHONE = Regexp(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", message=_l("Please enter a valid phone number."))
USERNAME = Regexp(r"^[A-Za-z0-9_.\-@]{3,64}$", message=_l("User name must be 3–64 letters, digits or _.-@"))


class LoginForm(FlaskForm):
    login = StringField(_l("User name, phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this computer"))


class RegisterForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), USERNAME])
    display_name = StringField(_l("Real name"), validators=[DataRequired(), Length(max=64)])
    phone = TelField(_l("Mobile phone"), validators=[DataRequired(), PHONE])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    workplace = StringField(_l("Workplace (if your unit is not listed)"), validators=[Optional(), Length(max=120)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=256)])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    consent = BooleanField(
        _l("I have read the privacy notice and agree to the processing of my personal information"),
        validators=[DataRequired(message=_l("Please read the privacy notice and agree to it."))],
    )
    notice_version = HiddenField()


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Real name"), validators=[DataRequired(), Length(max=64)])
    phone = TelField(_l("Mobile phone"), validators=[Optional(), PHONE])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    workplace = StringField(_l("Workplace (if your unit is not listed)"), validators=[Optional(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=[("zh_Hans_CN", "简体中文"), ("en", "English")])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=256)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords do not match."))],
    )


class ForgotPasswordForm(FlaskForm):
    login = StringField(_l("User name, phone or e-mail"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=256)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords do not match."))],
    )


def unit_choices(blank_label: str | None = None):
    """The active units for a unit select; 0 stands for no unit."""
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.name)).all()
    return [(0, blank_label or _l("— none —"))] + [(u.id, u.name) for u in units]


def chosen_unit(unit_id: int | None) -> Unit | None:
    """The unit picked in a unit select (0 or nothing: none)."""
    return db.session.get(Unit, unit_id) if unit_id else None


def role_choices():
    return [(r.value, r.label) for r in Role]


def unit_kind_choices():
    return [(k.value, k.label) for k in UnitKind]


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), USERNAME])
    display_name = StringField(_l("Real name"), validators=[DataRequired(), Length(max=64)])
    phone = TelField(_l("Mobile phone"), validators=[Optional(), PHONE])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    roles = SelectMultipleField(_l("Roles"), validators=[DataRequired()])
    # For organisers: the district department's (every activity) or a 承办/协办 department's.
    activity_scope = SelectField(
        _l("Activities managed"), choices=ActivityScope.choices(), default=ActivityScope.ALL.value
    )
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(min=8, max=256)])


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Kind"))
    parent_id = SelectField(_l("Parent unit"), coerce=int, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class ImportForm(FlaskForm):
    sheet = FileField(
        _l("Sheet (.xlsx or .csv)"),
        validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Please upload an .xlsx or .csv file."))],
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=256)])


class QuotaRow(Form):
    unit_id = HiddenField()
    places = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=0, max=1000)])


class QuotaForm(FlaskForm):
    """Places per unit, one row per active unit (nomination programmes, essay competitions)."""

    rows = FieldList(FormField(QuotaRow), min_entries=0, max_entries=2000)

    @classmethod
    def for_units(cls, units, places_of) -> QuotaForm:
        """The table for ``units``; on a GET filled with ``places_of(unit_id)``."""
        form = cls()
        if request.method == "GET":
            for unit in units:
                form.rows.append_entry({"unit_id": unit.id, "places": places_of(unit.id)})
        form.unit_names = {u.id: u.name for u in units}
        return form

    def places(self, empty=None) -> dict[int, int | None]:
        """{unit id: places} as submitted; an empty cell gives ``empty``."""
        return {
            int(row.unit_id.data): row.places.data if row.places.data is not None else empty
            for row in self.rows
            if row.unit_id.data
        }


class QuotaImportForm(FlaskForm):
    sheet = FileField(_l("Sheet (.xlsx or .csv with the columns 单位 and 名额)"))

    def upload(self) -> tuple[str, bytes] | None:
        """(file name, bytes) of the chosen sheet, or None when none was chosen."""
        upload = self.sheet.data
        if not self.validate_on_submit() or not upload or not upload.filename:
            return None
        return upload.filename, upload.read()

    def import_with(self, do_import, done):
        """The import route: ``do_import(file name, bytes)`` with the chosen sheet (it returns the
        changes) and say how many units changed, or ask for a sheet; then ``done`` either way."""
        sheet = self.upload()
        if sheet is None:
            flash(_("Choose a sheet to import."), "error")
            return done
        changes = do_import(*sheet)
        flash(_("Imported: the places of %(count)s units changed.", count=len(changes)), "success")
        return done


class InviteForm(FlaskForm):
    """Someone a unit recommends who has no account yet (accounts.recovery.invite_author)."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    phone = TelField(_l("Mobile phone"), validators=[Optional(), PHONE])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)])


class RetentionForm(FlaskForm):
    keep_until = DateField(_l("Keep the personal data of entries that did not win until"), validators=[DataRequired()])


class ActivityOrganiserForm(FlaskForm):
    """List an organiser account on an activity, with the part its department plays."""

    user_id = SelectField(_l("Organiser account"), coerce=int, validators=[DataRequired()])
    part = SelectField(
        _lp("organiser part", "Part"), choices=OrganiserPart.choices(), default=OrganiserPart.UNDERTAKER.value
    )

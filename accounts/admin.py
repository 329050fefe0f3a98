"""Admin pages: users, units, importing users from a sheet."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from accounts import activity_access, recovery, services, sheets
from accounts.forms import (
    ImportForm,
    ResetPasswordForm,
    UnitForm,
    UserForm,
    chosen_unit,
    role_choices,
    unit_choices,
    unit_kind_choices,
)
from accounts.models import Role, Unit, UnitKind, User, UserRole
from accounts.permissions import require_roles
from core import exports
from core.extensions import db
from core.forms import act_on_valid, form_values
from core.limits import body_limit
from core.request_cycle import on_user_error, redirect_either_way
from core.urls import local_path

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50


@bp.route("/users")
@require_roles(Role.ADMIN)
def users():
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    status = request.args.get("status") or ""
    stmt = select(User).order_by(User.id.desc())
    if q:
        like = f"%{q}%"
        stmt = stmt.outerjoin(Unit, User.unit_id == Unit.id).where(
            or_(
                User.username.ilike(like),
                User.display_name.ilike(like),
                User.phone.ilike(like),
                User.email.ilike(like),
                Unit.name.ilike(like),
            )
        )
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role))))
    if status == "disabled":
        stmt = stmt.where(User.active.is_(False))
    elif status == "active":
        stmt = stmt.where(User.active.is_(True))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role, status=status, roles=role_choices())


def _fill_user_form(form: UserForm) -> None:
    form.unit_id.choices = unit_choices()
    form.roles.choices = role_choices()


@bp.route("/users/new", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def user_new():
    form = UserForm()
    _fill_user_form(form)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("An initial password is required."))
        else:
            on_user_error(lambda: render_template("admin/user_form.html", form=form, user=None))
            user = services.create_user(
                **form_values(form, "username", "display_name", "password", "roles", "phone", "email"),
                unit=chosen_unit(form.unit_id.data),
                actor=current_user,
            )
            activity_access.set_activity_scope(user, form.activity_scope.data, actor=current_user)
            flash(_("User %(name)s has been created.", name=user.display_name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    _fill_user_form(form)
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
        form.roles.data = sorted(str(r) for r in user.roles)
        form.activity_scope.data = user.activity_scope.value
    if form.validate_on_submit():
        on_user_error(lambda: render_template("admin/user_form.html", form=form, user=user))
        services.update_user(
            user,
            **form_values(form, "roles", "username", "display_name", "phone", "email"),
            unit=chosen_unit(form.unit_id.data),
            actor=current_user,
        )
        activity_access.set_activity_scope(user, form.activity_scope.data, actor=current_user)
        if form.password.data:
            services.set_password(user, form.password.data, actor=current_user)
        flash(_("User %(name)s has been saved.", name=user.display_name), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@require_roles(Role.ADMIN)
def user_set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    done = redirect_either_way(local_path(request.referrer) or url_for("admin.users"))
    services.set_user_active(user, active, actor=current_user)
    flash(
        _("User %(name)s has been enabled.", name=user.display_name)
        if active
        else _("User %(name)s has been disabled and signed out everywhere.", name=user.display_name),
        "success",
    )
    return done


@bp.route("/users/import", methods=["GET", "POST"])
@body_limit("upload")
@require_roles(Role.ADMIN)
def users_import():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.sheet.data
        on_user_error(lambda: render_template("admin/import.html", form=form, report=None))
        report = services.import_users(upload.filename or "", upload.read(), actor=current_user)
        if report.errors:  # nothing was written: the service checks every row first
            flash(_("Nothing was imported: please correct the rows listed below and upload again."), "error")
        else:
            flash(_("%(count)s users have been imported.", count=len(report.created)), "success")
    return render_template("admin/import.html", form=form, report=report)


@bp.route("/users/import/template.xlsx")
@require_roles(Role.ADMIN)
def users_import_template():
    # The headers are the fixed words the import reads back, whatever the interface language.
    table = exports.Table(
        [exports.Column(h, 18) for h in sheets.TEMPLATE_HEADERS],
        [
            ["zhangwei", "张伟", "13800000001", "zhangwei@example.cn", "区教育局", "评委", ""],
            ["liuna", "刘娜", "13800000002", "", "区科技局", "单位联络员", ""],
        ],
        sheet="用户",
        freeze_header=False,
    )
    return exports.send_table(table, "xlsx", "用户导入模板.xlsx")


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require_roles(Role.ADMIN)
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    return act_on_valid(
        ResetPasswordForm(),
        lambda form: services.set_password(user, form.password.data, actor=current_user),
        redirect_either_way(url_for("admin.user_edit", user_id=user.id)),
        success=_("The password of %(name)s has been reset.", name=user.display_name),
        invalid=_("The password must be at least 8 characters long."),
    )


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@require_roles(Role.ADMIN)
def user_reset_link(user_id: int):
    """A one-time link for the person to choose a password themselves, shown once to pass on."""
    user = db.get_or_404(User, user_id)
    url, expires = recovery.issue_link(user, actor=current_user._get_current_object())
    page = render_template(
        "accounts/reset_link.html",
        user=user,
        url=url,
        expires=expires,
        back=url_for("admin.user_edit", user_id=user.id),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


# Units ---------------------------------------------------------------------


def _unit_tree() -> list[tuple[Unit, int]]:
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    out: list[tuple[Unit, int]] = []

    def walk(parent_id, depth):
        for u in children.get(parent_id, []):
            out.append((u, depth))
            walk(u.id, depth + 1)

    walk(None, 0)
    return out


@bp.route("/units")
@require_roles(Role.ADMIN)
def units():
    counts = dict(db.session.execute(select(User.unit_id, func.count(User.id)).group_by(User.unit_id)).all())
    return render_template("admin/units.html", tree=_unit_tree(), counts=counts)


def _unit_form(unit: Unit | None) -> UnitForm:
    form = UnitForm(obj=unit)
    form.kind.choices = unit_kind_choices()
    form.parent_id.choices = [(0, _("— top level —"))] + [
        (u.id, "　" * depth + u.name) for u, depth in _unit_tree() if unit is None or u.id != unit.id
    ]
    if request.method == "GET" and unit is not None:
        form.parent_id.data = unit.parent_id or 0
        form.kind.data = unit.kind.value
    return form


@bp.route("/units/new", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def unit_new():
    form = _unit_form(None)
    if form.validate_on_submit():
        on_user_error(lambda: render_template("admin/unit_form.html", form=form, unit=None))
        unit = services.create_unit(
            **form_values(form, "name", "kind", "short_name"),
            parent=chosen_unit(form.parent_id.data),
            actor=current_user,
        )
        flash(_("Unit %(name)s has been created.", name=unit.name), "success")
        return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=None)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def unit_edit(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    form = _unit_form(unit)
    if form.validate_on_submit():
        on_user_error(lambda: render_template("admin/unit_form.html", form=form, unit=unit))
        services.update_unit(
            unit,
            actor=current_user,
            **form_values(form, "name", "active"),
            short_name=form.short_name.data or None,
            kind=UnitKind(form.kind.data),
            parent=chosen_unit(form.parent_id.data),
        )
        flash(_("Unit %(name)s has been saved.", name=unit.name), "success")
        return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)

"""Sign in and out, registration, own profile and password."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts import privacy, recovery, services, user_agents
from accounts.auth import hash_token, rotate_session
from accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    chosen_unit,
    unit_choices,
)
from accounts.models import Role, User, UserSession
from accounts.permissions import can_issue_reset_link, can_reissue_invitation, require_roles
from core.extensions import csrf, db, limiter
from core.forms import form_values
from core.limits import abort_if_refused, body_limit
from core.loaders import allowed_or_404
from core.request_cycle import on_user_error

bp = Blueprint("accounts", __name__)


def _login_failed(response) -> bool:
    return bool(g.get("login_failed"))


@bp.before_request
def _forget_login_account() -> None:
    # ``g`` outlives a request when an application context was pushed around it.
    g.pop("login_accounts", None)


def _login_account() -> User | None:
    """The account the typed login names, looked up once per sign-in post: the
    per-account limit, the password check and the audit entry all use it."""
    typed = services.normalise_login(request.form.get("login"))
    found = g.setdefault("login_accounts", {})
    if typed not in found:
        found[typed] = services.find_user_by_login(typed)
    return found[typed]


def _account_key() -> str:
    """The per-account limit counts guesses against the account, whichever of
    its user name, phone or e-mail was typed; unknown logins by what was typed."""
    user = _login_account()
    if user is not None:
        return f"login-account:user:{user.id}"
    return "login-account:name:" + services.normalise_login(request.form.get("login"))


def _register_limit() -> str:
    return current_app.config.get("REGISTER_LIMIT_PER_ADDRESS") or "10 per hour"


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@body_limit("signin", in_view=True)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_login_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_login_failed,
)
@csrf.exempt  # checked below, once the throttle has seen the post
def login():
    if request.method == "POST":
        # A malformed sign-in post (too large, too slow, no valid CSRF token,
        # fields missing) counts as a failed attempt: junk is not free.
        g.login_failed = True
        abort_if_refused()
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        g.login_failed = False
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        on_user_error(lambda: _refuse_sign_in(form, disabled=True))
        user = services.authenticate(_login_account(), form.password.data)
        if user is None:
            flash(_("The user name or password is not correct."), "error")
            return _refuse_sign_in(form)
        session.clear()
        services.sign_in(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    if request.method == "POST":
        g.login_failed = True
    return render_template("accounts/login.html", form=form)


def _refuse_sign_in(form: LoginForm, *, disabled: bool = False):
    """The sign-in page again; the failed attempt is recorded (and committed with the page)."""
    g.login_failed = True
    services.record_failed_sign_in(_login_account(), disabled=disabled)
    return render_template("accounts/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
@body_limit("signin")
@login_required
def logout():
    services.sign_out(current_user._get_current_object())
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@body_limit("signin")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    form.unit_id.choices = unit_choices(_("— not listed —"))
    if form.validate_on_submit():
        on_user_error(lambda: _register_page(form))
        user = services.register_author(
            **form_values(form, "username", "display_name", "password", "phone", "email", "workplace"),
            unit=chosen_unit(form.unit_id.data),
        )
        privacy.record_consent(user, version=form.notice_version.data)
        services.sign_in(user)
        flash(_("Welcome! Your account has been created."), "success")
        return redirect(url_for("core.home"))
    return _register_page(form)


def _register_page(form: RegisterForm):
    form.notice_version.data = privacy.NOTICE_VERSION
    return render_template("accounts/register.html", form=form, notice=privacy)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    form.unit_id.choices = unit_choices(_("— not listed —"))
    unit_locked = not services.can_change_own_unit(user)
    if unit_locked and user.unit_id and user.unit_id not in {c[0] for c in form.unit_id.choices}:
        form.unit_id.choices.append((user.unit_id, user.unit.name))  # an inactive unit still shows
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
        form.locale.data = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    if unit_locked and "unit_id" not in request.form:
        form.unit_id.data = user.unit_id or 0  # the locked field is not sent by the browser
    if form.validate_on_submit():
        on_user_error(lambda: _profile_page(user, form, unit_locked))
        services.update_own_profile(
            user,
            **form_values(form, "display_name", "phone", "email", "workplace", "locale"),
            unit=chosen_unit(form.unit_id.data),
        )
        session["lang"] = form.locale.data
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return _profile_page(user, form, unit_locked)


def _profile_page(user, form: ProfileForm, unit_locked: bool):
    sessions = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    current_hash = hash_token(user.get_id() or "")
    browsers = {s.id: " · ".join(_(part) for part in user_agents.describe(s.user_agent)) for s in sessions}
    local = {s.id: user_agents.is_local(s.ip) for s in sessions}
    return render_template(
        "accounts/profile.html",
        form=form,
        sessions=sessions,
        browsers=browsers,
        local=local,
        current_hash=current_hash,
        unit_locked=unit_locked,
    )


@bp.route("/profile/password", methods=["GET", "POST"])
@body_limit("signin")
@login_required
def change_password():
    user = current_user._get_current_object()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        on_user_error(lambda: render_template("accounts/password.html", form=form))
        services.change_password(user, form.current.data, form.new.data)
        rotate_session(user)
        flash(_("Your password has been changed. Other browsers have been signed out."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/profile/sessions/<int:session_id>/revoke", methods=["POST"])
@login_required
def revoke_session(session_id: int):
    if not services.revoke_session(current_user._get_current_object(), session_id):
        abort(404)
    flash(_("That browser has been signed out."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/lang/<code>", methods=["POST"])
@body_limit("signin")
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("core.home"))


# Password recovery ------------------------------------------------------------


def _reset_limit() -> str:
    return current_app.config.get("RESET_LIMIT_PER_ADDRESS") or "10 per hour"


def _reset_account_limit() -> str:
    return current_app.config.get("RESET_LIMIT_PER_ACCOUNT") or "3 per hour"


def _reset_account_key() -> str:
    """Links asked for one account count together, whichever of its logins was typed."""
    typed = services.normalise_login(request.form.get("login"))
    user = services.find_user_by_login(typed)
    return f"reset-account:user:{user.id}" if user is not None else f"reset-account:name:{typed}"


def _private_page(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@body_limit("signin")
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_account_limit, methods=["POST"], key_func=_reset_account_key)
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.change_password"))
    by_email = recovery.email_available()
    form = ForgotPasswordForm() if by_email else None
    minutes = int(recovery.email_lifetime().total_seconds() // 60)
    if form is not None and form.validate_on_submit():
        mail = recovery.request_link_by_email(form.login.data)
        page = render_template("accounts/forgot.html", form=None, by_email=True, sent=True, minutes=minutes)
        return recovery.send_after_response(make_response(page), mail)
    return render_template("accounts/forgot.html", form=form, by_email=by_email, sent=False, minutes=minutes)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@body_limit("signin")
def reset_password(token: str):
    reset = recovery.valid_reset(token)
    if reset is None:
        return _private_page(render_template("accounts/reset_invalid.html"), 404)
    form = NewPasswordForm()
    page = partial(render_template, "accounts/reset.html", form=form, user=reset.user)
    if form.validate_on_submit():
        on_user_error(lambda: _private_page(page()))
        user = recovery.reset_password(reset, form.new.data)
        if current_user.is_authenticated and current_user.id == user.id:
            session.clear()
        flash(_("Your password has been set. Please sign in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    return _private_page(page())


@bp.route("/unit/members")
@require_roles(Role.COORDINATOR)
def unit_members():
    members = []
    if current_user.unit_id:
        members = db.session.scalars(
            select(User).where(User.unit_id == current_user.unit_id).order_by(User.display_name)
        ).all()
    return render_template(
        "accounts/unit_members.html",
        members=members,
        can_issue=partial(can_issue_reset_link, current_user),
        can_reinvite=partial(can_reissue_invitation, current_user),
    )


@bp.route("/unit/members/<int:user_id>/invitation", methods=["POST"])
@require_roles(Role.COORDINATOR)
def unit_member_invitation(user_id: int):
    """A new invitation link for a member who has not confirmed yet (the old one expired or was lost)."""
    user = allowed_or_404(User, user_id, can_reissue_invitation)
    invitation = recovery.reissue_invitation(user, actor=current_user._get_current_object())
    page = render_template("accounts/invitation_link.html", invitation=invitation)
    return recovery.send_after_response(_private_page(page), invitation.mail)


@bp.route("/unit/members/<int:user_id>/reset-link", methods=["POST"])
@require_roles(Role.COORDINATOR)
def unit_member_reset_link(user_id: int):
    # Not a member of this unit this coordinator may help: do not say who exists.
    user = allowed_or_404(User, user_id, can_issue_reset_link)
    url, expires = recovery.issue_link(user, actor=current_user._get_current_object())
    return _private_page(
        render_template(
            "accounts/reset_link.html", user=user, url=url, expires=expires, back=url_for("accounts.unit_members")
        )
    )

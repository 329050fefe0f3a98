"""Judging pages: the organisers' round pages, and the ``judging`` blueprint.

The judge's (blind) pages register on ``bp`` from ``judging.routes_judge``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from accounts import services as account_services
from accounts.models import Role, User
from accounts.permissions import require_roles
from core import exports
from core.errors import UserError
from core.extensions import db
from core.i18n import local, parse_local
from core.i18n_markers import N_
from core.limits import body_limit
from core.loaders import part_or_404
from core.request_cycle import on_user_error, redirect_either_way
from core.views import register_panel
from essays.models import Competition
from judging import (
    arbitration,
    assign_services,
    charts,
    dashboard,
    judge_services,
    manual,
    offline,
    pool_services,
    reminders,
    results,
    round_services,
    stats,
    workspace,
)
from judging import awards as awards_mod
from judging.access import competition_or_404, organised, organised_competitions, round_action, round_or_404
from judging.forms import (
    AddJudgeForm,
    ConflictForm,
    KeyinUploadForm,
    NewRoundForm,
    OpenRoundForm,
    PickUserForm,
    ReasonForm,
    RemoveJudgeForm,
    RoundForm,
    RubricForm,
    rubric_form,
)
from judging.models import Arbitration, Assignment, KeyinState, PoolRule, Round
from judging.reliability import BAND_LABELS, MIN_PAIRABLE_ENTRIES

bp = Blueprint("judging", __name__, url_prefix="/judging")

ROUNDS_PER_PAGE = 50
register_panel(("organiser", "admin"), "judging/_panel_office.html")


@bp.app_context_processor
def _labels():
    return {
        "level_labels": awards_mod.LEVEL_LABELS,
        "judging_rounds_in_progress": dashboard.rounds_in_progress,
        "judging_my_rounds": lambda: dashboard.judge_rounds(current_user.id),
    }


# Committee pages and the organiser's result decisions register on ``bp`` too.
from judging import committee, routes_results  # noqa: E402,F401

# ==========================================================================
# Organisers
# ==========================================================================


def _setup_url(round_: Round, anchor: str = "") -> str:
    return url_for("judging.round_setup", round_id=round_.id) + anchor


def _back(round_: Round, anchor: str = ""):
    return redirect(_setup_url(round_, anchor))


@bp.route("/rounds", methods=["GET", "POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def rounds():
    form = NewRoundForm()
    form.competition_id.choices = [(c.id, f"{c.code} {c.title}") for c in organised_competitions()]
    if form.validate_on_submit():
        comp = competition_or_404(form.competition_id.data)
        on_user_error(lambda: _rounds_page(form))
        round_ = round_services.create_round(comp, actor=current_user, name=form.name.data)
        flash(_("Round created. Set up the rubric and the judges next."), "success")
        return _back(round_)
    return _rounds_page(form)


def _rounds_page(form: NewRoundForm):
    stmt = organised(
        select(Round)
        .join(Competition, Competition.id == Round.competition_id)
        .options(contains_eager(Round.competition))
        .order_by(Competition.id.desc(), Round.position)
    )
    page = db.paginate(stmt, per_page=ROUNDS_PER_PAGE, error_out=False)
    return render_template("judging/rounds.html", page=page, form=form)


def _judge_users() -> list[User]:
    return account_services.active_users_with_role(Role.JUDGE)


def _judge_choices() -> list[tuple[int, str]]:
    return [(u.id, f"{u.display_name}（{u.unit_name}）") for u in _judge_users()]


def _round_form(round_: Round) -> RoundForm:
    form = RoundForm(obj=round_)
    form.leader_id.choices = [(0, "—")] + _judge_choices()
    if request.method == "GET":
        form.leader_id.data = round_.leader_id or 0
        form.arbitration.data = str(round_.arbitration)
        form.pool_rule.data = str(round_.pool_rule)
        form.judge_deadline.data = local(round_.judge_deadline).replace(tzinfo=None) if round_.judge_deadline else None
    return form


def _round_settings(form: RoundForm) -> dict:
    return {
        "name": form.name.data,
        "k": form.k.data,
        "method": form.method.data,
        "arbitration": Arbitration(form.arbitration.data),
        "threshold": form.threshold.data,
        "leader_id": form.leader_id.data or None,
        "pool_rule": PoolRule(form.pool_rule.data),
        "pool_value": form.pool_value.data,
        "pool_grouping": form.pool_grouping.data,
        "judge_deadline": parse_local(form.judge_deadline.data) if form.judge_deadline.data else None,
        "reveal_scores_after_close": form.reveal_scores_after_close.data,
        "pledge_text": form.pledge_text.data or "",
    }


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def round_setup(round_id: int):
    round_ = round_or_404(round_id)
    form = _round_form(round_)
    if form.validate_on_submit():
        on_user_error(lambda: _round_page(round_, form))
        round_services.update_round(round_, actor=current_user, **_round_settings(form))
        flash(_("Round settings saved."), "success")
        return _back(round_)
    return _round_page(round_, form)


def _add_judge_form() -> AddJudgeForm:
    form = AddJudgeForm()
    form.user_id.choices = _judge_choices()
    return form


def _conflict_form(round_: Round) -> ConflictForm:
    form = ConflictForm()
    judges = [(m.user_id, m.user.display_name) for m in pool_services.pool_members(round_)]
    if round_.leader is not None and round_.leader_id not in {uid for uid, _ in judges}:
        judges.append((round_.leader_id, round_.leader.display_name))
    form.judge_id.choices = judges
    return form


def _round_page(round_: Round, form: RoundForm):
    return render_template(
        "judging/round.html",
        round=round_,
        form=form,
        rubric_form=rubric_form(round_),
        add_form=_add_judge_form(),
        insiders=[(u.id, u.display_name) for u in _judge_users() if pool_services.is_insider(u)],
        remove_form=RemoveJudgeForm(),
        conflict_form=_conflict_form(round_),
        conflicts=pool_services.conflicts(round_),
        open_form=OpenRoundForm(),
        call_open=round_services.call_still_open(round_.competition),
        members=pool_services.pool_members(round_, active_only=False),
        loads=stats.per_judge_counts(round_),
        totals=stats.totals(round_),
        progress=stats.progress_by_judge(round_),
        stuck=arbitration.stuck_entries(round_),
    )


@bp.route("/rounds/<int:round_id>/rubric", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def rubric(round_id: int):
    round_, done = round_action(round_id, anchor="#rubric")
    round_services.set_criteria(round_, RubricForm().rows(), actor=current_user)
    flash(_("Rubric saved."), "success")
    return done


@bp.route("/rounds/<int:round_id>/judges", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def add_judge(round_id: int):
    round_, done = round_action(round_id, anchor="#judges")
    form = _add_judge_form()
    if not form.validate_on_submit():
        raise UserError(_("Choose a judge from the list; the maximum load cannot be negative."))
    user = db.get_or_404(User, form.user_id.data)
    pool_services.add_judge(
        round_, user, actor=current_user, capacity=form.capacity.data, confirm_insider=form.confirm_insider.data
    )
    flash(_("Judge added."), "success")
    return done


@bp.route("/rounds/<int:round_id>/conflicts", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def record_conflict(round_id: int):
    round_, done = round_action(round_id, anchor="#judges")
    form = ConflictForm()
    if not form.validate_on_submit():
        flash(_("Choose a judge, give the entry's receipt number and the reason."), "error")
        return done
    judge = db.get_or_404(User, form.judge_id.data)
    pool_services.record_conflict(round_, judge, form.receipt_number.data, reason=form.reason.data, actor=current_user)
    flash(_("The conflict of interest is recorded; assignment keeps the judge away from that entry."), "success")
    return done


@bp.route("/rounds/<int:round_id>/judges/<int:user_id>/remove", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def remove_judge(round_id: int, user_id: int):
    round_, done = round_action(round_id, anchor="#judges")
    form = RemoveJudgeForm()
    if not form.validate_on_submit():
        raise UserError(_("Give a reason for removing the judge."))
    user = db.get_or_404(User, user_id)
    handed = pool_services.remove_judge(round_, user, actor=current_user, reason=form.reason.data)
    flash(_("Judge removed; %(count)s entries handed to other judges.", count=handed), "success")
    return done


@bp.route("/rounds/<int:round_id>/assign", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def assign(round_id: int):
    round_, done = round_action(round_id, anchor="#progress")
    result = assign_services.assign_judges(round_, actor=current_user)
    flash(_("%(count)s assignments made.", count=len(result.new)), "success")
    if result.unfilled:
        codes = workspace.codes_for(list(result.unfilled))
        for code, reason in assign_services.unfilled_messages(result, codes)[:20]:
            flash(_("%(code)s lacks judges: %(reason)s", code=code, reason=_(reason)), "warning")
    return done


@bp.route("/rounds/<int:round_id>/entries")
@require_roles(Role.ORGANISER, Role.ADMIN)
def entries(round_id: int):
    round_ = round_or_404(round_id)
    show = request.args.get("show", "")
    page = db.paginate(manual.entries_query(round_, show), per_page=manual.ENTRIES_PER_PAGE, error_out=False)
    lines = manual.entry_lines(round_, list(page.items))
    return render_template(
        "judging/entries.html",
        round=round_,
        lines=lines,
        show=show,
        page=page,
        eligible=manual.eligible_judges(round_, lines),
    )


@bp.route("/rounds/<int:round_id>/entries/<int:submission_id>/judges", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def entry_add_judge(round_id: int, submission_id: int):
    round_, done = round_action(round_id, "judging.entries", f"#e{submission_id}")
    form = PickUserForm()
    manual.add_judge_to_entry(round_, submission_id, form.judge_id.data or 0, actor=current_user)
    flash(_("The judge has been added to the entry."), "success")
    return done


@bp.route("/rounds/<int:round_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def entry_remove_judge(round_id: int, assignment_id: int):
    round_ = round_or_404(round_id)
    item = part_or_404(Assignment, assignment_id, round_id=round_.id)
    form = ReasonForm()
    done = redirect_either_way(url_for("judging.entries", round_id=round_.id) + f"#e{item.submission_id}")
    manual.remove_judge_from_entry(item, actor=current_user, reason=form.reason.data)
    flash(_("The judge has been taken off the entry."), "success")
    return done


@bp.route("/rounds/<int:round_id>/remind", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def remind(round_id: int):
    round_, done = round_action(round_id, anchor="#progress")
    report = reminders.remind_judges(round_, actor=current_user)
    if report.emailed:
        flash(_("Reminder e-mails sent to %(count)s judges.", count=len(report.emailed)), "success")
    if report.to_call:
        reason = "" if report.mail_configured else _("E-mail is not configured.") + " "
        people = "；".join(f"{j.display_name}（{j.phone or _('no phone')}）: {n}" for j, n in report.to_call)
        flash(reason + _("Please call these judges (entries left): %(people)s", people=people), "warning")
    if not report.emailed and not report.to_call:
        flash(_("Every judge has finished; nobody needs a reminder."), "success")
    return done


def _open_round(round_: Round, *, actor) -> None:
    form = OpenRoundForm()
    if not form.validate_on_submit():
        raise UserError(
            _("The form has expired or was sent from another page. Please reload the page and submit again.")
        )
    round_services.open_round(round_, actor=actor, confirm_freeze=bool(form.confirm_freeze.data))


# action -> (service, message when done)
STATE_ACTIONS = {
    "open": (_open_round, N_("The round is open; judges can score.")),
    "close": (round_services.close_round, N_("The round is closed.")),
    "reopen": (round_services.reopen_round, N_("The round is open again.")),
    "finalise": (results.finalise_round, N_("The round is finalised and its awards handed to publishing.")),
}


@bp.route("/rounds/<int:round_id>/state/<action>", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def change_state(round_id: int, action: str):
    round_ = round_or_404(round_id)
    if action not in STATE_ACTIONS:
        abort(404)
    service, message = STATE_ACTIONS[action]
    done = redirect_either_way(
        url_for("judging.awards", round_id=round_id) if action == "finalise" else _setup_url(round_)
    )
    service(round_, actor=current_user)
    flash(_(message), "success")
    return done


@bp.route("/rounds/<int:round_id>/scores")
@require_roles(Role.ORGANISER, Role.ADMIN)
def scores(round_id: int):
    round_ = round_or_404(round_id)
    page = db.paginate(stats.matrix_query(round_), per_page=stats.MATRIX_PER_PAGE, error_out=False)
    rows, judges = stats.entry_rows(round_, only=set(page.items))
    counts, lo, hi = stats.score_histogram(round_)
    lenient = stats.leniency(round_)
    return render_template(
        "judging/scores.html",
        round=round_,
        page=page,
        rows=rows,
        judges=judges,
        discrepancies=stats.discrepancies(round_),
        rel=stats.reliability(round_),
        band_labels=BAND_LABELS,
        min_pairable=MIN_PAIRABLE_ENTRIES,
        leniency_svg=charts.leniency_chart(lenient, round_.full_marks, _("Judge leniency: mean ± SD")),
        histogram_svg=charts.histogram_chart(counts, lo, hi, _("Distribution of scores")),
        progress=stats.progress_by_judge(round_),
        totals=stats.totals(round_),
    )


# --------------------------------------------------------------------------
# Offline judging: double-entry import of paper score sheets
# --------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/keyin")
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin(round_id: int):
    round_ = round_or_404(round_id)
    batch = offline.current_batch(round_)
    report = dict(batch.report or {}) if batch else {}
    errors = []
    for e in report.get("errors", []):
        msgid, params = e.get("message", ""), e.get("params", {})
        errors.append((e.get("source"), e.get("line"), _(msgid, **params)))
    return render_template(
        "judging/keyin.html",
        round=round_,
        batch=batch,
        report=report,
        errors=errors,
        form=KeyinUploadForm(),
        past=offline.past_batches(round_),
        can_score=judge_services.can_score_now(round_),
    )


@bp.route("/rounds/<int:round_id>/keyin/template.xlsx")
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_template(round_id: int):
    round_ = round_or_404(round_id)
    return exports.send_table(
        offline.template_tables(round_), "xlsx", f"评分录入表-{round_.competition.code}-{round_.position}.xlsx"
    )


@bp.route("/rounds/<int:round_id>/keyin/upload/<which>", methods=["POST"])
@body_limit("upload")
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_upload(round_id: int, which: str):
    round_ = round_or_404(round_id)
    if which not in offline.ENTRIES:
        abort(404)
    form = KeyinUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose the file to upload."), "error")
        return redirect(url_for("judging.keyin", round_id=round_id))
    upload = form.sheet.data
    done = redirect_either_way(url_for("judging.keyin", round_id=round_id))
    batch = offline.upload_entry(round_, which, upload.read(), upload.filename or "", actor=current_user)
    flash(_("First entry uploaded.") if which == "first" else _("Second entry uploaded."), "success")
    if batch.state == KeyinState.READY:
        flash(_("The two entries agree. Check the numbers and store the scores."), "success")
    elif batch.state == KeyinState.MISMATCH:
        flash(_("The two entries do not agree; the differences are listed below."), "warning")
    return done


def _keyin_batch(round_: Round, batch_id: int):
    batch = offline.batch_in_round(round_, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/rounds/<int:round_id>/keyin/<int:batch_id>/apply", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_apply(round_id: int, batch_id: int):
    round_ = round_or_404(round_id)
    batch = _keyin_batch(round_, batch_id)
    page = url_for("judging.keyin", round_id=round_id)
    on_user_error(lambda: _refresh_after_refusal(batch_id, page))
    count = offline.apply_batch(batch, actor=current_user)
    flash(_("%(count)s scores stored from the paper sheets.", count=count), "success")
    return redirect(page)


def _refresh_after_refusal(batch_id: int, page: str):
    """The comparison is re-run on apply; keep its fresh report for the page (committed on the redirect)."""
    offline.refresh_report(batch_id)
    return redirect(page)


@bp.route("/rounds/<int:round_id>/keyin/<int:batch_id>/discard", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_discard(round_id: int, batch_id: int):
    round_, done = round_action(round_id, "judging.keyin")
    batch = _keyin_batch(round_, batch_id)
    offline.discard_batch(batch, actor=current_user)
    flash(_("The import was discarded; no scores were stored."), "success")
    return done

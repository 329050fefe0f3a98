"""Judging pages: the organisers' round pages, and the ``judging`` blueprint.

The judge's (blind) pages register on ``bp`` from ``judging.routes_judge``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Role, User, UserRole
from accounts.permissions import require_roles
from core import exports
from core.errors import UserError
from core.extensions import db
from core.i18n import parse_local
from core.limits import body_limit
from core.request_cycle import on_user_error, redirect_either_way
from essays.models import Competition
from judging import arbitration, charts, results, services, stats, workspace
from judging import awards as awards_mod
from judging.forms import (
    AddJudgeForm,
    AdjustForm,
    KeyinUploadForm,
    NewRoundForm,
    OpenRoundForm,
    RemoveJudgeForm,
    RoundForm,
)
from judging.models import Arbitration, Assignment, Grouping, PoolRule, Round

bp = Blueprint("judging", __name__, url_prefix="/judging")


@bp.app_context_processor
def _labels():
    return {"level_labels": awards_mod.LEVEL_LABELS}


# Committee pages and the organiser's result decisions register on ``bp`` too.
from judging import committee, routes_results  # noqa: E402,F401

# ==========================================================================
# Organisers
# ==========================================================================


def _round(round_id: int) -> Round:
    return db.get_or_404(Round, round_id)


def _setup_url(round_: Round, anchor: str = "") -> str:
    return url_for("judging.round_setup", round_id=round_.id) + anchor


def _back(round_: Round, anchor: str = ""):
    return redirect(_setup_url(round_, anchor))


@bp.route("/rounds", methods=["GET", "POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def rounds():
    form = NewRoundForm()
    form.competition_id.choices = [
        (c.id, f"{c.code} {c.title}") for c in db.session.scalars(select(Competition).order_by(Competition.id.desc()))
    ]
    if form.validate_on_submit():
        comp = db.get_or_404(Competition, form.competition_id.data)
        on_user_error(lambda: _rounds_page(form))
        round_ = services.create_round(comp, actor=current_user, name=form.name.data)
        flash(_("Round created. Set up the rubric and the judges next."), "success")
        return _back(round_)
    return _rounds_page(form)


def _rounds_page(form: NewRoundForm):
    rows = db.session.execute(
        select(Round, Competition)
        .join(Competition, Competition.id == Round.competition_id)
        .order_by(Competition.id.desc(), Round.position)
    ).all()
    return render_template("judging/rounds.html", rows=rows, form=form)


def _judge_choices() -> list[tuple[int, str]]:
    users = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.JUDGE, User.active.is_(True))
        .order_by(User.display_name)
    )
    return [(u.id, f"{u.display_name}（{u.unit_name}）") for u in users]


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def round_setup(round_id: int):
    round_ = _round(round_id)
    form = RoundForm(obj=round_)
    form.leader_id.choices = [(0, "—")] + _judge_choices()
    if request.method == "GET":
        form.leader_id.data = round_.leader_id or 0
        form.arbitration.data = str(round_.arbitration)
        form.pool_rule.data = str(round_.pool_rule)
        from core.i18n import local

        form.judge_deadline.data = local(round_.judge_deadline).replace(tzinfo=None) if round_.judge_deadline else None
    if form.validate_on_submit():
        on_user_error(lambda: _round_page(round_, form))
        services.update_round(
            round_,
            actor=current_user,
            name=form.name.data,
            k=form.k.data,
            method=form.method.data,
            arbitration=Arbitration(form.arbitration.data),
            threshold=form.threshold.data,
            leader_id=form.leader_id.data or None,
            pool_rule=PoolRule(form.pool_rule.data),
            pool_value=form.pool_value.data,
            pool_grouping=form.pool_grouping.data,
            judge_deadline=parse_local(form.judge_deadline.data) if form.judge_deadline.data else None,
            reveal_scores_after_close=form.reveal_scores_after_close.data,
            pledge_text=form.pledge_text.data or "",
        )
        flash(_("Round settings saved."), "success")
        return _back(round_)
    return _round_page(round_, form)


def _round_page(round_: Round, form: RoundForm):
    add_form = AddJudgeForm()
    add_form.user_id.choices = _judge_choices()
    return render_template(
        "judging/round.html",
        round=round_,
        form=form,
        add_form=add_form,
        remove_form=RemoveJudgeForm(),
        open_form=OpenRoundForm(),
        call_open=services.call_still_open(round_.competition),
        members=services.pool_members(round_, active_only=False),
        loads=stats.per_judge_counts(round_),
        totals=stats.totals(round_),
        progress=stats.progress_by_judge(round_),
        stuck=arbitration.stuck_entries(round_),
    )


@bp.route("/rounds/<int:round_id>/rubric", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def rubric(round_id: int):
    round_ = _round(round_id)
    f = request.form
    done = redirect_either_way(_setup_url(round_, "#rubric"))
    rows = []
    for name, maximum, weight, step, guidance in zip(
        f.getlist("c_name"), f.getlist("c_max"), f.getlist("c_weight"), f.getlist("c_step"), f.getlist("c_guidance")
    ):
        if not name.strip():
            continue
        rows.append(
            services.CriterionInput(
                name=name.strip()[:80],
                maximum=services.parse_value(maximum) or 0,
                weight=services.parse_value(weight) or 1,
                step=services.parse_value(step) or 1,
                guidance=guidance,
            )
        )
    services.set_criteria(round_, rows, actor=current_user)
    flash(_("Rubric saved."), "success")
    return done


@bp.route("/rounds/<int:round_id>/judges", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def add_judge(round_id: int):
    round_ = _round(round_id)
    form = AddJudgeForm()
    form.user_id.choices = _judge_choices()
    done = redirect_either_way(_setup_url(round_, "#judges"))
    if form.validate_on_submit():
        services.add_judge(
            round_, db.get_or_404(User, form.user_id.data), actor=current_user, capacity=form.capacity.data
        )
        flash(_("Judge added."), "success")
    else:
        flash(_("Choose a judge from the list; the maximum load cannot be negative."), "error")
    return done


@bp.route("/rounds/<int:round_id>/judges/<int:user_id>/remove", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def remove_judge(round_id: int, user_id: int):
    round_ = _round(round_id)
    form = RemoveJudgeForm()
    done = redirect_either_way(_setup_url(round_, "#judges"))
    if not form.validate_on_submit():
        raise UserError(_("Give a reason for removing the judge."))
    handed = services.remove_judge(round_, db.get_or_404(User, user_id), actor=current_user, reason=form.reason.data)
    flash(_("Judge removed; %(count)s entries handed to other judges.", count=handed), "success")
    return done


@bp.route("/rounds/<int:round_id>/assign", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def assign(round_id: int):
    round_ = _round(round_id)
    done = redirect_either_way(_setup_url(round_, "#progress"))
    result = services.assign_judges(round_, actor=current_user)
    flash(_("%(count)s assignments made.", count=len(result.new)), "success")
    if result.unfilled:
        codes = workspace.codes_for(list(result.unfilled))
        for code, reason in services.unfilled_messages(result, codes)[:20]:
            flash(_("%(code)s lacks judges: %(reason)s", code=code, reason=_(reason)), "warning")
    return done


@bp.route("/rounds/<int:round_id>/entries")
@require_roles(Role.ORGANISER, Role.ADMIN)
def entries(round_id: int):
    from judging import manual

    round_ = _round(round_id)
    lines = manual.entry_lines(round_)
    show = request.args.get("show", "")
    if show == "short":
        lines = [line for line in lines if len(line.active) < round_.k]
    elif show == "open":
        lines = [line for line in lines if line.done < len(line.active)]
    per_page = 100
    pages = max(1, -(-len(lines) // per_page))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    lines = lines[(page - 1) * per_page : page * per_page]
    return render_template(
        "judging/entries.html",
        round=round_,
        lines=lines,
        show=show,
        page=page,
        pages=pages,
        eligible=manual.eligible_judges(round_, lines),
    )


@bp.route("/rounds/<int:round_id>/entries/<int:submission_id>/judges", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def entry_add_judge(round_id: int, submission_id: int):
    from judging import manual

    round_ = _round(round_id)
    try:
        judge_id = int(request.form.get("judge_id") or 0)
    except ValueError:
        judge_id = 0
    done = redirect_either_way(url_for("judging.entries", round_id=round_.id) + f"#e{submission_id}")
    manual.add_judge_to_entry(round_, submission_id, judge_id, actor=current_user)
    flash(_("The judge has been added to the entry."), "success")
    return done


@bp.route("/rounds/<int:round_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def entry_remove_judge(round_id: int, assignment_id: int):
    from judging import manual

    round_ = _round(round_id)
    item = db.session.get(Assignment, assignment_id)
    if item is None or item.round_id != round_.id:
        abort(404)
    done = redirect_either_way(url_for("judging.entries", round_id=round_.id) + f"#e{item.submission_id}")
    manual.remove_judge_from_entry(item, actor=current_user, reason=request.form.get("reason", ""))
    flash(_("The judge has been taken off the entry."), "success")
    return done


@bp.route("/rounds/<int:round_id>/remind", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def remind(round_id: int):
    from judging import reminders

    round_ = _round(round_id)
    done = redirect_either_way(_setup_url(round_, "#progress"))
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


@bp.route("/rounds/<int:round_id>/state/<action>", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def change_state(round_id: int, action: str):
    round_ = _round(round_id)
    actions = {
        "open": services.open_round,
        "close": services.close_round,
        "reopen": services.reopen_round,
        "finalise": results.finalise_round,
    }
    if action not in actions:
        abort(404)
    done = redirect_either_way(
        url_for("judging.awards", round_id=round_id) if action == "finalise" else _setup_url(round_)
    )
    if action == "open":
        form = OpenRoundForm()
        if not form.validate_on_submit():
            raise UserError(
                _("The form has expired or was sent from another page. Please reload the page and submit again.")
            )
        services.open_round(round_, actor=current_user, confirm_freeze=bool(form.confirm_freeze.data))
    else:
        actions[action](round_, actor=current_user)
    flash(
        {
            "open": _("The round is open; judges can score."),
            "close": _("The round is closed."),
            "reopen": _("The round is open again."),
            "finalise": _("The round is finalised and its awards handed to publishing."),
        }[action],
        "success",
    )
    return done


@bp.route("/rounds/<int:round_id>/scores")
@require_roles(Role.ORGANISER, Role.ADMIN)
def scores(round_id: int):
    round_ = _round(round_id)
    rows, judges = stats.entry_rows(round_)
    rel = stats.reliability(round_)
    counts, lo, hi = stats.score_histogram(round_)
    lenient = stats.leniency(round_)
    return render_template(
        "judging/scores.html",
        round=round_,
        rows=rows,
        judges=judges,
        discrepancies=stats.discrepancies(round_),
        rel=rel,
        band_labels=_band_labels(),
        leniency_svg=charts.leniency_chart(lenient, round_.full_marks, _("Judge leniency: mean ± SD")),
        histogram_svg=charts.histogram_chart(counts, lo, hi, _("Distribution of scores")),
        progress=stats.progress_by_judge(round_),
        totals=stats.totals(round_),
    )


def _band_labels():
    from judging.scoring import BAND_LABELS

    return BAND_LABELS


def _levels_form(scheme) -> list[dict]:
    out = []
    f = request.form
    for code in awards_mod.LEVEL_CODES:
        kind = f.get(f"{code}_kind", "none")
        value = services.parse_value(f.get(f"{code}_value"))
        if kind == "none" or value is None:
            continue
        out.append(
            {
                "code": code,
                "count": int(value) if kind == "count" else None,
                "percent": value if kind == "percent" else None,
                "min_score": services.parse_value(f.get(f"{code}_min")),
            }
        )
    return out


@bp.route("/rounds/<int:round_id>/awards", methods=["GET", "POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def awards(round_id: int):
    round_ = _round(round_id)
    if request.method == "POST":
        done = redirect_either_way(url_for("judging.awards", round_id=round_id))
        scheme = results.get_scheme(round_, create=True)
        results.set_scheme(
            round_,
            actor=current_user,
            grouping=request.form.get("grouping", "all"),
            one_award_per_author=bool(request.form.get("one_award_per_author")),
            boundary_tie=request.form.get("boundary_tie", "both_higher"),
            levels=_levels_form(scheme),
        )
        allocation = results.allocate_awards(round_, actor=current_user)
        flash(_("Awards allocated: %(count)s.", count=len(allocation.awards)), "success")
        for tie in allocation.pending_ties:
            flash(
                _(
                    "A tie at the boundary of %(level)s needs the committee's decision.",
                    level=_(awards_mod.LEVEL_LABELS[tie.level]),
                ),
                "warning",
            )
        return done
    scheme = results.get_scheme(round_)
    levels = {lv.code: lv for lv in scheme.levels} if scheme else {}
    ranking = workspace.ranking(round_)
    adjust = AdjustForm()
    adjust.new_level.choices = [("", _("No award"))] + [
        (c, _(awards_mod.LEVEL_LABELS[c])) for c in awards_mod.LEVEL_CODES
    ]
    return render_template(
        "judging/awards.html",
        round=round_,
        scheme=scheme,
        levels=levels,
        level_codes=awards_mod.LEVEL_CODES,
        ranking=ranking,
        adjust=adjust,
        adjustments=workspace.adjustments(round_),
        groupings=Grouping,
        **_results_context(round_),
    )


def _results_context(round_: Round) -> dict:
    """Awards page: entries with too few scores, ties for the committee, the committee itself."""
    from judging import committee_services

    return {
        "short": results.short_entries(round_),
        "ties": committee_services.tie_views(round_),
        "tie_decisions": committee_services.decisions(round_),
        "committee": committee_services.members(round_),
        "committee_choices": committee_services.candidates(),
    }


@bp.route("/rounds/<int:round_id>/awards/adjust", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def adjust(round_id: int):
    round_ = _round(round_id)
    form = AdjustForm()
    form.new_level.choices = [("", "")] + [(c, c) for c in awards_mod.LEVEL_CODES]
    done = redirect_either_way(url_for("judging.awards", round_id=round_id))
    if not form.validate_on_submit():
        if form.reason.errors:
            raise UserError(_("A reason is required to change an award."))
        raise UserError(_("Choose an award level from the list."))
    results.adjust_award(
        round_, form.submission_id.data, form.new_level.data or None, actor=current_user, reason=form.reason.data
    )
    flash(_("Award changed; the reason is in the audit log."), "success")
    return done


# --------------------------------------------------------------------------
# Offline judging: double-entry import of paper score sheets
# --------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/keyin")
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin(round_id: int):
    from judging import offline

    round_ = _round(round_id)
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
        can_score=services.can_score_now(round_),
    )


@bp.route("/rounds/<int:round_id>/keyin/template.xlsx")
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_template(round_id: int):
    from judging import offline

    round_ = _round(round_id)
    return exports.send_table(
        offline.template_tables(round_), "xlsx", f"评分录入表-{round_.competition.code}-{round_.position}.xlsx"
    )


@bp.route("/rounds/<int:round_id>/keyin/upload/<which>", methods=["POST"])
@body_limit("upload")
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_upload(round_id: int, which: str):
    from judging import offline
    from judging.models import KeyinState

    round_ = _round(round_id)
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
    from judging import offline

    batch = offline.batch_in_round(round_, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/rounds/<int:round_id>/keyin/<int:batch_id>/apply", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_apply(round_id: int, batch_id: int):
    from judging import offline

    round_ = _round(round_id)
    batch = _keyin_batch(round_, batch_id)
    page = url_for("judging.keyin", round_id=round_id)
    on_user_error(lambda: _recheck_after_refusal(type(batch), batch_id, page))
    count = offline.apply_batch(batch, actor=current_user)
    flash(_("%(count)s scores stored from the paper sheets.", count=count), "success")
    return redirect(page)


def _recheck_after_refusal(model, batch_id: int, page: str):
    """The comparison is re-run on apply; keep its fresh report for the page (committed on the redirect)."""
    from judging import offline

    batch = db.session.get(model, batch_id)
    if batch is not None and batch.first_file_id and batch.second_file_id:
        try:
            offline.recheck(batch)
        except UserError:
            db.session.rollback()
    return redirect(page)


@bp.route("/rounds/<int:round_id>/keyin/<int:batch_id>/discard", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def keyin_discard(round_id: int, batch_id: int):
    from judging import offline

    round_ = _round(round_id)
    batch = _keyin_batch(round_, batch_id)
    done = redirect_either_way(url_for("judging.keyin", round_id=round_id))
    offline.discard_batch(batch, actor=current_user)
    flash(_("The import was discarded; no scores were stored."), "success")
    return done


@bp.route("/rounds/<int:round_id>/export.<fmt>")
@require_roles(Role.ORGANISER, Role.ADMIN)
def export(round_id: int, fmt: str):
    """评分汇总表 of the stored results; a GET changes nothing (recompute with the POST below)."""
    round_ = _round(round_id)
    if fmt not in exports.FORMATS:
        abort(404)
    return exports.send_table(
        workspace.summary_table(round_), fmt, f"评分汇总表-{round_.competition.code}-{round_.position}.{fmt}"
    )


@bp.route("/rounds/<int:round_id>/results/compute", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def compute_results(round_id: int):
    round_ = _round(round_id)
    done = redirect_either_way(url_for("judging.awards", round_id=round_id))
    results.compute_results(round_, actor=current_user)
    flash(_("The ranking was recomputed from the current scores."), "success")
    return done

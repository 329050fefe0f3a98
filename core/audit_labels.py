"""Words for the audit log: what each action, object type and changed field is called.

The audit table stores codes (``results.notice``, ``result_sets``, ``first_day``);
people read words. Every label is an ``N_()`` msgid that the audit page
translates. A test scans the code for every action, object type and field it
records, so a new one cannot reach the page as a bare code; anything unknown
still gets a readable fallback instead of an error.
"""

from __future__ import annotations

from accounts.models import Role, UnitKind
from core.i18n_markers import N_
from essays.models import CompetitionStatus, Format, SubmissionStatus
from judging.models import Arbitration, Grouping, KeyinState, Method, PoolRule, RoundState
from nominations.models import JointDecision, MemberRole, NominationStatus, ProgrammeStage
from publishing.models import DayUnit, ObjectionStatus, Ordering, ResultState

ACTORS: dict[str, str] = {
    "system": N_("System"),
    "visitor": N_("Visitor (not signed in)"),
}

ACTIONS: dict[str, str] = {
    # Accounts and sign-in
    "session.sign_in": N_("Signed in"),
    "session.sign_in_failed": N_("Failed sign-in: wrong password"),
    "session.sign_in_unknown": N_("Failed sign-in: no such account"),
    "session.sign_in_disabled": N_("Refused sign-in: account disabled"),
    "session.sign_out": N_("Signed out"),
    "session.revoke": N_("Signed out another browser"),
    "user.create": N_("Created a user"),
    "user.register": N_("Registered as an author"),
    "user.import": N_("Imported a user from a sheet"),
    "user.update": N_("Changed a user"),
    "user.profile": N_("Changed own profile"),
    "user.enable": N_("Enabled a user"),
    "user.disable": N_("Disabled a user"),
    "user.password_change": N_("Changed own password"),
    "user.password_reset": N_("Reset a password"),
    "unit.create": N_("Created a unit"),
    "unit.update": N_("Changed a unit"),
    "demo.seed": N_("Loaded the demo data"),
    "demo.seed_user": N_("Created a demo account"),
    "audit.export": N_("Exported the audit log"),
    "system.restore": N_("Restored a backup"),
    "system.storage_gc": N_("Deleted stored files no record refers to"),
    # Essays
    "competition.create": N_("Created a competition"),
    "competition.update": N_("Changed a competition"),
    "competition.status": N_("Changed a competition's status"),
    "essay.submit": N_("Submitted an entry"),
    "essay.edit": N_("Changed an entry"),
    "essay.withdraw": N_("Withdrew an entry"),
    "essay.draft_create": N_("Started a draft"),
    "essay.draft_delete": N_("Deleted a draft"),
    "essay.qualify": N_("Passed an entry's qualification review"),
    "essay.disqualify": N_("Disqualified an entry"),
    "essay.redact": N_("Redacted identity in an entry"),
    "essay.judge_copy": N_("Made the judges' copy of a manuscript"),
    "essay.similarity_resolve": N_("Resolved a similarity flag"),
    "essay.export": N_("Exported the list of entries"),
    # Judging
    "judging.round_create": N_("Created a judging round"),
    "judging.round_update": N_("Changed a judging round"),
    "judging.rubric_set": N_("Set the scoring rubric"),
    "judging.round_open": N_("Opened a judging round"),
    "judging.round_close": N_("Closed a judging round"),
    "judging.round_reopen": N_("Reopened a judging round"),
    "judging.round_finalise": N_("Finalised a judging round"),
    "judging.judge_add": N_("Added a judge to a round"),
    "judging.judge_remove": N_("Removed a judge from a round"),
    "judging.pledge_accept": N_("Accepted the judge's pledge"),
    "judging.conflict_declare": N_("Declared a conflict of interest"),
    "judging.assign": N_("Assigned judges automatically"),
    "judging.assign_by_hand": N_("Assigned a judge by hand"),
    "judging.unassign_by_hand": N_("Took a judge off an entry"),
    "judging.recuse": N_("A judge recused themselves"),
    "judging.score_submit": N_("Submitted a score"),
    "judging.score_revise": N_("Revised a score"),
    "judging.remind": N_("Reminded judges"),
    "judging.results_compute": N_("Computed the round's results"),
    "judging.award_scheme": N_("Set the award scheme"),
    "judging.awards_allocate": N_("Allocated awards"),
    "judging.award_adjust": N_("Adjusted an award"),
    "judging.keyin_upload": N_("Uploaded keyed-in paper scores"),
    "judging.keyin_apply": N_("Applied keyed-in paper scores"),
    "judging.keyin_discard": N_("Discarded keyed-in paper scores"),
    # Publishing
    "results.import": N_("Received results for publishing"),
    "results.reimport": N_("Received updated results for publishing"),
    "results.update": N_("Changed a result list"),
    "results.notice": N_("Started the public notice (公示)"),
    "results.notice_cancel": N_("Cancelled the public notice (公示)"),
    "results.publish": N_("Published the results"),
    "results.unpublish": N_("Withdrew published results"),
    "honour.correct": N_("Corrected an honour"),
    "honour.withdraw": N_("Withdrew an honour"),
    "objection.file": N_("Filed an objection"),
    "objection.investigate": N_("Investigated an objection"),
    "objection.resolve": N_("Resolved an objection"),
    "objection.link": N_("Linked an objection to an honour"),
    "workday.override": N_("Set a working day or holiday"),
    "workday.override_delete": N_("Removed a working day or holiday setting"),
    "certificate_template.update": N_("Changed the certificate template"),
    "certificates.issue": N_("Issued certificate numbers"),
    "certificates.generate": N_("Generated certificates"),
    "certificate.revoke": N_("Revoked a certificate"),
    "certificate.regenerate": N_("Regenerated a certificate"),
    "outbox.prepare": N_("Prepared notification messages"),
    "outbox.approve": N_("Approved notification messages"),
    "outbox.edit": N_("Edited a notification message"),
    "outbox.send": N_("Sent notification messages"),
    # Process integrity
    "essay.freeze": N_("Froze entries for judging"),
    "essay.identity_in_file": N_("Found identity in an uploaded file"),
    "judging.arbiter_by_hand": N_("Gave an entry's arbitration to a judge by hand"),
    "judging.committee_add": N_("Added a member to a round's committee"),
    "judging.committee_remove": N_("Removed a member from a round's committee"),
    "judging.result_accept": N_("Accepted a result with a reason"),
    "judging.tie_decide": N_("Settled a tie at an award boundary"),
    # Nominations: expert review, ballot, joint review, notice and approval (n2)
    "nomination.member_add": N_("Added an expert or committee member to a programme"),
    "nomination.member_remove": N_("Removed an expert or committee member from a programme"),
    "nomination.experts_assign": N_("Assigned experts to the dossiers"),
    "nomination.score_save": N_("Saved an expert's draft score"),
    "nomination.score_submit": N_("Submitted an expert's score"),
    "nomination.ballot_open": N_("Opened the committee ballot"),
    "nomination.ballot_close": N_("Closed the committee ballot"),
    "nomination.ballot_result": N_("Recorded a candidate's ballot result"),
    "nomination.vote": N_("Cast a secret vote"),
    "nomination.recuse": N_("A committee member recused themselves"),
    "nomination.joint_unit_add": N_("Added a joint review department"),
    "nomination.joint_unit_remove": N_("Removed a joint review department"),
    "nomination.joint_decide": N_("Decided on a candidate in joint review"),
    "nomination.hand_over": N_("Handed the candidates over for public notice"),
    "nomination.notice": N_("Put a candidate on public notice"),
    "nomination.withdraw": N_("Marked a candidate withdrawn after the notice"),
    "nomination.approve": N_("Approved a candidate"),
    "nomination.programme_approve": N_("Approved a programme"),
}

OBJECT_TYPES: dict[str, str] = {
    "system": N_("System"),
    "audit": N_("Audit log"),
    "audit_entries": N_("Audit log"),
    "users": N_("User"),
    "user_roles": N_("User role"),
    "user_sessions": N_("Signed-in browser"),
    "units": N_("Unit"),
    "jobs": N_("Background job"),
    "stored_files": N_("Stored file"),
    "competitions": N_("Competition"),
    "competition_genres": N_("Genre"),
    "competition_groups": N_("Group"),
    "submissions": N_("Entry"),
    "submission_counters": N_("Receipt number counter"),
    "similarity_flags": N_("Similarity flag"),
    "judging_rounds": N_("Judging round"),
    "judging_criteria": N_("Scoring criterion"),
    "judging_round_judges": N_("Judge of a round"),
    "judging_conflicts": N_("Conflict of interest"),
    "judging_assignments": N_("Judge assignment"),
    "judging_scores": N_("Score"),
    "judging_results": N_("Round result"),
    "judging_award_schemes": N_("Award scheme"),
    "judging_award_levels": N_("Award level"),
    "judging_awards": N_("Award"),
    "judging_award_adjustments": N_("Award adjustment"),
    "judging_keyin_batches": N_("Keyed-in score sheet"),
    "result_sets": N_("Result list"),
    "honours": N_("Honour"),
    "objections": N_("Objection"),
    "workday_overrides": N_("Working day setting"),
    "certificate_templates": N_("Certificate template"),
    "certificates": N_("Certificate"),
    "outbox_messages": N_("Notification message"),
    "judging_result_acceptances": N_("Accepted result"),
    "judging_round_committee": N_("Round committee member"),
    "judging_tie_decisions": N_("Committee decision on a tie"),
    # Nominations (every table of nominations.models)
    "nomination_programmes": N_("Nomination programme"),
    "nomination_quotas": N_("Unit quota"),
    "nomination_rules": N_("Composition rule"),
    "nomination_criteria": N_("Expert review criterion"),
    "nomination_members": N_("Expert or committee member"),
    "nomination_joint_units": N_("Joint review department"),
    "nominations": N_("Nomination"),
    "nomination_files": N_("Nomination file"),
    "nomination_steps": N_("Review step"),
    "nomination_expert_reviews": N_("Expert review"),
    "nomination_ballots": N_("Committee ballot"),
    "nomination_recusals": N_("Recusal"),
    "nomination_joint_reviews": N_("Joint review decision"),
}

FIELDS: dict[str, str] = {
    # people and units
    "username": N_("User name"),
    "display_name": N_("Real name"),
    "phone": N_("Mobile phone"),
    "email": N_("E-mail"),
    "unit": N_("Unit"),
    "unit_id": N_("Unit No."),
    "workplace": N_("Workplace"),
    "roles": N_("Roles"),
    "active": N_("Active"),
    "password": N_("Password"),
    "name": N_("Name"),
    "short_name": N_("Short name"),
    "kind": N_("Kind"),
    "parent_id": N_("Parent unit No."),
    "parent": N_("Parent unit"),
    "address": N_("Address"),
    "login": N_("Login typed"),
    "reason": N_("Reason"),
    "browser": N_("Browser"),
    "session_id": N_("Sign-in No."),
    "units": N_("Units"),
    "accounts": N_("Accounts"),
    "rows": N_("Rows"),
    "files": N_("Files"),
    # competitions and entries
    "code": N_("Code"),
    "title": N_("Title"),
    "theme": N_("Theme"),
    "notice_html": N_("Notice"),
    "organisers": N_("Organisers"),
    "opens_at": N_("Opens"),
    "closes_at": N_("Closes"),
    "grace_minutes": N_("Grace minutes"),
    "max_entries_per_author": N_("Entries per author"),
    "unit_recommendation_enabled": N_("Unit recommendation"),
    "unit_quota": N_("Unit quota"),
    "accepted_formats": N_("Accepted formats"),
    "max_file_mb": N_("Maximum file size (MB)"),
    "pledge_text": N_("Pledge"),
    "review_threshold": N_("Similarity review threshold"),
    "copy_threshold": N_("Presumed copy threshold"),
    "genres": N_("Genres"),
    "groups": N_("Groups"),
    "status": N_("Status"),
    "receipt_number": N_("Receipt number"),
    "genre": N_("Genre"),
    "genre_id": N_("Genre No."),
    "group_id": N_("Group No."),
    "words": N_("Word count"),
    "word_count": N_("Word count"),
    "recommended_by": N_("Recommended by"),
    "received_at": N_("Received"),
    "format": N_("Format"),
    "original_name": N_("File name"),
    "redacted": N_("Redacted"),
    "kept": N_("Kept"),
    "judge_file_id": N_("Judges' copy file No."),
    "containment": N_("Containment"),
    # judging
    "k": N_("Judges per entry"),
    "method": N_("Aggregation method"),
    "threshold": N_("Discrepancy threshold"),
    "arbitration": N_("Arbitration"),
    "pool_rule": N_("Pool rule"),
    "pool_value": N_("Pool size"),
    "pool_grouping": N_("Pool grouping"),
    "judge_deadline": N_("Judges' deadline"),
    "reveal_scores_after_close": N_("Show scores to judges after closing"),
    "seed": N_("Random seed"),
    "leader_id": N_("Group leader's account No."),
    "state": N_("State"),
    "criteria": N_("Criteria"),
    "judge": N_("Judge"),
    "judge_id": N_("Judge's account No."),
    "judges": N_("Judges"),
    "capacity": N_("Maximum load"),
    "reassigned": N_("Reassigned"),
    "unscored": N_("Unscored"),
    "declared_conflicts": N_("Declared conflicts"),
    "submission_id": N_("Entry No."),
    "assignment_id": N_("Assignment No."),
    "replacement_judge_id": N_("Replacement judge's account No."),
    "entries": N_("Entries"),
    "entry": N_("Entry"),
    "new": N_("New"),
    "unfilled": N_("Unfilled"),
    "values": N_("Scores"),
    "total": N_("Total"),
    "via": N_("Entered by"),
    "keyed_by": N_("Keyed in by"),
    "batch_id": N_("Score sheet No."),
    "file_id": N_("File No."),
    "scores": N_("Scores"),
    "emailed": N_("E-mailed"),
    "to_call": N_("To telephone"),
    "failed": N_("Failed"),
    "ranked": N_("Ranked"),
    "grouping": N_("Grouping"),
    "levels": N_("Award levels"),
    "awards": N_("Awards"),
    "pending_ties": N_("Ties to decide"),
    "level": N_("Award level"),
    # publishing
    "honours": N_("Honours"),
    "honour": N_("Honour"),
    "source": N_("Source"),
    "organiser": N_("Organiser"),
    "description": N_("Description"),
    "ordering": N_("Order"),
    "recipient_name": N_("Recipient"),
    "recipient_unit": N_("Recipient's unit"),
    "work_title": N_("Title of the work"),
    "level_text": N_("Award"),
    "group_label": N_("Group"),
    "first_day": N_("First day"),
    "last_day": N_("Last day"),
    "length": N_("Notice length"),
    "fallback": N_("Without the official holiday calendar"),
    "result_set": N_("Result list"),
    "outcome": N_("Outcome"),
    "is_working": N_("Working day"),
    "note": N_("Note"),
    "activity_name": N_("Activity name"),
    "closing": N_("Closing words"),
    "issuers": N_("Issued by"),
    "issue_date": N_("Date of issue"),
    "date_style": N_("Date style"),
    "page_size": N_("Page size"),
    "orientation": N_("Orientation"),
    "style": N_("Style"),
    "activity_code": N_("Activity code"),
    "number_pattern": N_("Certificate number pattern"),
    "seal": N_("Seal"),
    "issued": N_("Issued"),
    "first": N_("First number"),
    "last": N_("Last number"),
    "certificates": N_("Certificates"),
    "messages": N_("Messages"),
    "subject": N_("Subject"),
    "body": N_("Text"),
    "sent": N_("Sent"),
    "call_open": N_("Call still accepting entries"),
    "chosen": N_("Chosen entries"),
    "entry_version": N_("Entry version scored"),
    "found": N_("Identity found"),
    "freeze_confirmed": N_("Freeze confirmed"),
    "freeze_when_qualified": N_("Freeze entries when qualified"),
    "frozen_entries": N_("Entries frozen"),
    "group": N_("Group"),
    "member": N_("Member"),
    "role": N_("Role"),
    "scope": N_("Scope"),
    "tied": N_("Tied entries"),
    "user_id": N_("User number"),
    "version": N_("Version"),
    # nominations (n2)
    "candidates": N_("Candidates"),
    "programme": N_("Programme"),
    "for_votes": N_("Votes for"),
    "present": N_("Members present"),
    "passed": N_("Passed"),
    "decision": N_("Decision"),
    "stage": N_("Stage"),
    "approved": N_("Approved"),
}


# A field whose meaning depends on the action.
FIELDS_BY_ACTION: dict[str, dict[str, str]] = {
    "results.notice": {"unit": N_("Counted in")},
}

# Stored codes are labelled by their enums; key-in batches log their state on the round.
_ROUND_STATE = {**RoundState.msgids(), **KeyinState.msgids()}

# Stored values that are codes, by (object type, field), then by field alone.
VALUES: dict[tuple[str, str] | str, dict[str, str]] = {
    ("competitions", "status"): CompetitionStatus.msgids(),
    ("submissions", "status"): SubmissionStatus.msgids(),
    ("judging_rounds", "state"): _ROUND_STATE,
    ("judging_rounds", "status"): {"draft": N_("Draft"), "submitted": N_("Submitted")},
    ("result_sets", "state"): ResultState.msgids(),
    ("result_sets", "unit"): DayUnit.msgids(),
    ("objections", "status"): ObjectionStatus.msgids(),
    ("nominations", "status"): NominationStatus.msgids(),
    ("nomination_programmes", "stage"): ProgrammeStage.msgids(),
    ("nomination_programmes", "role"): MemberRole.msgids(),
    "decision": JointDecision.msgids(),
    "roles": Role.msgids(),
    "kind": UnitKind.msgids(),
    "method": Method.msgids(),
    "arbitration": Arbitration.msgids(),
    "pool_rule": PoolRule.msgids(),
    "pool_grouping": Grouping.msgids(),
    "ordering": Ordering.msgids(),
    "format": Format.msgids(),
    "via": {"keyin": N_("Keyed in from a paper sheet")},
}


def value_label(object_type: str | None, field: str | None, value) -> str | None:
    """The msgid for a stored code value, or None when the value is not a known code."""
    if not isinstance(value, str):
        return None
    table = VALUES.get((object_type or "", field or "")) or VALUES.get(field or "")
    return table.get(value) if table else None


def _words(code: str) -> str:
    return " ".join(part for part in code.replace(".", " · ").replace("_", " ").split(" ") if part)


def action_label(code: str | None) -> str:
    """The msgid naming an action; an unknown code becomes readable words."""
    code = code or ""
    if code in ACTIONS:
        return ACTIONS[code]
    return _words(code) or "—"


def object_type_label(code: str | None) -> str:
    code = code or ""
    if code in OBJECT_TYPES:
        return OBJECT_TYPES[code]
    return _words(code) or "—"


def field_label(code: str | None, action: str | None = None) -> str:
    code = str(code or "")
    if code in FIELDS_BY_ACTION.get(action or "", {}):
        return FIELDS_BY_ACTION[action][code]
    if code in FIELDS:
        return FIELDS[code]
    return _words(code) or "—"


def actor_label(stored: str | None) -> str:
    """The actor column: a person's name as stored, or a word for the system."""
    stored = stored or "system"
    return ACTORS.get(stored, stored)

"""Words for the audit log: what each action and object type is called.

The audit table stores codes (``results.notice``, ``result_sets``, ``first_day``);
people read words. Every label is an ``N_()`` msgid that the audit page
translates. A test scans the code for every action, object type and field it
records, so a new one cannot reach the page as a bare code; anything unknown
still gets a readable fallback instead of an error. The changed fields and their
values are named in ``core.audit_fields`` (re-exported here).
"""

from __future__ import annotations

from core.audit_fields import FIELDS, FIELDS_BY_ACTION, VALUES, field_label, readable, value_label
from core.i18n_markers import N_

__all__ = [
    "ACTIONS",
    "ACTORS",
    "FIELDS",
    "FIELDS_BY_ACTION",
    "OBJECT_TYPES",
    "VALUES",
    "action_label",
    "actor_label",
    "field_label",
    "object_type_label",
    "value_label",
]

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
    "password.reset_request": N_("Asked for a password reset e-mail"),
    "password.reset_request_unanswered": N_("Asked for a password reset e-mail: no account with an address"),
    "password.reset_link": N_("Issued a password reset link"),
    "password.reset_done": N_("Set a new password through a reset link"),
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
    "competition.file_add": N_("Attached a file to a call"),
    "competition.file_remove": N_("Removed a file from a call"),
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
    "messages.mail": N_("E-mailed messages from the outbox"),
    "notice.draft": N_("Drafted a notice"),
    "notice.edit": N_("Edited a notice"),
    "notice.send": N_("Sent a notice"),
    "notice.discard": N_("Discarded a draft notice"),
    # Process integrity
    "essay.freeze": N_("Froze entries for judging"),
    "essay.identity_in_file": N_("Found identity in an uploaded file"),
    "judging.arbiter_by_hand": N_("Gave an entry's arbitration to a judge by hand"),
    "judging.committee_add": N_("Added a member to a round's committee"),
    "judging.committee_remove": N_("Removed a member from a round's committee"),
    "judging.result_accept": N_("Accepted a result with a reason"),
    "judging.tie_decide": N_("Settled a tie at an award boundary"),
    # Nominations: programmes, dossiers, the eligibility check (helper n1)
    "nomination.programme_create": N_("Created a nomination programme"),
    "nomination.programme_update": N_("Changed a nomination programme"),
    "nomination.programme_stage": N_("Moved a nomination programme to its next stage"),
    "nomination.quotas_set": N_("Set the units' quotas"),
    "nomination.quotas_import": N_("Imported the units' quotas from a sheet"),
    "nomination.rule_add": N_("Added a composition rule"),
    "nomination.rule_remove": N_("Removed a composition rule"),
    "nomination.criterion_add": N_("Added an expert scoring criterion"),
    "nomination.criterion_remove": N_("Removed an expert scoring criterion"),
    "nomination.member_add": N_("Added an expert or committee member"),
    "nomination.member_remove": N_("Removed an expert or committee member"),
    "nomination.joint_unit_add": N_("Added a joint review department"),
    "nomination.joint_unit_remove": N_("Removed a joint review department"),
    "nomination.draft_create": N_("Started a nomination dossier"),
    "nomination.draft_delete": N_("Deleted a draft dossier"),
    "nomination.submit": N_("Submitted a nomination dossier"),
    "nomination.resubmit": N_("Resubmitted a revised dossier"),
    "nomination.file_add": N_("Added a file to a dossier"),
    "nomination.file_remove": N_("Removed a file from a dossier"),
    "nomination.check_pass": N_("Passed a dossier's eligibility check"),
    "nomination.check_return": N_("Returned a dossier for revision"),
    "nomination.check_reject": N_("Rejected a dossier as not eligible"),
    "nomination.reveal_id": N_("Showed a resident ID number in full"),
    "nomination.experts_assign": N_("Assigned experts to the dossiers"),
    "nomination.score_save": N_("Saved an expert's draft score"),
    "nomination.score_submit": N_("Submitted an expert's score"),
    "nomination.ballot_open": N_("Opened the committee ballot"),
    "nomination.ballot_close": N_("Closed the committee ballot"),
    "nomination.ballot_result": N_("Recorded a candidate's ballot result"),
    "nomination.vote": N_("Cast a secret vote"),
    "nomination.recuse": N_("A committee member recused themselves"),
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
    "password_resets": N_("Password reset link"),
    "user_roles": N_("User role"),
    "user_sessions": N_("Signed-in browser"),
    "units": N_("Unit"),
    "jobs": N_("Background job"),
    "stored_files": N_("Stored file"),
    "competitions": N_("Competition"),
    "competition_notice_files": N_("File attached to a call"),
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
    "messages": N_("Message"),
    "notices": N_("Notice"),
    "judging_result_acceptances": N_("Accepted result"),
    "judging_round_committee": N_("Round committee member"),
    "judging_tie_decisions": N_("Committee decision on a tie"),
    # Nominations
    "nomination_programmes": N_("Nomination programme"),
    "nomination_quotas": N_("Unit quota"),
    "nomination_rules": N_("Composition rule"),
    "nomination_criteria": N_("Expert scoring criterion"),
    "nomination_members": N_("Programme expert or committee member"),
    "nomination_joint_units": N_("Joint review department"),
    "nominations": N_("Nomination dossier"),
    "nomination_files": N_("Dossier file"),
    "nomination_steps": N_("Review step"),
    "nomination_expert_reviews": N_("Expert review"),
    "nomination_ballots": N_("Committee ballot"),
    "nomination_recusals": N_("Recusal"),
    "nomination_joint_reviews": N_("Joint review decision"),
}


def action_label(code: str | None) -> str:
    """The msgid naming an action; an unknown code becomes readable words."""
    code = code or ""
    if code in ACTIONS:
        return ACTIONS[code]
    return readable(code) or "—"


def object_type_label(code: str | None) -> str:
    code = code or ""
    if code in OBJECT_TYPES:
        return OBJECT_TYPES[code]
    return readable(code) or "—"


def actor_label(stored: str | None) -> str:
    """The actor column: a person's name as stored, or a word for the system."""
    stored = stored or "system"
    return ACTORS.get(stored, stored)

"""CHECK constraints where a stored value has a range

Round.method, pool_grouping, RoundResult.rule and Genre.count_rule became enum
columns stored as the same VARCHAR values, so only the checks need DDL.

Revision ID: 0009_enums
Revises: 0008_results
Create Date: 2026-12-01 16:45:00

"""

from alembic import op

revision = "0009_enums"
down_revision = "0008_results"
branch_labels = None
depends_on = None

# (table, constraint name, condition); names follow core.db.NAMING_CONVENTION.
# Only tables no foreign key points at: on SQLite, batch mode adds a CHECK by
# copying the table and dropping the old one, and with foreign keys on, dropping
# a referenced table (competitions, judging_rounds) fails or cascades.
CHECKS = [
    ("judging_criteria", "ck_judging_criteria_scale_positive", "maximum > 0 AND step > 0 AND weight > 0"),
    ("judging_award_levels", "ck_judging_award_levels_count_not_negative", "count IS NULL OR count >= 0"),
    ("judging_award_levels", "ck_judging_award_levels_percent_not_negative", "percent IS NULL OR percent >= 0"),
]


def _tables():
    return sorted({table for table, _, _ in CHECKS})


def upgrade():
    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for t, name, condition in CHECKS:
                if t == table:
                    batch_op.create_check_constraint(op.f(name), condition)


def downgrade():
    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for t, name, _ in CHECKS:
                if t == table:
                    batch_op.drop_constraint(op.f(name), type_="check")

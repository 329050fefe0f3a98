"""Judges' pledges: a structured declaration of conflicts of interest

Revision ID: 0017_judge_declarations
Revises: 0016_unit_quotas
Create Date: 2026-12-01 20:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_judge_declarations"
down_revision = "0016_unit_quotas"
branch_labels = None
depends_on = None


def upgrade():
    # Pledges accepted before keep their free-text statement in declared_conflicts.
    with op.batch_alter_table("judging_round_judges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declarations", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("judging_round_judges", schema=None) as batch_op:
        batch_op.drop_column("declarations")

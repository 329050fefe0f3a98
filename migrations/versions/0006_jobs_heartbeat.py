"""jobs: heartbeat, so work interrupted by a crash is reported

Revision ID: 0006_jobs_heartbeat
Revises: 0005_judging_keyin
Create Date: 2026-11-30 13:10:00

"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0006_jobs_heartbeat"
down_revision = "0005_judging_keyin"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")

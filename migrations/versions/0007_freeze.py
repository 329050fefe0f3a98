"""entries freeze once judged; scores record the entry version they refer to

Revision ID: 0007_freeze
Revises: 0006_jobs_heartbeat
Create Date: 2026-12-01 15:40:00

"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0007_freeze"
down_revision = "0006_jobs_heartbeat"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("freeze_when_qualified", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("frozen_at", core.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("judging_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("text_sha256", sa.String(length=64), nullable=True))
    # Entries already in an opened round are frozen from now on.
    op.execute(
        "UPDATE submissions SET frozen_at = CURRENT_TIMESTAMP WHERE id IN ("
        "SELECT a.submission_id FROM judging_assignments a JOIN judging_rounds r ON r.id = a.round_id "
        "WHERE r.state <> 'setup')"
    )


def downgrade():
    with op.batch_alter_table("judging_scores", schema=None) as batch_op:
        batch_op.drop_column("text_sha256")
        batch_op.drop_column("entry_version")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("frozen_at")
        batch_op.drop_column("version")
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("freeze_when_qualified")

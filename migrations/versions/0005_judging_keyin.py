"""judging: double-entry import of offline score sheets

Revision ID: 0005_judging_keyin
Revises: 0004_publishing
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = "0005_judging_keyin"
down_revision = "0004_publishing"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "judging_keyin_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "waiting", "mismatch", "ready", "applied", "discarded", name="keyinstate", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("first_file_id", sa.Integer(), nullable=True),
        sa.Column("first_by_id", sa.Integer(), nullable=True),
        sa.Column("first_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("second_file_id", sa.Integer(), nullable=True),
        sa.Column("second_by_id", sa.Integer(), nullable=True),
        sa.Column("second_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_rounds.id"],
            name=op.f("fk_judging_keyin_batches_round_id_judging_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["first_file_id"],
            ["stored_files.id"],
            name=op.f("fk_judging_keyin_batches_first_file_id_stored_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["second_file_id"],
            ["stored_files.id"],
            name=op.f("fk_judging_keyin_batches_second_file_id_stored_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_by_id"], ["users.id"], name=op.f("fk_judging_keyin_batches_first_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["second_by_id"],
            ["users.id"],
            name=op.f("fk_judging_keyin_batches_second_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_judging_keyin_batches_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"],
            ["users.id"],
            name=op.f("fk_judging_keyin_batches_applied_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_keyin_batches")),
    )
    with op.batch_alter_table("judging_keyin_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_keyin_batches_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("judging_keyin_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judging_keyin_batches_round_id"))
    op.drop_table("judging_keyin_batches")

"""judging: round committees, accepted results and the committee's tie decisions

Revision ID: 0008_results
Revises: 0007_freeze
Create Date: 2026-12-01 15:30:00

"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0008_results"
down_revision = "0007_freeze"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "judging_round_committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_rounds.id"],
            name=op.f("fk_judging_round_committee_round_id_judging_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_judging_round_committee_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_round_committee")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_judging_round_committee_round_id_user_id")),
    )
    with op.batch_alter_table("judging_round_committee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_round_committee_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_judging_round_committee_user_id"), ["user_id"], unique=False)

    op.create_table(
        "judging_result_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("too_few_scores", "no_arbiter", name="acceptancekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("n_scores", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_judging_result_acceptances_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_rounds.id"],
            name=op.f("fk_judging_result_acceptances_round_id_judging_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_judging_result_acceptances_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_result_acceptances")),
        sa.UniqueConstraint(
            "round_id", "submission_id", "kind", name=op.f("uq_judging_result_acceptances_round_id_submission_id_kind")
        ),
    )
    with op.batch_alter_table("judging_result_acceptances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_result_acceptances_round_id"), ["round_id"], unique=False)

    op.create_table(
        "judging_tie_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group_label", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("chosen", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_judging_tie_decisions_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_rounds.id"],
            name=op.f("fk_judging_tie_decisions_round_id_judging_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_tie_decisions")),
    )
    with op.batch_alter_table("judging_tie_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_tie_decisions_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("judging_tie_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judging_tie_decisions_round_id"))
    op.drop_table("judging_tie_decisions")
    with op.batch_alter_table("judging_result_acceptances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judging_result_acceptances_round_id"))
    op.drop_table("judging_result_acceptances")
    with op.batch_alter_table("judging_round_committee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judging_round_committee_user_id"))
        batch_op.drop_index(batch_op.f("ix_judging_round_committee_round_id"))
    op.drop_table("judging_round_committee")

"""Privacy: consents to the privacy notice (and guardians'), retention of personal data, youth groups

Revision ID: 0018_privacy
Revises: 0017_judge_declarations
Create Date: 2026-12-01 20:10:00

"""

import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = "0018_privacy"
down_revision = "0017_judge_declarations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("notice_version", sa.String(length=20), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("guardian_name", sa.String(length=64), nullable=True),
        sa.Column("guardian_relation", sa.String(length=20), nullable=True),
        sa.Column("given_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_privacy_consents_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_privacy_consents_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consents")),
    )
    with op.batch_alter_table("privacy_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_consents_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_consents_submission_id"), ["submission_id"], unique=False)
    op.create_table(
        "privacy_retention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("keep_until", sa.Date(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("erased_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("erased_count", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_privacy_retention_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_privacy_retention_set_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_retention")),
        sa.UniqueConstraint("competition_id", name=op.f("uq_privacy_retention_competition_id")),
    )
    # A plain ALTER (no batch copy): entries refer to the groups.
    op.add_column("competition_groups", sa.Column("minors", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Not a batch copy: entries refer to the groups, and dropping the table under them fails.
        op.execute("ALTER TABLE competition_groups DROP COLUMN minors")
    else:
        op.drop_column("competition_groups", "minors")
    op.drop_table("privacy_retention")
    with op.batch_alter_table("privacy_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_consents_submission_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_consents_user_id"))
    op.drop_table("privacy_consents")

"""Unit recommendation: per-unit quotas of a competition

Revision ID: 0016_unit_quotas
Revises: 0015_entry_fields
Create Date: 2026-12-01 20:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_unit_quotas"
down_revision = "0015_entry_fields"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "competition_unit_quotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.CheckConstraint("places >= 0", name=op.f("ck_competition_unit_quotas_places_not_negative")),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_unit_quotas_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_competition_unit_quotas_unit_id_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competition_unit_quotas")),
        sa.UniqueConstraint(
            "competition_id", "unit_id", name=op.f("uq_competition_unit_quotas_competition_id_unit_id")
        ),
    )
    with op.batch_alter_table("competition_unit_quotas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competition_unit_quotas_competition_id"), ["competition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_competition_unit_quotas_unit_id"), ["unit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("competition_unit_quotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_unit_quotas_unit_id"))
        batch_op.drop_index(batch_op.f("ix_competition_unit_quotas_competition_id"))
    op.drop_table("competition_unit_quotas")

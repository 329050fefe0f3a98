"""Entry fields the organiser defines: their definitions per competition, their values per entry

Revision ID: 0015_entry_fields
Revises: 0014_messages
Create Date: 2026-12-01 21:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_entry_fields"
down_revision = "0014_messages"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_fields", sa.JSON(), nullable=True))
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("field_values", sa.JSON(), nullable=True))


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of ``competitions`` would
    # drop the table that submissions still reference.
    op.drop_column("submissions", "field_values")
    op.drop_column("competitions", "entry_fields")

"""Receipts: a random token per received entry for the public receipt check

Revision ID: 0013_receipt_token
Revises: 0012_password_resets
Create Date: 2026-12-01 20:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_receipt_token"
down_revision = "0012_password_resets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_token", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_submissions_receipt_token"), ["receipt_token"])
    # Entries received before this revision get their token now.
    conn = op.get_bind()
    submissions = sa.table("submissions", sa.column("id", sa.Integer), sa.column("receipt_token", sa.String))
    ids = conn.execute(sa.text("SELECT id FROM submissions WHERE receipt_number IS NOT NULL")).scalars().all()
    for entry_id in ids:
        conn.execute(
            submissions.update().where(submissions.c.id == entry_id).values(receipt_token=secrets.token_urlsafe(16))
        )


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_submissions_receipt_token"), type_="unique")
        batch_op.drop_column("receipt_token")

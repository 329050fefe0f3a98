"""Notices typed as Markdown (source and format beside the rendered HTML) and files attached to a call

Revision ID: 0011_notice_format
Revises: 0010_nominations
Create Date: 2026-12-01 19:40:00

Existing notices keep showing as before: a notice with HTML block tags is
marked ``html`` (cleaned by nh3 as before); one typed as plain text (which
the old textarea ran into one paragraph) becomes ``markdown`` and is rendered
again, so its blank lines become paragraphs.
"""

import sqlalchemy as sa
from alembic import op

import core.db
from essays.notice_markup import MARKDOWN, detect_format, render

# revision identifiers, used by Alembic.
revision = "0011_notice_format"
down_revision = "0010_nominations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_source", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("notice_format", sa.String(length=10), server_default=MARKDOWN, nullable=False))

    competitions = sa.table(
        "competitions",
        sa.column("id", sa.Integer()),
        sa.column("notice_html", sa.Text()),
        sa.column("notice_source", sa.Text()),
        sa.column("notice_format", sa.String()),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(competitions.c.id, competitions.c.notice_html)).all():
        source = row.notice_html or ""
        fmt = detect_format(source)
        connection.execute(
            competitions.update()
            .where(competitions.c.id == row.id)
            .values(notice_source=source, notice_format=fmt, notice_html=render(source, fmt))
        )

    op.create_table(
        "competition_notice_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("notice", "template", name="noticefilekind", native_enum=False, length=10), nullable=False
        ),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_notice_files_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"],
            ["stored_files.id"],
            name=op.f("fk_competition_notice_files_stored_file_id_stored_files"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competition_notice_files")),
    )
    with op.batch_alter_table("competition_notice_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_notice_files_competition_id"), ["competition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_competition_notice_files_stored_file_id"), ["stored_file_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("competition_notice_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_notice_files_stored_file_id"))
        batch_op.drop_index(batch_op.f("ix_competition_notice_files_competition_id"))
    op.drop_table("competition_notice_files")
    # The rendered HTML stays in notice_html, which is what the older code shows.
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("notice_format")
        batch_op.drop_column("notice_source")

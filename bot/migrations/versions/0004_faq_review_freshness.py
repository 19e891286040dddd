"""FAQ entries with versioned texts and phrasings; review status and freshness; who service points serve

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer_versions") as batch:
        batch.add_column(sa.Column("review_status", sa.String(16), nullable=False, server_default="improve"))
        batch.add_column(sa.Column("valid_as_of", sa.String(10), nullable=True))
    with op.batch_alter_table("service_points") as batch:
        batch.add_column(sa.Column("source_id", sa.String(120), nullable=True))
        batch.add_column(sa.Column("review_status", sa.String(16), nullable=False, server_default="improve"))
        batch.add_column(sa.Column("review_note", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("serves", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("walk_in", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(120), nullable=False, unique=True),
        sa.Column("topic_id", sa.String(64), sa.ForeignKey("topics.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_faq_entries_topic_id", "faq_entries", ["topic_id"])
    op.create_table(
        "faq_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("faq_entries.id"), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("review_status", sa.String(16), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("valid_as_of", sa.String(10), nullable=True),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("entry_id", "lang", "version", name="uq_faq_version"),
    )
    op.create_index("ix_faq_versions_entry_id", "faq_versions", ["entry_id"])
    op.create_index("uq_one_published_faq", "faq_versions", ["entry_id", "lang"], unique=True,
                    sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))
    op.create_table(
        "phrasings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("topic_id", sa.String(64), sa.ForeignKey("topics.id"), nullable=False),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("faq_entries.id"), nullable=True),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_phrasings_topic_id", "phrasings", ["topic_id"])
    op.create_index("ix_phrasings_entry_id", "phrasings", ["entry_id"])


def downgrade() -> None:
    op.drop_table("phrasings")
    op.drop_index("uq_one_published_faq", table_name="faq_versions")
    op.drop_table("faq_versions")
    op.drop_table("faq_entries")
    with op.batch_alter_table("service_points") as batch:
        for column in ("walk_in", "serves", "review_note", "review_status", "source_id"):
            batch.drop_column(column)
    with op.batch_alter_table("answer_versions") as batch:
        batch.drop_column("valid_as_of")
        batch.drop_column("review_status")

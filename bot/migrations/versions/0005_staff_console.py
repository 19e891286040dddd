"""Staff console: accounts, audit log, review workflow, recruiter register, inbox status, turn statistics

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VERSION_TABLES = ("answer_versions", "faq_versions")


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target_type", sa.String(40), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    for column in ("at", "actor", "action", "target_type"):
        op.create_index(f"ix_audit_log_{column}", "audit_log", [column])
    op.create_table(
        "recruiters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("licence_number", sa.String(80), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_recruiters_name_key", "recruiters", ["name_key"])
    op.create_table(
        "turn_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("topic_id", sa.String(64), nullable=True),
        sa.Column("reply_kind", sa.String(24), nullable=True),
        sa.Column("faq_slug", sa.String(120), nullable=True),
        sa.Column("phrasing_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_turn_log_at", "turn_log", ["at"])
    for table in VERSION_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("submitted_by", sa.String(64), nullable=True))
            batch.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))
            batch.add_column(sa.Column("reviewed_by", sa.String(64), nullable=True))
            batch.add_column(sa.Column("review_comment", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="open"))
        batch.add_column(sa.Column("resolution", sa.String(200), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
    op.create_index("ix_unanswered_questions_status", "unanswered_questions", ["status"])


def downgrade() -> None:
    op.drop_index("ix_unanswered_questions_status", "unanswered_questions")
    with op.batch_alter_table("unanswered_questions") as batch:
        for column in ("resolved_at", "resolved_by", "resolution", "status"):
            batch.drop_column(column)
    for table in VERSION_TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ("review_comment", "reviewed_by", "submitted_at", "submitted_by"):
                batch.drop_column(column)
    for table in ("turn_log", "recruiters", "audit_log", "staff_users"):
        op.drop_table(table)

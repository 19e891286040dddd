"""Unanswered questions remember whose conversation they came from (the pseudonym), so they can be deleted
when that person asks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("sender_id", sa.String(80), nullable=True))
        batch.create_index("ix_unanswered_questions_sender_id", ["sender_id"])


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_index("ix_unanswered_questions_sender_id")
        batch.drop_column("sender_id")

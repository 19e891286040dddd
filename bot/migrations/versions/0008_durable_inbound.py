"""Inbound messages are kept, with their text, until they are answered, so a Rasa server that dies after
acknowledging a WhatsApp or Telegram message does not lose it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("state", sa.String(10), nullable=False, server_default="done"))
        batch.add_column(sa.Column("sender_id", sa.String(80), nullable=True))
        batch.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch.add_column(sa.Column("meta", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("first_contact", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_inbound_messages_state", ["state"])
        batch.create_index("ix_inbound_messages_sender_id", ["sender_id"])


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_index("ix_inbound_messages_sender_id")
        batch.drop_index("ix_inbound_messages_state")
        for column in ("attempts", "claimed_at", "first_contact", "meta", "body", "sender_id", "state"):
            batch.drop_column(column)

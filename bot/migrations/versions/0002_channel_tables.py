"""channel tables: contacts (pseudonym -> address), inbound message ids, outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_contacts",
        sa.Column("sender_id", sa.String(80), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.String(120), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(), nullable=True),
        sa.Column("last_options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("external_id", sa.String(80), primary_key=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_inbound_messages_received_at", "inbound_messages", ["received_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("sender_id", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("media_url", sa.Text(), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("template", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(20), nullable=True),
        sa.Column("provider_id", sa.String(80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_outbox_sender_id", "outbox", ["sender_id"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_index("ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"])
    op.create_index("ix_outbox_provider_id", "outbox", ["provider_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("inbound_messages")
    op.drop_table("channel_contacts")

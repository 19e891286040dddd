"""the options shown last live in the conversation (Rasa's last_options slot) for every channel

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_contacts") as batch:
        batch.drop_column("last_options")


def downgrade() -> None:
    with op.batch_alter_table("channel_contacts") as batch:
        batch.add_column(sa.Column("last_options", sa.JSON(), nullable=False, server_default="[]"))

"""Audio for answers: one recording (or synthetic voice) per answer version and language; the file itself lives
in the audio store (bot/audio/storage.py) under `storage_key`

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_audio",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "answer_version_id",
            sa.Integer(),
            sa.ForeignKey("answer_versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False, unique=True),
        sa.Column("mime", sa.String(60), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("answer_version_id", "lang", name="uq_answer_audio"),
    )
    op.create_index("ix_answer_audio_answer_version_id", "answer_audio", ["answer_version_id"])


def downgrade() -> None:
    op.drop_index("ix_answer_audio_answer_version_id", table_name="answer_audio")
    op.drop_table("answer_audio")

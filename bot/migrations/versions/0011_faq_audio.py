"""Audio for FAQ entries as for answers (one file per FAQ version and language); on both tables the part of the
answer it reads (`part`: "body", or "details" for an answer's "Más información") and the hash of the text a
synthetic voice read (`script_sha`), so synthetic audio is made again when what it should say changed (the options
it reads aloud, say); recordings are never replaced

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer_audio") as batch:
        batch.add_column(sa.Column("part", sa.String(16), nullable=False, server_default="body"))
        batch.add_column(sa.Column("script_sha", sa.String(64), nullable=True))
        batch.drop_constraint("uq_answer_audio", type_="unique")
        batch.create_unique_constraint("uq_answer_audio", ["answer_version_id", "lang", "part"])
    op.create_table(
        "faq_audio",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "faq_version_id",
            sa.Integer(),
            sa.ForeignKey("faq_versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False, unique=True),
        sa.Column("mime", sa.String(60), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("part", sa.String(16), nullable=False, server_default="body"),
        sa.Column("script_sha", sa.String(64), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("faq_version_id", "lang", "part", name="uq_faq_audio"),
    )
    op.create_index("ix_faq_audio_faq_version_id", "faq_audio", ["faq_version_id"])


def downgrade() -> None:
    op.drop_index("ix_faq_audio_faq_version_id", table_name="faq_audio")
    op.drop_table("faq_audio")
    op.execute("DELETE FROM answer_audio WHERE part <> 'body'")  # the old table keeps one file per version
    with op.batch_alter_table("answer_audio") as batch:
        batch.drop_constraint("uq_answer_audio", type_="unique")
        batch.create_unique_constraint("uq_answer_audio", ["answer_version_id", "lang"])
        batch.drop_column("script_sha")
        batch.drop_column("part")

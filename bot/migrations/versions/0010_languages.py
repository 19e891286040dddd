"""Languages as data: the languages (code, autonym, offered) and the interface texts of each, versioned like
answers. Spanish and English are offered; K'iche', Mam and Q'eqchi' are defined, not offered, with no texts
(staff add their translations in the console)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LANGUAGES = [
    ("es", "Español", True),
    ("en", "English", True),
    ("quc", "K'iche'", False),
    ("mam", "Mam", False),
    ("kek", "Q'eqchi'", False),
]


def upgrade() -> None:
    languages = op.create_table(
        "languages",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("autonym", sa.String(60), nullable=False),
        sa.Column("offered", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "interface_text_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("key", "lang", "version", name="uq_interface_text_version"),
    )
    op.create_index("ix_interface_text_versions_key", "interface_text_versions", ["key"])
    op.create_index("uq_one_published_interface_text", "interface_text_versions", ["key", "lang"], unique=True,
                    sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))
    # Created one second apart: the console lists languages in the order they were added.
    start = dt.datetime(2026, 11, 29)
    op.bulk_insert(languages, [
        {"code": code, "autonym": autonym, "offered": offered, "created_at": start + dt.timedelta(seconds=i)}
        for i, (code, autonym, offered) in enumerate(LANGUAGES)
    ])


def downgrade() -> None:
    op.drop_index("uq_one_published_interface_text", table_name="interface_text_versions")
    op.drop_index("ix_interface_text_versions_key", table_name="interface_text_versions")
    op.drop_table("interface_text_versions")
    op.drop_table("languages")

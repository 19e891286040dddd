"""Alembic migrations of the one database (content and messaging tables). `db_upgrade()` brings it to head."""
from __future__ import annotations

from pathlib import Path
from typing import Optional


def _alembic_config(url: Optional[str] = None):
    from alembic.config import Config

    from bot.settings import get_settings

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


def db_upgrade(url: Optional[str] = None) -> None:
    """Bring the database schema up to date (used by `bot db upgrade` and by tests)."""
    from alembic import command

    command.upgrade(_alembic_config(url), "head")

"""Alembic environment: the database URL comes from `bot.settings` (or the caller's config)."""
from alembic import context

import bot.audio.models  # noqa: F401 - registers the answer audio table
import bot.content.interface  # noqa: F401 - registers the language and interface text tables
import bot.content.models  # noqa: F401 - registers the content tables on Base.metadata
import bot.handoff.models  # noqa: F401 - registers the handoff tables
import bot.messaging.models  # noqa: F401 - registers the messaging tables
import bot.staff.models  # noqa: F401 - registers the staff tables
from bot.db import Base, get_engine

config = context.config


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations()

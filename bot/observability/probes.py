"""Cheap database reads behind the readiness routes and the outbox gauge (each one short query)."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.db import get_engine, session_scope
from bot.messaging.models import OutboxMessage, OutboxStatus

# Replies not yet accepted by a platform: waiting for their (next) attempt, or being sent right now.
WAITING_STATUSES = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def database_reachable(database_url: Optional[str] = None) -> bool:
    """Whether the content database answers a trivial query (within DATABASE_CONNECT_TIMEOUT)."""
    try:
        with get_engine(database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False


def waiting_replies(database_url: Optional[str] = None) -> dict[str, int]:
    """Replies waiting in the outbox, by channel: one grouped count over the indexed status column."""
    with session_scope(database_url) as session:
        rows = session.execute(
            select(OutboxMessage.channel, func.count())
            .where(OutboxMessage.status.in_(WAITING_STATUSES))
            .group_by(OutboxMessage.channel)
        ).all()
    return {channel: count for channel, count in rows}

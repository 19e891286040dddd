"""Deleting one person's conversation from Rasa's tracker store (Rasa 3.6 has no API for it).

Used when a person asks to delete their data (`/borrar` on Telegram). Handles the stores Brújula runs with:
in-memory (local), SQL (production, PostgreSQL) and Redis; unwraps Rasa's fail-safe/awaitable wrappers.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

logger = logging.getLogger(__name__)


def _unwrap(store: Any) -> Any:
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _delete(store: Any, sender_id: str) -> bool:
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    if isinstance(store, InMemoryTrackerStore):
        return store.store.pop(sender_id, None) is not None
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            removed = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
            session.commit()
            return bool(removed)
    if isinstance(store, RedisTrackerStore):
        return bool(store.red.delete(store.key_prefix + sender_id))
    raise NotImplementedError(f"cannot delete conversations from {type(store).__name__}")


async def delete_conversation(tracker_store: Any, sender_id: str) -> bool:
    """Remove every stored event of this conversation. True if there was one."""
    return await asyncio.to_thread(_delete, _unwrap(tracker_store), sender_id)

"""Rasa's SQL tracker store, with a reply's cost bounded by the conversation's recent length, not its whole
length (endpoints.production.yml names this class). Rasa reads the tracker on every message and WhatsApp
conversations last for months.

- Rasa reads every event of the current session, parses and replays them all, then the policies featurize
  the whole history and the action server gets all of it as JSON: message 200 of a session cost 2-3 times
  message 1. Here a read returns the session's start, the latest value of each slot set before the window,
  and the last TRACKER_WINDOW_EVENTS events: the same slots, the same recent turns (what the rules, the
  actions and a caseworker's transcript look at), a bounded cost. Conversations shorter than the window are
  read whole, exactly as Rasa would.
- Rasa's save counts the stored events with a second query to find the new ones (a tenth of the server's time
  under load). Here the count is kept from the read: exact, because Rasa holds the conversation's lock
  (Redis) from the read to the save, so no other server writes events in between.
- The queries use an index on (sender_id, id), created if missing, so a conversation's cost does not grow with
  its older sessions either.
- A pooled connection that sat idle is checked before use, as in bot.db: after the database was away (restarted,
  or the network cut), the first message no longer fails on a dead connection with the apology.
"""
from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import ping_when_idle

logger = logging.getLogger(__name__)
STORED = "_brujula_stored_events"  # an attribute on the tracker object: how many of its events are stored
# Events that start the state afresh: nothing before the latest of them matters.
STARTS = ("session_started", "restart")
INDEX = "ix_events_sender_id_id"


class WindowedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, window_events: Optional[int] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ping_when_idle(self.engine)
        if window_events is None:
            from bot.settings import get_settings

            window_events = get_settings().tracker_window_events
        self.window_events = window_events
        self._ensure_index()

    def _ensure_index(self) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON events (sender_id, id)"))
        except sa.exc.SQLAlchemyError as error:  # another server creating it at the same moment: it exists
            logger.info("tracker index not created here (%s)", type(error).__name__)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, True)
        with self.session_scope() as session:
            events = self._window(session, sender_id)
        if not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _window(self, session: Any, sender_id: str) -> list[dict]:
        """The session's start, the latest value of each slot set before the window, then the window."""
        event = self.SQLEvent
        start = session.query(event.id).filter(event.sender_id == sender_id, event.type_name.in_(STARTS)) \
            .order_by(event.id.desc()).limit(1).scalar()
        since = [event.sender_id == sender_id] + ([event.id >= start] if start is not None else [])
        rows = session.query(event.id, event.data).filter(*since).order_by(event.id.desc()) \
            .limit(self.window_events).all()
        rows.reverse()
        if not rows or start is None or rows[0].id == start or len(rows) < self.window_events:
            return [json.loads(row.data) for row in rows]
        first = rows[0].id
        latest_slots = session.query(sa.func.max(event.id)).filter(
            *since, event.type_name == "slot", event.id < first).group_by(event.action_name)
        prefix = session.query(event.id, event.data).filter(
            sa.or_(event.id == start, event.id.in_(latest_slots.scalar_subquery()))).order_by(event.id).all()
        return [json.loads(row.data) for row in itertools.chain(prefix, rows)]

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, STORED, len(tracker.events))

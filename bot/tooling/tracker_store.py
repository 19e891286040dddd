"""Rasa's SQL tracker store without its per-save count (endpoints.production.yml names this class).

Rasa's `SQLTrackerStore.save` finds the events to write by counting, with a second query over the conversation's
events, how many are already stored: about a tenth of the Rasa server's time under load, growing with the
conversation. The tracker this process read already says how many events were stored, so the count is kept from
the read. That is exact because Rasa holds the conversation's lock (Redis) from the read to the save, so no other
server writes events in between. A tracker that was not read here (a new conversation) is counted as before.
"""
from __future__ import annotations

import itertools
from typing import Iterator, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

STORED = "_brujula_stored_events"  # an attribute on the tracker object: events already in the table


class CountingSQLTrackerStore(SQLTrackerStore):
    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, STORED, len(tracker.events))

"""The SQL tracker store used in production (bot/tooling/tracker_store.py): a conversation shorter than the
window reads exactly as with Rasa's own store; a longer one reads its session start, the latest slot values and
the last events; every event is written exactly once, without counting the stored ones again."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from sqlalchemy import event

from bot.tooling.tracker_store import WindowedSQLTrackerStore

DOMAIN = Domain.from_dict({"slots": {
    "language": {"type": "text", "mappings": [{"type": "custom"}]},
    "topic_id": {"type": "text", "mappings": [{"type": "custom"}]},
    "country": {"type": "text", "mappings": [{"type": "custom"}]},
}})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def stores(request, tmp_path):
    """Our store with a small window, and Rasa's own on the same table (the reference)."""
    if request.param == "sqlite":
        kwargs = {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
        yield WindowedSQLTrackerStore(DOMAIN, window_events=12, **kwargs), SQLTrackerStore(DOMAIN, **kwargs)
        return
    from tests.conftest import postgres_databases

    with postgres_databases("tracker") as (name,):
        kwargs = {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": name, "username": "postgres"}
        ours, rasas = WindowedSQLTrackerStore(DOMAIN, window_events=12, **kwargs), SQLTrackerStore(DOMAIN, **kwargs)
        yield ours, rasas
        ours.engine.dispose()
        rasas.engine.dispose()


def turn(n: int, topic: str) -> list:
    return [UserUttered(f"message {n}"), ActionExecuted("action_answer_topic"), SlotSet("topic_id", topic),
            BotUttered(f"answer {n}"), ActionExecuted("action_listen")]


def converse(store, turns: range, first_slots: dict | None = None) -> None:
    async def run() -> None:
        tracker = await store.retrieve("person") or await store.create_tracker("person", append_action_listen=False)
        if not tracker.events:
            # (made in order: Rasa reads a session from its start's timestamp on)
            for event_ in [ActionExecuted("action_session_start"), SessionStarted()]:
                tracker.update(event_)
            for name, value in (first_slots or {}).items():
                tracker.update(SlotSet(name, value))
            tracker.update(ActionExecuted("action_listen"))
        for n in turns:
            for event_ in turn(n, f"topic.{n}"):
                tracker.update(event_)
            await store.save(tracker)
            tracker = await store.retrieve("person")
    asyncio.run(run())


def stored(store) -> list[tuple[str, str]]:
    with store.session_scope() as session:
        return [(r.type_name, r.data) for r in session.query(store.SQLEvent).order_by(store.SQLEvent.id)]


def test_a_short_conversation_reads_exactly_as_with_rasas_store(stores):
    ours, rasas = stores
    converse(ours, range(1, 2), {"language": "es"})
    mine, reference = asyncio.run(ours.retrieve("person")), asyncio.run(rasas.retrieve("person"))
    assert [e.as_dict() for e in mine.events] == [e.as_dict() for e in reference.events]


def test_a_long_conversation_reads_its_start_latest_slots_and_last_events(stores):
    ours, rasas = stores
    converse(ours, range(1, 31), {"language": "en", "country": "MX"})
    mine, reference = asyncio.run(ours.retrieve("person")), asyncio.run(rasas.retrieve("person"))
    assert len(reference.events) > 150 and len(mine.events) <= 12 + 4
    assert mine.current_slot_values() == reference.current_slot_values()
    assert {k: reference.get_slot(k) for k in ("language", "topic_id", "country")} == {
        "language": "en", "topic_id": "topic.30", "country": "MX"}
    assert [e.as_dict() for e in mine.events][-12:] == [e.as_dict() for e in reference.events][-12:]
    assert isinstance(mine.events[0], SessionStarted)
    assert mine.latest_message.text == "message 30"


def test_every_event_is_written_once_without_a_count_query(stores):
    ours, rasas = stores
    converse(ours, range(1, 21))
    statements: list[str] = []
    event.listen(ours.engine, "before_cursor_execute", lambda *args: statements.append(args[2].lower()))
    converse(ours, range(21, 23))
    assert not [s for s in statements if "count(" in s]
    texts = [e.text for e in asyncio.run(rasas.retrieve("person")).events if isinstance(e, UserUttered)]
    assert texts == [f"message {n}" for n in range(1, 23)]  # each once, in order: nothing lost, nothing twice
    assert len(stored(ours)) == len(asyncio.run(rasas.retrieve("person")).events) + 1  # + the first listen


def test_nothing_before_a_restart_comes_back(stores):
    ours, _ = stores
    converse(ours, range(1, 20), {"country": "MX"})

    async def restart() -> None:
        tracker = await ours.retrieve("person")
        tracker.update(Restarted())
        await ours.save(tracker)
    asyncio.run(restart())
    converse(ours, range(20, 25))  # more than the window after the restart
    tracker = asyncio.run(ours.retrieve("person"))
    assert tracker.get_slot("country") is None
    assert "message 19" not in [e.text for e in tracker.events if isinstance(e, UserUttered)]

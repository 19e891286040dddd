"""The SQL tracker store used in production (bot/tooling/tracker_store.py) writes every event exactly once,
without counting the stored ones again on each save."""
from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from bot.tooling.tracker_store import CountingSQLTrackerStore


@pytest.fixture
def store(tmp_path):
    return CountingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


def turn(n: int) -> list:
    return [UserUttered(f"message {n}"), ActionExecuted("action_answer_topic"), BotUttered(f"answer {n}"),
            ActionExecuted("action_listen")]


def stored_rows(store) -> list[tuple[str, str]]:
    with store.session_scope() as session:
        return [(row.type_name, row.data) for row in session.query(store.SQLEvent).order_by(store.SQLEvent.id)]


def test_each_event_is_written_once_across_reads_and_saves_without_a_count(store):
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2].lower()))

    async def conversation() -> None:
        tracker = await store.get_or_create_tracker("person")
        tracker.update(SessionStarted())
        for event_ in turn(1):
            tracker.update(event_)
        await store.save(tracker)
        for n in (2, 3):
            tracker = await store.retrieve("person")
            for event_ in turn(n):
                tracker.update(event_)
            statements.clear()
            await store.save(tracker)
            assert not [s for s in statements if "count(" in s]

    asyncio.run(conversation())
    rows = stored_rows(store)
    texts = [r[1] for r in rows if r[0] == "user"]
    assert len(texts) == 3 and all(f'"message {n}"' in texts[n - 1] for n in (1, 2, 3))
    tracker = asyncio.run(store.retrieve("person"))
    # Rows from the session start on are what a read returns (the first action_listen came before it).
    assert [r[0] for r in rows][1:] == [e.type_name for e in tracker.events]
    assert [e.text for e in tracker.events if isinstance(e, BotUttered)] == ["answer 1", "answer 2", "answer 3"]

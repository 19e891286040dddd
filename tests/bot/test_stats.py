"""Turn statistics: every reply of the assistant leaves one row (no sender, no text), and the dashboard's counts."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.staff import stats
from bot.staff.models import TurnRecord
from bot.staff.stats import DayCount, Summary, TopicCount, TurnFacts, TurnStats, stale_content, write_turns
from tests.actions.test_actions import make_tracker
from tests.actions.test_actions import run as run  # noqa: F401 - the actions' `run` fixture

DAY = dt.datetime(2026, 3, 1, 10, 0)


def facts(at, channel="webchat", lang="es", topic="labour.h2a", kind="answer", slug=None, phrasing=None):
    return TurnFacts(at, channel, lang, topic, kind, slug, phrasing)


def turn_rows(url) -> list[tuple]:
    assert stats.flush(10), "the turn writer did not finish"
    with session_scope(url) as s:
        return [(r.channel, r.lang, r.topic_id, r.reply_kind, r.faq_slug, r.phrasing_id)
                for r in s.scalars(select(TurnRecord).order_by(TurnRecord.id))]


@pytest.fixture
def url(sqlite_content):
    return sqlite_content.database_url


def test_counts_per_day_channel_language_topic_and_kind(url):
    write_turns(url, [
        facts(DAY), facts(DAY, channel="whatsapp"), facts(DAY, lang="en", kind="faq", slug="labour.h2a/cost"),
        facts(DAY + dt.timedelta(days=1), channel="telegram", topic=None, kind="fallback"),
        facts(DAY + dt.timedelta(days=1), topic="help.emergency", kind="emergency"),
        facts(DAY + dt.timedelta(days=1, hours=5), topic="help.crisis", kind="crisis", channel=None, lang=None),
        facts(DAY + dt.timedelta(days=9), kind="fallback"),  # outside the range below
    ])
    turns = TurnStats(url)
    since, until = dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 3)
    summary = turns.summary(since, until)
    assert summary == Summary(messages=6, fallbacks=1, emergency=1, crisis=1)
    assert summary.fallback_rate == pytest.approx(1 / 6)
    assert turns.per_day(since, until, "channel") == [
        DayCount("2026-03-01", "webchat", 2), DayCount("2026-03-01", "whatsapp", 1),
        DayCount("2026-03-02", "?", 1), DayCount("2026-03-02", "telegram", 1), DayCount("2026-03-02", "webchat", 1)]
    assert turns.per_day(since, until, "lang") == [
        DayCount("2026-03-01", "en", 1), DayCount("2026-03-01", "es", 2),
        DayCount("2026-03-02", "?", 1), DayCount("2026-03-02", "es", 2)]
    assert turns.top_topics(since, until) == [TopicCount("labour.h2a", 3), TopicCount("help.crisis", 1),
                                              TopicCount("help.emergency", 1)]
    assert TurnStats(url).summary(dt.datetime(2025, 1, 1), dt.datetime(2025, 2, 1)).fallback_rate == 0.0


def test_stale_content_lists_published_texts_older_than_the_limit(url, sqlite_content):
    draft = sqlite_content.save_draft("labour.h2a", "es", {"valid_as_of": "2019-05"})
    sqlite_content.publish("labour.h2a", "es", draft.version)
    fresh = sqlite_content.save_draft("labour.h2a", "en", {"valid_as_of": "2026-11-29"})
    sqlite_content.publish("labour.h2a", "en", fresh.version)
    found = {(s.kind, s.key, s.lang): s.valid_as_of for s in stale_content(12, dt.date(2026, 12, 1), url)}
    assert found[("answer", "labour.h2a", "es")] == "2019-05"
    assert ("answer", "labour.h2a", "en") not in found
    # Fifty years on, everything is stale.
    everything = stale_content(12, dt.date(2076, 1, 1), url)
    assert ("answer", "labour.h2a", "en") in {(s.kind, s.key, s.lang) for s in everything}


def test_every_reply_of_the_actions_records_one_row_without_sender_or_text(url):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.actions import ActionAnswerTopic, ActionFallback, ActionShowMenu
    from bot.content.faq import FaqRepository

    faq = FaqRepository(url)
    phrasing = next(p for p in faq.phrasings() if p.entry_slug == "labour.h2a/cost" and p.lang == "es")
    turns = [
        (ActionShowMenu(), make_tracker("/main_menu", "main_menu", channel="telegram")),
        (ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a", channel="whatsapp")),
        (ActionAnswerTopic(), make_tracker(phrasing.text, "labour.h2a")),
        (ActionFallback(), make_tracker("qwerty zxcv uiop asdf", "nlu_fallback", confidence=0.1)),
        (ActionAnswerTopic(), make_tracker("auxilio me quieren matar los coyotes", "risks.smugglers")),
    ]
    for action, tracker in turns:
        action.run(CollectingDispatcher(), tracker, {})
    rows = turn_rows(url)
    assert rows == [
        ("telegram", "es", None, "menu", None, None),
        ("whatsapp", "es", "labour.h2a", "answer", None, None),
        ("webchat", "es", "labour.h2a", "faq", "labour.h2a/cost", phrasing.id),
        ("webchat", "es", None, "fallback", None, None),
        ("webchat", "es", "help.emergency", "emergency", None, None),
    ]
    columns = set(TurnRecord.__table__.columns.keys())
    assert not columns & {"sender_id", "text", "message"}


def test_a_database_that_fails_never_breaks_or_delays_the_reply(url, run, tmp_path, caplog):  # noqa: F811
    """The turn log's table is missing: the reply is the same, sent at once, and a warning names no user data."""
    from actions.actions import ActionAnswerTopic, record_turn
    from actions.replies import Reply
    from actions.turn import Turn

    broken = f"sqlite:///{tmp_path / 'no-tables.db'}"
    tracker = make_tracker("mi número es 5555 1234, ayuda", "labour.h2a")
    turn = Turn.read(tracker)
    turn.repo = type(turn.repo)(broken)
    started = time.perf_counter()
    record_turn(tracker, turn, "es", Reply(slots={"reply_kind": "answer", "topic_id": "labour.h2a"}))
    assert time.perf_counter() - started < 0.05
    assert stats.flush(10)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.staff.stats"]
    assert warnings == ["could not record 1 turn(s) for the dashboard (OperationalError)"]
    assert not any("5555" in message for message in caplog.messages)
    messages, _ = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a"))
    assert messages and messages[0]["topic_id"] == "labour.h2a"

"""Turn statistics: one row per reply of the assistant (TurnRecord), and the dashboard's questions about them.

    record_turn(channel="webchat", lang="es", topic_id="labour.h2a", reply_kind="faq",
                faq_slug="labour.h2a/cost", phrasing_id=42)        # returns at once; written in the background
    stats = TurnStats(url)
    stats.summary(since, until)                                      # totals, fallback rate, danger replies
    stats.per_day(since, until, "channel")                           # [(day, channel, count)]

A row holds what kind of reply went out, never who asked or what they wrote. Recording must never hold up or
break a reply: `record_turn` only puts the row on an in-memory queue (dropped when the queue is full) and one
background thread writes what is queued in a single transaction; a write that fails (database down, no table)
is logged as a warning, without any user data, and the rows are dropped.
"""
from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select

from bot.db import session_scope, utcnow
from bot.settings import get_settings
from bot.staff.models import TurnRecord

logger = logging.getLogger(__name__)

# Reply kinds (besides those of the actions' `reply_kind` slot: answer, menu, fallback, out_of_scope, error,
# small_talk): an FAQ entry answered, and replies to danger.
KIND_FAQ, KIND_EMERGENCY, KIND_CRISIS, KIND_FALLBACK = "faq", "emergency", "crisis", "fallback"
QUEUE_SIZE = 10_000
_BATCH = 500


@dataclass(frozen=True)
class TurnFacts:
    at: dt.datetime
    channel: Optional[str]
    lang: Optional[str]
    topic_id: Optional[str]
    reply_kind: Optional[str]
    faq_slug: Optional[str]
    phrasing_id: Optional[int]


def _clip(value: Optional[str], size: int) -> Optional[str]:
    return str(value)[:size] if value else None


def write_turns(database_url: Optional[str], turns: list[TurnFacts]) -> None:
    """Write turn rows now, in one transaction (the background writer and tests use it)."""
    with session_scope(database_url) as session:
        for t in turns:
            session.add(TurnRecord(at=t.at, channel=_clip(t.channel, 40), lang=_clip(t.lang, 8),
                                   topic_id=_clip(t.topic_id, 64), reply_kind=_clip(t.reply_kind, 24),
                                   faq_slug=_clip(t.faq_slug, 120), phrasing_id=t.phrasing_id))


class _Writer:
    """One daemon thread per process that writes queued rows, grouped per database."""

    def __init__(self) -> None:
        self.queue: "queue.Queue[tuple[str, TurnFacts]]" = queue.Queue(maxsize=QUEUE_SIZE)
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def put(self, url: str, facts: TurnFacts) -> None:
        self._ensure_thread()
        try:
            self.queue.put_nowait((url, facts))
        except queue.Full:
            logger.warning("turn statistics queue full; a turn was not recorded")

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="turn-stats", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < _BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            by_url: dict[str, list[TurnFacts]] = {}
            for url, facts in batch:
                by_url.setdefault(url, []).append(facts)
            for url, turns in by_url.items():
                try:
                    write_turns(url, turns)
                except Exception as error:  # noqa: BLE001 - statistics must never take the assistant down
                    logger.warning("could not record %d turn(s) for the dashboard (%s)", len(turns),
                                   type(error).__name__)
            for _ in batch:
                self.queue.task_done()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is written (tests, shutdown). False on timeout."""
        done = threading.Event()

        def wait() -> None:
            self.queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout)


_writer = _Writer()


def record_turn(channel: Optional[str], lang: Optional[str], topic_id: Optional[str], reply_kind: Optional[str],
                faq_slug: Optional[str] = None, phrasing_id: Optional[int] = None,
                database_url: Optional[str] = None, at: Optional[dt.datetime] = None) -> None:
    """Queue one reply's row for the dashboard; returns at once and never raises."""
    try:
        url = database_url or get_settings().database_url
        _writer.put(url, TurnFacts(at or utcnow(), channel, lang, topic_id, reply_kind, faq_slug, phrasing_id))
    except Exception as error:  # noqa: BLE001
        logger.warning("could not queue a turn for the dashboard (%s)", type(error).__name__)


def flush(timeout: float = 5.0) -> bool:
    """Wait until the queued turns are written."""
    return _writer.flush(timeout)


# --- the dashboard's questions ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    messages: int
    fallbacks: int
    emergency: int
    crisis: int

    @property
    def fallback_rate(self) -> float:
        """Share of replies that were fallbacks (0 when there were none)."""
        return self.fallbacks / self.messages if self.messages else 0.0


@dataclass(frozen=True)
class DayCount:
    day: str  # YYYY-MM-DD (UTC)
    key: str  # the channel or the language ("?" when unknown)
    count: int


@dataclass(frozen=True)
class TopicCount:
    topic_id: str
    count: int


class TurnStats:
    """Counts over the turn log between `since` (inclusive) and `until` (exclusive), naive UTC datetimes."""

    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url

    @staticmethod
    def _between(query, since: dt.datetime, until: dt.datetime):
        return query.where(TurnRecord.at >= since, TurnRecord.at < until)

    def summary(self, since: dt.datetime, until: dt.datetime) -> Summary:
        with session_scope(self.database_url) as s:
            rows = s.execute(self._between(
                select(TurnRecord.reply_kind, func.count(TurnRecord.id)).group_by(TurnRecord.reply_kind),
                since, until)).all()
        counts = {kind: n for kind, n in rows}
        return Summary(sum(counts.values()), counts.get(KIND_FALLBACK, 0), counts.get(KIND_EMERGENCY, 0),
                       counts.get(KIND_CRISIS, 0))

    def per_day(self, since: dt.datetime, until: dt.datetime, by: str) -> list[DayCount]:
        """Replies per day and channel (`by="channel"`) or language (`by="lang"`), oldest day first."""
        column = {"channel": TurnRecord.channel, "lang": TurnRecord.lang}[by]
        day = func.date(TurnRecord.at)
        with session_scope(self.database_url) as s:
            rows = s.execute(self._between(
                select(day, column, func.count(TurnRecord.id)).group_by(day, column), since, until)).all()
        found = [DayCount(str(d)[:10], key or "?", n) for d, key, n in rows]
        return sorted(found, key=lambda c: (c.day, c.key))

    def top_topics(self, since: dt.datetime, until: dt.datetime, limit: int = 10) -> list[TopicCount]:
        with session_scope(self.database_url) as s:
            rows = s.execute(self._between(
                select(TurnRecord.topic_id, func.count(TurnRecord.id).label("n"))
                .where(TurnRecord.topic_id.is_not(None)).group_by(TurnRecord.topic_id), since, until)).all()
        ranked = sorted(rows, key=lambda row: (-row[1], row[0]))[:limit]
        return [TopicCount(topic, n) for topic, n in ranked]

    def phrasing_hits(self, since: dt.datetime, until: dt.datetime) -> dict[int, int]:
        """phrasing id -> how many replies it chose the FAQ entry for."""
        with session_scope(self.database_url) as s:
            rows = s.execute(self._between(
                select(TurnRecord.phrasing_id, func.count(TurnRecord.id))
                .where(TurnRecord.phrasing_id.is_not(None)).group_by(TurnRecord.phrasing_id), since, until)).all()
        return {int(p): n for p, n in rows}


@dataclass(frozen=True)
class StaleText:
    kind: str  # "answer" or "faq"
    key: str  # topic id or FAQ entry slug
    lang: str
    title: str
    valid_as_of: Optional[str]


def stale_content(max_age_months: int, today: Optional[dt.date] = None,
                  database_url: Optional[str] = None) -> list[StaleText]:
    """Published answers and FAQ texts whose `valid_as_of` is older than `max_age_months` (or unknown), as
    `bot content check` counts them: a partial date means its last day ("2024-07" -> 2024-07-31)."""
    from bot.content.models import PUBLISHED, AnswerVersion, FaqEntry, FaqVersion
    from bot.content.pack import as_of_date

    today = today or utcnow().date()
    oldest_allowed = today - dt.timedelta(days=round(max_age_months * 30.44))
    with session_scope(database_url) as s:
        answers = s.execute(select(AnswerVersion.topic_id, AnswerVersion.lang, AnswerVersion.title,
                                   AnswerVersion.valid_as_of).where(AnswerVersion.status == PUBLISHED)).all()
        faqs = s.execute(select(FaqEntry.slug, FaqVersion.lang, FaqVersion.question, FaqVersion.valid_as_of)
                         .join(FaqEntry, FaqEntry.id == FaqVersion.entry_id)
                         .where(FaqVersion.status == PUBLISHED, FaqEntry.active.is_(True))).all()
    stale = []
    for kind, rows in (("answer", answers), ("faq", faqs)):
        for key, lang, title, valid in rows:
            when = as_of_date(valid)
            if when is None or when < oldest_allowed:
                stale.append(StaleText(kind, key, lang, title, valid))
    return sorted(stale, key=lambda item: (item.valid_as_of or "", item.kind, item.key, item.lang))

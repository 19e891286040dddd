"""Sending replies from the outbox, in order, with retries; shared by the WhatsApp and Telegram channels.

A reply is in the outbox before the first attempt. Each attempt round tries `send_attempts` times with
exponential backoff on errors that may pass (rate limits, 5xx, timeouts, network); if it still fails the reply
stays pending and a background loop tries again every `outbox_retry_interval_seconds`, also after a restart.
Replies to one person never overtake each other.

Nothing is retried forever. An error that can never pass (a malformed recipient, a 4xx answer other than 429)
marks the reply failed at the first try, and so does an unexpected exception in a sender (a bug: retrying would
repeat it every round; our database being away is no bug). A passing error marks it failed once the reply has had
`outbox_max_attempts` tries in all or is `outbox_max_age_hours` old. Failed replies keep their reason and are
listed by `bot outbox`; the next reply to the same person goes out.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import traceback
from typing import Awaitable, Callable, Optional

from sqlalchemy.exc import OperationalError

from bot.db import utcnow
from bot.messaging.store import ChannelStore, Outgoing
from bot.observability.metrics import SEND_FAILURES
from bot.settings import Settings

logger = logging.getLogger(__name__)


class SendError(Exception):
    """A send that did not work. `retryable` errors are tried again; the others are marked failed. The message
    is the reason kept with the reply and logged: never a phone number, chat id or message text."""

    def __init__(self, message: str, retryable: bool, code: Optional[str] = None,
                 retry_after: Optional[float] = None):
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after  # the platform said how long to wait (Telegram's RetryAfter)


SendFunction = Callable[[Outgoing], Awaitable[Optional[str]]]


GAVE_UP = "gave-up"  # error code of a reply that failed with passing errors until a ceiling
SENDER_BUG = "sender-bug"  # error code of an unexpected exception in a sender


def unexpected(failure: Exception) -> SendError:
    """A permanent SendError for an exception no sender expected, named by its type and where it was raised (its
    message may hold a chat id or a text, as int()'s does)."""
    frames = traceback.extract_tb(failure.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return SendError(f"unexpected {type(failure).__name__}{where} in the sender", retryable=False, code=SENDER_BUG)


def _duration(age: dt.timedelta) -> str:
    minutes = age.total_seconds() / 60
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.0f} h"


class Deliverer:
    def __init__(self, store: ChannelStore, send: SendFunction, channel: str, attempts: int = 3,
                 backoff_seconds: float = 1.0, retry_interval_seconds: float = 30.0, max_attempts: int = 60,
                 max_age: dt.timedelta = dt.timedelta(hours=24),
                 stale_sending: dt.timedelta = dt.timedelta(minutes=2)):
        self.store = store
        self.send = send
        self.channel = channel
        self.attempts = max(1, attempts)
        self.backoff = backoff_seconds
        self.retry_interval = retry_interval_seconds
        self.max_attempts = max(1, max_attempts)
        self.max_age = max_age
        self.stale_sending = stale_sending  # a reply "sending" this long was left by a process that died
        self._locks: dict[str, asyncio.Lock] = {}
        self._in_flight: set[int] = set()  # rows this process has claimed and not settled

    @classmethod
    def from_settings(cls, store: ChannelStore, send: SendFunction, channel: str, settings: Settings) -> "Deliverer":
        return cls(store, send, channel, settings.send_attempts, settings.send_backoff_seconds,
                   settings.outbox_retry_interval_seconds, settings.outbox_max_attempts,
                   dt.timedelta(hours=settings.outbox_max_age_hours),
                   dt.timedelta(seconds=settings.outbox_stale_sending_seconds))

    async def deliver(self, sender_id: str) -> None:
        """Send this person's waiting replies, oldest first, until one cannot be sent now."""
        lock = self._locks.setdefault(sender_id, asyncio.Lock())
        async with lock:
            while True:
                row = await asyncio.to_thread(self.store.claim_next, sender_id, self.channel)
                if row is None:
                    break
                self._in_flight.add(row.id)
                try:
                    settled = await self._send_with_retries(row)
                finally:
                    self._in_flight.discard(row.id)
                if not settled:
                    break
        if not lock.locked():
            self._locks.pop(sender_id, None)

    async def _send_with_retries(self, row: Outgoing) -> bool:
        """True when the reply is settled (sent or failed for good), False when it must wait."""
        delay = self.backoff
        error: Optional[SendError] = None
        tries = row.attempts - 1  # claim_next counted this round's first try
        for attempt in range(1, self.attempts + 1):
            tries += 1
            try:
                provider_id = await self.send(row)
            except SendError as failure:
                error = failure
            except OperationalError as failure:  # our database, reading the contact, was away for a moment
                error = SendError(f"database unavailable: {type(failure.orig).__name__}", retryable=True)
            except Exception as failure:  # noqa: BLE001 - a bug in a sender: retrying would only repeat it
                error = unexpected(failure)
            else:
                await asyncio.to_thread(self.store.mark_sent, row.id, provider_id, tries)
                return True
            SEND_FAILURES.labels(self.channel).inc()
            if not error.retryable:
                logger.warning("%s reply %s failed permanently: %s", self.channel, row.id, error)
                await asyncio.to_thread(self.store.mark_failed, row.id, str(error), error.code, tries)
                return True
            age = utcnow() - row.created_at
            if tries >= self.max_attempts or age >= self.max_age:
                reason = f"gave up after {tries} {'try' if tries == 1 else 'tries'} in {_duration(age)}; last: {error}"
                logger.warning("%s reply %s failed: %s", self.channel, row.id, reason)
                await asyncio.to_thread(self.store.mark_failed, row.id, reason, GAVE_UP, tries)
                return True
            if attempt < self.attempts:
                await asyncio.sleep(max(delay, error.retry_after or 0))
                delay *= 2
        retry_at = utcnow() + dt.timedelta(seconds=max(self.retry_interval, error.retry_after or 0))
        logger.warning("%s reply %s not sent after %d attempts (%s); kept in the outbox",
                       self.channel, row.id, self.attempts, error)
        await asyncio.to_thread(self.store.mark_retry, row.id, str(error), retry_at, tries)
        return False

    def in_flight(self) -> list[int]:
        """Rows being sent right now (snapshot, taken before stopping the sends at shutdown)."""
        return sorted(self._in_flight)

    async def retry_due(self) -> None:
        """One pass over everyone with a reply whose retry time has come."""
        for sender_id in await asyncio.to_thread(self.store.senders_due, 100, self.channel):
            await self.deliver(sender_id)

    async def run_forever(self, prune_every: dt.timedelta = dt.timedelta(hours=6)) -> None:
        """Background loop: recover replies a process that died left half-sent (any server's), retry
        periodically, and now and then forget delivered replies and old message ids (ChannelStore.prune)."""
        last_prune: Optional[dt.datetime] = None
        while True:
            try:
                # Every pass, not only at start: with several servers, the one that died may never restart.
                await asyncio.to_thread(self.store.release_stale, self.stale_sending, sorted(self._in_flight))
                await self.retry_due()
                if last_prune is None or utcnow() - last_prune > prune_every:
                    await asyncio.to_thread(self.store.prune)
                    last_prune = utcnow()
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                logger.exception("%s outbox pass failed", self.channel)
            await asyncio.sleep(self.retry_interval)

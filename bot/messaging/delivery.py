"""Sending replies from the outbox, in order, with retries; shared by the WhatsApp and Telegram channels.

A reply is in the outbox before the first attempt. Each attempt round tries `send_attempts` times with
exponential backoff on errors that may pass (rate limits, 5xx, timeouts); if it still fails the reply stays
pending and a background loop tries again every `outbox_retry_interval_seconds`, also after a restart.
Replies to one person never overtake each other.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Awaitable, Callable, Optional

from bot.db import utcnow
from bot.messaging.store import ChannelStore, Outgoing

logger = logging.getLogger(__name__)


class SendError(Exception):
    """A send that did not work. `retryable` errors are tried again; the others are marked failed."""

    def __init__(self, message: str, retryable: bool, code: Optional[str] = None,
                 retry_after: Optional[float] = None):
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after  # the platform said how long to wait (Telegram's RetryAfter)


SendFunction = Callable[[Outgoing], Awaitable[Optional[str]]]


class Deliverer:
    def __init__(self, store: ChannelStore, send: SendFunction, channel: str, attempts: int = 3,
                 backoff_seconds: float = 1.0, retry_interval_seconds: float = 30.0):
        self.store = store
        self.send = send
        self.channel = channel
        self.attempts = max(1, attempts)
        self.backoff = backoff_seconds
        self.retry_interval = retry_interval_seconds
        self._locks: dict[str, asyncio.Lock] = {}
        self._in_flight: set[int] = set()  # rows this process has claimed and not settled

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
        """True when the reply is settled (sent or permanently failed), False when it must wait."""
        delay = self.backoff
        error: Optional[SendError] = None
        for attempt in range(1, self.attempts + 1):
            try:
                provider_id = await self.send(row)
            except SendError as failure:
                error = failure
            except Exception as failure:  # noqa: BLE001 - unknown errors are treated as passing ones
                error = SendError(f"{type(failure).__name__}: {failure}", retryable=True)
            else:
                await asyncio.to_thread(self.store.mark_sent, row.id, provider_id)
                return True
            if not error.retryable:
                logger.warning("%s reply %s failed permanently: %s", self.channel, row.id, error)
                await asyncio.to_thread(self.store.mark_failed, row.id, str(error), error.code)
                return True
            if attempt < self.attempts:
                await asyncio.sleep(max(delay, error.retry_after or 0))
                delay *= 2
        retry_at = utcnow() + dt.timedelta(seconds=self.retry_interval)
        logger.warning("%s reply %s not sent after %d attempts (%s); kept in the outbox",
                       self.channel, row.id, self.attempts, error)
        await asyncio.to_thread(self.store.mark_retry, row.id, str(error), retry_at)
        return False

    def in_flight(self) -> list[int]:
        """Rows being sent right now (snapshot, taken before stopping the sends at shutdown)."""
        return sorted(self._in_flight)

    async def retry_due(self) -> None:
        """One pass over everyone with a reply whose retry time has come."""
        for sender_id in await asyncio.to_thread(self.store.senders_due, 100, self.channel):
            await self.deliver(sender_id)

    async def run_forever(self, prune_every: dt.timedelta = dt.timedelta(hours=6)) -> None:
        """Background loop: recover replies a stopped process left half-sent, retry periodically, and now and
        then forget delivered replies and old message ids (ChannelStore.prune)."""
        await asyncio.to_thread(self.store.release_stale)
        last_prune: Optional[dt.datetime] = None
        while True:
            try:
                await self.retry_due()
                if last_prune is None or utcnow() - last_prune > prune_every:
                    await asyncio.to_thread(self.store.prune)
                    last_prune = utcnow()
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                logger.exception("%s outbox pass failed", self.channel)
            await asyncio.sleep(self.retry_interval)

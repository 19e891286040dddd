"""What the messaging channels keep: how to reach a person, which platform messages were already seen, and
the outbox of replies. One short-lived session per call, plain dataclasses out, like bot.content.repository.

    store = ChannelStore()
    if store.record_inbound("whatsapp", message_sid):       # False for a redelivered webhook
        store.touch_contact(sender_id, "whatsapp", "whatsapp:+502...")
    ids = store.enqueue("whatsapp", sender_id, [{"body": "Hola"}])
    row = store.claim_next(sender_id)                        # oldest unsent reply, in order
    store.mark_sent(row.id, "SM123")
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.db import session_scope, utcnow
from bot.messaging.models import ChannelContact, InboundMessage, OutboxMessage, OutboxStatus

PENDING, SENDING, SENT, FAILED = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value,
                                  OutboxStatus.SENT.value, OutboxStatus.FAILED.value)
OPEN_STATUSES = (PENDING, SENDING)
DELIVERED_STATUSES = (SENT, OutboxStatus.DELIVERED.value, OutboxStatus.READ.value)
# Delivery reports only move a message forward (a late "sent" must not undo "read"). Twilio also reports
# "queued" and "accepted", which say no more than "sent".
STATUS_RANK = {OutboxStatus.PENDING: 0, OutboxStatus.SENDING: 1, OutboxStatus.SENT: 2, OutboxStatus.DELIVERED: 3,
               OutboxStatus.READ: 4, OutboxStatus.UNDELIVERED: 5, OutboxStatus.FAILED: 5}


@dataclass(frozen=True)
class Contact:
    sender_id: str
    channel: str
    address: str
    last_inbound_at: Optional[dt.datetime]


@dataclass(frozen=True)
class Outgoing:
    id: int
    channel: str
    sender_id: str
    body: str
    media_url: Optional[str]
    buttons: tuple[dict, ...]
    template: Optional[dict]
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: Optional[str]
    error_code: Optional[str]
    provider_id: Optional[str]
    created_at: dt.datetime


def _outgoing(row: OutboxMessage) -> Outgoing:
    return Outgoing(row.id, row.channel, row.sender_id, row.body, row.media_url, tuple(row.buttons or ()),
                    row.template, row.status, row.attempts, row.next_attempt_at, row.last_error,
                    row.error_code, row.provider_id, row.created_at)


class ChannelStore:
    def __init__(self, database_url: Optional[str] = None):
        self.database_url = database_url

    def _session(self):
        return session_scope(self.database_url)

    # --- inbound ------------------------------------------------------------------------------------
    def record_inbound(self, channel: str, external_id: str) -> bool:
        """True the first time a platform message id is seen, False for a redelivery."""
        try:
            with self._session() as s:
                s.add(InboundMessage(channel=channel, external_id=external_id[:80]))
            return True
        except IntegrityError:
            return False

    def prune(self, inbound_older_than: dt.timedelta = dt.timedelta(days=7),
              sent_older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
        """Forget what is no longer needed: seen message ids after a week (platforms stop redelivering long
        before), and replies that reached the person after a month. Pending and failed replies stay."""
        now = utcnow()
        with self._session() as s:
            removed = s.execute(
                delete(InboundMessage).where(InboundMessage.received_at < now - inbound_older_than)
            ).rowcount or 0
            removed += s.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.status.in_(DELIVERED_STATUSES),
                    OutboxMessage.updated_at < now - sent_older_than,
                )
            ).rowcount or 0
            return removed

    # --- contacts -----------------------------------------------------------------------------------
    def touch_contact(self, sender_id: str, channel: str, address: str, inbound: bool = True) -> None:
        """Create or refresh the contact; `inbound` marks that the person just wrote (24-hour window)."""
        with self._session() as s:
            contact = s.get(ChannelContact, sender_id)
            if contact is None:
                contact = ChannelContact(sender_id=sender_id, channel=channel, address=address)
                s.add(contact)
            contact.address = address
            if inbound:
                contact.last_inbound_at = utcnow()

    def contact(self, sender_id: str) -> Optional[Contact]:
        with self._session() as s:
            c = s.get(ChannelContact, sender_id)
            if c is None:
                return None
            return Contact(c.sender_id, c.channel, c.address, c.last_inbound_at)

    def forget(self, sender_id: str) -> int:
        """Delete everything kept to reach this person (contact and unsent or sent replies)."""
        with self._session() as s:
            removed = s.execute(delete(OutboxMessage).where(OutboxMessage.sender_id == sender_id)).rowcount or 0
            removed += s.execute(delete(ChannelContact).where(ChannelContact.sender_id == sender_id)).rowcount or 0
            return removed

    # --- outbox -------------------------------------------------------------------------------------
    def enqueue(self, channel: str, sender_id: str, parts: Iterable[dict[str, Any]]) -> list[int]:
        """Queue replies in order. Each part: body, and optionally media_url, buttons, template."""
        with self._session() as s:
            rows = [
                OutboxMessage(channel=channel, sender_id=sender_id, body=p.get("body") or "",
                              media_url=p.get("media_url"), buttons=list(p.get("buttons") or []),
                              template=p.get("template"), status=PENDING, attempts=0, next_attempt_at=utcnow())
                for p in parts
            ]
            s.add_all(rows)
            s.flush()
            return [r.id for r in rows]

    def claim_next(self, sender_id: str, channel: Optional[str] = None) -> Optional[Outgoing]:
        """Take the oldest open reply of this person for sending (on `channel` only, when given: each channel's
        sender takes its own rows), if it is due and nobody else has it. Replies go out strictly in order: while an
        older one waits, newer ones wait too."""
        with self._session() as s:
            query = select(OutboxMessage).where(OutboxMessage.sender_id == sender_id,
                                                OutboxMessage.status.in_(OPEN_STATUSES))
            if channel:
                query = query.where(OutboxMessage.channel == channel)
            row = s.scalars(query.order_by(OutboxMessage.id).limit(1)).first()
            if row is None or row.status != PENDING or row.next_attempt_at > utcnow():
                return None
            claimed = s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == PENDING)
                .values(status=SENDING, attempts=OutboxMessage.attempts + 1, updated_at=utcnow())
            ).rowcount
            if not claimed:
                return None
            s.refresh(row)
            return _outgoing(row)

    def mark_sent(self, message_id: int, provider_id: Optional[str]) -> None:
        with self._session() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                status=SENT, provider_id=provider_id, last_error=None, updated_at=utcnow()))

    def mark_retry(self, message_id: int, error: str, retry_at: dt.datetime) -> None:
        with self._session() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                status=PENDING, last_error=error[:500], next_attempt_at=retry_at, updated_at=utcnow()))

    def mark_failed(self, message_id: int, error: str, error_code: Optional[str] = None) -> None:
        with self._session() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                status=FAILED, last_error=error[:500], error_code=error_code, updated_at=utcnow()))

    def update_status(self, provider_id: str, status: str, error_code: Optional[str] = None) -> bool:
        """Apply a delivery report (sent, delivered, read, failed...). False if the message is unknown."""
        key = (status or "").strip().lower()
        reported = OutboxStatus.parse({"queued": SENT, "accepted": SENT}.get(key, key))
        with self._session() as s:
            row = s.scalars(select(OutboxMessage).where(OutboxMessage.provider_id == provider_id)).first()
            if row is None:
                return False
            current = OutboxStatus.parse(row.status)
            if reported is not None and STATUS_RANK[reported] >= STATUS_RANK.get(current, 0):
                row.status = reported.value
                if error_code:
                    row.error_code = str(error_code)[:20]
            return True

    def senders_due(self, limit: int = 100, channel: Optional[str] = None) -> list[str]:
        """People with a reply waiting (on `channel`, when given) whose retry time has come."""
        with self._session() as s:
            query = select(OutboxMessage.sender_id).where(OutboxMessage.status == PENDING,
                                                          OutboxMessage.next_attempt_at <= utcnow())
            if channel:
                query = query.where(OutboxMessage.channel == channel)
            rows = s.execute(query.group_by(OutboxMessage.sender_id).limit(limit)).all()
            return [r[0] for r in rows]

    def release_stale(self, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
        """Replies left "sending" by a process that stopped go back to pending (recovery after restart)."""
        with self._session() as s:
            return s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == SENDING, OutboxMessage.updated_at < utcnow() - older_than)
                .values(status=PENDING, next_attempt_at=utcnow())
            ).rowcount or 0

    def release(self, message_ids: Sequence[int]) -> int:
        """Put replies this process was sending back to pending (graceful shutdown)."""
        if not message_ids:
            return 0
        with self._session() as s:
            return s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == SENDING)
                .values(status=PENDING, next_attempt_at=utcnow())
            ).rowcount or 0

    def messages(self, statuses: Sequence[str] = (PENDING, SENDING, FAILED, OutboxStatus.UNDELIVERED.value),
                 limit: int = 100, sender_id: Optional[str] = None) -> list[Outgoing]:
        with self._session() as s:
            query = select(OutboxMessage).where(OutboxMessage.status.in_(list(statuses)))
            if sender_id:
                query = query.where(OutboxMessage.sender_id == sender_id)
            return [_outgoing(r) for r in s.scalars(query.order_by(OutboxMessage.id).limit(limit))]

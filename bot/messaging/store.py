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
import logging
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.db import session_scope, utcnow
from bot.messaging.models import ChannelContact, InboundMessage, InboundState, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)
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
class Inbound:
    """A message acknowledged to the platform and not yet answered."""

    channel: str
    external_id: str
    sender_id: str
    text: str
    metadata: dict
    first_contact: bool


def _complete_inbound(s: Any, channel: str, external_id: str) -> None:
    s.execute(update(InboundMessage)
              .where(InboundMessage.channel == channel, InboundMessage.external_id == external_id[:80])
              .values(state=InboundState.DONE.value, sender_id=None, body=None, meta=None))


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
    def record_inbound(self, channel: str, external_id: str, sender_id: Optional[str] = None,
                       text: Optional[str] = None, metadata: Optional[dict] = None,
                       first_contact: bool = False) -> bool:
        """True the first time a platform message id is seen, False for a redelivery. With `text`, the message
        is kept (pending) until its replies are queued (`enqueue(..., inbound=external_id)`), so that it is
        answered even if this process dies first."""
        pending = text is not None
        try:
            with self._session() as s:
                s.add(InboundMessage(
                    channel=channel, external_id=external_id[:80],
                    state=InboundState.PENDING.value if pending else InboundState.DONE.value,
                    sender_id=sender_id if pending else None, body=text, meta=metadata or None,
                    first_contact=first_contact, claimed_at=utcnow() if pending else None,
                    attempts=1 if pending else 0))
            return True
        except IntegrityError:
            return False

    def inbound_done(self, channel: str, external_id: str) -> None:
        """The message needs no reply (or got one some other way): forget its text."""
        with self._session() as s:
            _complete_inbound(s, channel, external_id)

    def release_inbound(self, channel: str, external_ids: Sequence[str]) -> None:
        """Messages a stopping process was answering: the next look for stale messages takes them at once."""
        with self._session() as s:
            s.execute(update(InboundMessage)
                      .where(InboundMessage.channel == channel, InboundMessage.external_id.in_(list(external_ids)),
                             InboundMessage.state == InboundState.PENDING.value)
                      .values(claimed_at=dt.datetime(1970, 1, 1)))

    def claim_stale_inbound(self, channel: str, older_than: dt.timedelta, max_attempts: int = 3,
                            limit: int = 20) -> list[Inbound]:
        """Pending messages whose taker has not finished within `older_than` (it died, or its server did): each
        is claimed by exactly one caller. After `max_attempts` takes a message is given up (it may be what
        kills the servers) and kept as done, with a warning for the operators."""
        now = utcnow()
        taken: list[Inbound] = []
        with self._session() as s:
            rows = s.scalars(
                select(InboundMessage)
                .where(InboundMessage.channel == channel, InboundMessage.state == InboundState.PENDING.value,
                       InboundMessage.claimed_at < now - older_than)
                .order_by(InboundMessage.received_at).limit(limit)
            ).all()
            for row in rows:
                if row.attempts >= max_attempts:
                    logger.warning("%s message taken %d times without an answer; given up", channel, row.attempts)
                    _complete_inbound(s, channel, row.external_id)
                    continue
                claimed = s.execute(
                    update(InboundMessage)
                    .where(InboundMessage.channel == channel, InboundMessage.external_id == row.external_id,
                           InboundMessage.state == InboundState.PENDING.value,
                           InboundMessage.claimed_at == row.claimed_at)
                    .values(claimed_at=now, attempts=InboundMessage.attempts + 1)
                ).rowcount
                if claimed:
                    taken.append(Inbound(row.channel, row.external_id, row.sender_id or "", row.body or "",
                                         dict(row.meta or {}), bool(row.first_contact)))
        return taken

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
        """Delete everything kept to reach this person (contact, unsent or sent replies, messages not yet
        answered)."""
        with self._session() as s:
            removed = s.execute(delete(OutboxMessage).where(OutboxMessage.sender_id == sender_id)).rowcount or 0
            removed += s.execute(delete(InboundMessage).where(InboundMessage.sender_id == sender_id)).rowcount or 0
            removed += s.execute(delete(ChannelContact).where(ChannelContact.sender_id == sender_id)).rowcount or 0
            return removed

    # --- outbox -------------------------------------------------------------------------------------
    def enqueue(self, channel: str, sender_id: str, parts: Iterable[dict[str, Any]],
                inbound: Optional[str] = None) -> list[int]:
        """Queue replies in order. Each part: body, and optionally media_url, buttons, template. `inbound`: the
        platform id of the message these answer, marked answered in the same transaction (so a message is
        either answered and queued, or still pending: never lost, never answered twice)."""
        with self._session() as s:
            if inbound is not None:
                _complete_inbound(s, channel, inbound)
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

    # `attempts`, when given, is how many times the reply has been tried in all (claim_next counts one per round;
    # the sender knows how many tries the round made).
    def mark_sent(self, message_id: int, provider_id: Optional[str], attempts: Optional[int] = None) -> None:
        self._settle(message_id, attempts, status=SENT, provider_id=provider_id, last_error=None)

    def mark_retry(self, message_id: int, error: str, retry_at: dt.datetime, attempts: Optional[int] = None) -> None:
        self._settle(message_id, attempts, status=PENDING, last_error=error[:500], next_attempt_at=retry_at)

    def mark_failed(self, message_id: int, error: str, error_code: Optional[str] = None,
                    attempts: Optional[int] = None) -> None:
        self._settle(message_id, attempts, status=FAILED, last_error=error[:500],
                     error_code=error_code[:20] if error_code else None)

    def _settle(self, message_id: int, attempts: Optional[int], **values: Any) -> None:
        if attempts is not None:
            values["attempts"] = attempts
        with self._session() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(updated_at=utcnow(),
                                                                                           **values))

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

    def release_stale(self, older_than: dt.timedelta = dt.timedelta(minutes=2),
                      except_ids: Sequence[int] = ()) -> int:
        """Replies left "sending" longer than any send takes, by a process that died, go back to pending (but
        `except_ids`, the caller's own sends in progress)."""
        with self._session() as s:
            query = update(OutboxMessage).where(OutboxMessage.status == SENDING,
                                                OutboxMessage.updated_at < utcnow() - older_than)
            if except_ids:
                query = query.where(OutboxMessage.id.not_in(list(except_ids)))
            return s.execute(query.values(status=PENDING, next_attempt_at=utcnow())).rowcount or 0

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
                 limit: int = 100, sender_id: Optional[str] = None, newest_first: bool = False,
                 channel: Optional[str] = None) -> list[Outgoing]:
        with self._session() as s:
            query = select(OutboxMessage).where(OutboxMessage.status.in_(list(statuses)))
            if sender_id:
                query = query.where(OutboxMessage.sender_id == sender_id)
            if channel:
                query = query.where(OutboxMessage.channel == channel)
            order = OutboxMessage.id.desc() if newest_first else OutboxMessage.id
            return [_outgoing(r) for r in s.scalars(query.order_by(order).limit(limit))]

    def counts(self, statuses: Sequence[str]) -> dict[tuple[str, str], int]:
        """How many replies are in each of these statuses, by (channel, status)."""
        with self._session() as s:
            rows = s.execute(
                select(OutboxMessage.channel, OutboxMessage.status, func.count())
                .where(OutboxMessage.status.in_(list(statuses)))
                .group_by(OutboxMessage.channel, OutboxMessage.status)
            ).all()
            return {(channel, status): count for channel, status, count in rows}

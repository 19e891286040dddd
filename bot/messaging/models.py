"""Messaging tables (WhatsApp, Telegram): contacts, seen platform message ids, and the outbox of replies."""
from __future__ import annotations

import enum

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text

from bot.db import Base, utcnow


class OutboxStatus(str, enum.Enum):
    """Where a reply is: waiting, being sent, accepted by the platform, then the platform's delivery reports."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"

    @classmethod
    def parse(cls, value: str) -> "OutboxStatus | None":
        try:
            return cls((value or "").strip().lower())
        except ValueError:
            return None


class ChannelContact(Base):
    """How to reach one person on one channel. Rasa only ever sees `sender_id`, a keyed pseudonym; the
    phone number or chat id lives here alone and is deleted when the person asks."""

    __tablename__ = "channel_contacts"

    sender_id = Column(String(80), primary_key=True)
    channel = Column(String(20), nullable=False)
    address = Column(String(120), nullable=False)
    last_inbound_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class InboundState(str, enum.Enum):
    PENDING = "pending"  # acknowledged to the platform, not yet answered: kept with its text until it is
    DONE = "done"  # answered (its replies are in the outbox): only the id is kept, for the dedupe


class InboundMessage(Base):
    """Platform message ids already received, so a redelivered webhook is processed once; and, until it is
    answered, the message itself, so a server that dies after acknowledging it does not lose it (another server
    takes it over: ChannelStore.claim_stale_inbound). The text and the pseudonym are dropped once answered."""

    __tablename__ = "inbound_messages"

    channel = Column(String(20), primary_key=True)
    external_id = Column(String(80), primary_key=True)
    received_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    state = Column(String(10), nullable=False, default=InboundState.DONE.value, index=True)
    sender_id = Column(String(80), nullable=True, index=True)
    body = Column(Text, nullable=True)
    meta = Column(JSON, nullable=True)
    first_contact = Column(Boolean, nullable=False, default=False)
    claimed_at = Column(DateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)  # takes so far; a message that keeps killing servers


class OutboxMessage(Base):
    """Every reply is written here before it is sent, so a send that fails is retried, never lost."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False, index=True)
    body = Column(Text, nullable=False, default="")
    media_url = Column(Text, nullable=True)
    buttons = Column(JSON, nullable=False, default=list)
    template = Column(JSON, nullable=True)  # {"content_sid", "variables"} outside the 24-hour window
    status = Column(String(20), nullable=False, default=OutboxStatus.PENDING.value, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    last_error = Column(Text, nullable=True)
    error_code = Column(String(20), nullable=True)
    provider_id = Column(String(80), nullable=True, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

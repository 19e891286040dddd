"""Handoff tables. A case belongs to a conversation (the channel's keyed pseudonym, never a phone number)."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text

from bot.db import Base, utcnow

NEW, ASSIGNED, WAITING_USER, CLOSED = "new", "assigned", "waiting_user", "closed"
CASE_STATUSES = (NEW, ASSIGNED, WAITING_USER, CLOSED)
OPEN_CASE_STATUSES = (NEW, ASSIGNED, WAITING_USER)
# Why the person was offered a person.
ASKED, FAILED_TWICE, SENSITIVE = "asked", "failed_twice", "sensitive"
# Who wrote a transcript line: the person, the bot, a caseworker ("staff"), or a system notice.
USER, BOT, STAFF, SYSTEM = "user", "bot", "staff", "system"


class Case(Base):
    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(80), nullable=False, index=True)  # the conversation's pseudonym
    channel = Column(String(40), nullable=False)  # webchat | whatsapp | telegram
    lang = Column(String(8), nullable=False, default="es")
    topic_id = Column(String(64), nullable=True)
    reason = Column(String(24), nullable=False)
    status = Column(String(16), nullable=False, default=NEW, index=True)
    assigned_to = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    closed_at = Column(DateTime, nullable=True)
    last_user_at = Column(DateTime, nullable=True)
    last_staff_at = Column(DateTime, nullable=True)
    holding_sent_at = Column(DateTime, nullable=True)  # the "no one has answered yet" message
    alerted_at = Column(DateTime, nullable=True)  # the staff Telegram group was told


class CaseMessage(Base):
    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    author = Column(String(16), nullable=False)  # user | bot | staff | system
    staff_username = Column(String(64), nullable=True)
    text = Column(Text, nullable=False)

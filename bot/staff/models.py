"""Staff tables: console accounts, the audit log, the recruiter register and the per-turn statistics.

None of them holds a user's phone number, name or message text: the turn log records what kind of reply went
out (for the dashboard), never who asked or what.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, String, Text

from bot.db import Base, utcnow

EDITOR, REVIEWER, ADMIN = "editor", "reviewer", "admin"
ROLES = (EDITOR, REVIEWER, ADMIN)
# What each role may do includes what the roles before it may do.
ROLE_RANK = {EDITOR: 1, REVIEWER: 2, ADMIN: 3}

AUTHORISED, SUSPENDED, FRAUDULENT = "authorised", "suspended", "fraudulent"
RECRUITER_STATUSES = (AUTHORISED, SUSPENDED, FRAUDULENT)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)  # argon2id
    role = Column(String(16), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    # Part of the login session's identity: raising it ends every session of this user ("log out everywhere").
    session_epoch = Column(Integer, nullable=False, default=0)
    language = Column(String(8), nullable=False, default="es")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime, nullable=True)


class AuditEntry(Base):
    """Who changed what, when, with the values before and after (written in the same transaction)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(64), nullable=False, index=True)
    action = Column(String(40), nullable=False, index=True)  # e.g. answer.publish, user.create
    target_type = Column(String(40), nullable=False, index=True)  # answer, faq, service_point, recruiter, user...
    target_id = Column(String(200), nullable=False, default="")
    before = Column(JSON, nullable=True)
    after = Column(JSON, nullable=True)
    note = Column(Text, nullable=False, default="")


class Recruiter(Base):
    """A recruitment agency as staff found it in an official list. Never invented: every row has a source."""

    __tablename__ = "recruiters"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    name_key = Column(String(200), nullable=False, index=True)  # folded name, for matching
    licence_number = Column(String(80), nullable=True)
    status = Column(String(20), nullable=False)
    source_url = Column(Text, nullable=False)
    checked_on = Column(Date, nullable=False)
    notes = Column(Text, nullable=False, default="")
    active = Column(Boolean, nullable=False, default=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class TurnRecord(Base):
    """One reply of the assistant, for the dashboard: when, channel, language, topic and kind. No sender, no text."""

    __tablename__ = "turn_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    channel = Column(String(40), nullable=True)
    lang = Column(String(8), nullable=True)
    topic_id = Column(String(64), nullable=True)
    reply_kind = Column(String(24), nullable=True)  # answer, faq, fallback, emergency, crisis, menu, ...
    faq_slug = Column(String(120), nullable=True)
    phrasing_id = Column(Integer, nullable=True)  # the phrasing the message matched best, when it chose the entry

"""Content tables: topics, answer versions, service points, unanswered questions.

Answers are immutable versions: an edit adds a row with the next version number; publishing it archives the
previously published row. So every change keeps the previous version, and a rollback is "publish a copy
of an old version". Schema changes go through Alembic migrations (bot/migrations).
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import relationship

from bot.db import Base, utcnow

LANGUAGES = ("es", "en")
# draft -> submitted (for review) -> published; a reviewer may send a submitted version back to draft with a
# comment. Publishing archives the version published before.
DRAFT, SUBMITTED, PUBLISHED, ARCHIVED = "draft", "submitted", "published", "archived"
STATUSES = (DRAFT, SUBMITTED, PUBLISHED, ARCHIVED)
# How far a reviewer trusts a text: `blocker` must be checked before it is trusted, `improve` is usable but has
# something to verify or add, `ok` was checked against its sources.
BLOCKER, IMPROVE, OK = "blocker", "improve", "ok"
REVIEW_STATUSES = (BLOCKER, IMPROVE, OK)


class Topic(Base):
    __tablename__ = "topics"

    id = Column(String(64), primary_key=True)  # stable id, e.g. "labour.h2a"
    area = Column(String(32), nullable=False)  # menu area: labour, risks, reintegration, help, ...
    description = Column(Text, nullable=False, default="")
    menu_order = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    versions = relationship("AnswerVersion", back_populates="topic")


class AnswerVersion(Base):
    __tablename__ = "answer_versions"
    __table_args__ = (
        UniqueConstraint("topic_id", "lang", "version", name="uq_answer_version"),
        # At most one published answer per topic and language.
        Index(
            "uq_one_published_answer",
            "topic_id",
            "lang",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    topic_id = Column(String(64), ForeignKey("topics.id"), nullable=False, index=True)
    lang = Column(String(8), nullable=False)
    version = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default=DRAFT)
    title = Column(String(120), nullable=False)
    short = Column(String(400), nullable=False, default="")
    body = Column(Text, nullable=False)
    details = Column(Text, nullable=True)
    follow_ups = Column(JSON, nullable=False, default=list)  # topic ids
    sources = Column(JSON, nullable=False, default=list)  # [{"name": ..., "url": ...}]
    last_reviewed = Column(Date, nullable=True)  # set only when a person reviews it
    needs_review = Column(Boolean, nullable=False, default=False)
    review_note = Column(Text, nullable=False, default="")
    review_status = Column(String(16), nullable=False, default=IMPROVE)
    valid_as_of = Column(String(10), nullable=True)  # date of the newest source: YYYY, YYYY-MM or YYYY-MM-DD
    origin = Column(String(32), nullable=False, default="staff")  # "content-pack" or "staff"
    created_by = Column(String(64), nullable=False, default="system")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    published_at = Column(DateTime, nullable=True)
    # Review workflow (the console): who submitted and who reviewed, and the reviewer's comment.
    submitted_by = Column(String(64), nullable=True)
    submitted_at = Column(DateTime, nullable=True)
    reviewed_by = Column(String(64), nullable=True)
    review_comment = Column(Text, nullable=False, default="")

    topic = relationship("Topic", back_populates="versions")


class FaqEntry(Base):
    """One specific question under a topic ("¿Puedo llevar a mi familia con la visa H-2A?"). Its texts are
    versioned per language like answers (FaqVersion); people's ways of asking it are Phrasings."""

    __tablename__ = "faq_entries"

    id = Column(Integer, primary_key=True)
    slug = Column(String(120), nullable=False, unique=True)  # "labour.h2a/family"
    topic_id = Column(String(64), ForeignKey("topics.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class FaqVersion(Base):
    __tablename__ = "faq_versions"
    __table_args__ = (
        UniqueConstraint("entry_id", "lang", "version", name="uq_faq_version"),
        Index(
            "uq_one_published_faq",
            "entry_id",
            "lang",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    entry_id = Column(Integer, ForeignKey("faq_entries.id"), nullable=False, index=True)
    lang = Column(String(8), nullable=False)
    version = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default=DRAFT)
    question = Column(String(300), nullable=False)
    answer = Column(Text, nullable=False)
    sources = Column(JSON, nullable=False, default=list)
    last_reviewed = Column(Date, nullable=True)
    review_status = Column(String(16), nullable=False, default=IMPROVE)
    review_note = Column(Text, nullable=False, default="")
    valid_as_of = Column(String(10), nullable=True)
    origin = Column(String(32), nullable=False, default="staff")
    created_by = Column(String(64), nullable=False, default="system")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    published_at = Column(DateTime, nullable=True)
    # Review workflow (the console): who submitted and who reviewed, and the reviewer's comment.
    submitted_by = Column(String(64), nullable=True)
    submitted_at = Column(DateTime, nullable=True)
    reviewed_by = Column(String(64), nullable=True)
    review_comment = Column(Text, nullable=False, default="")


class Phrasing(Base):
    """A way people ask about a topic or one of its FAQ entries. Used by the FAQ matcher at once (no
    retraining) and exported as NLU examples for the next training run."""

    __tablename__ = "phrasings"

    id = Column(Integer, primary_key=True)
    topic_id = Column(String(64), ForeignKey("topics.id"), nullable=False, index=True)
    entry_id = Column(Integer, ForeignKey("faq_entries.id"), nullable=True, index=True)
    lang = Column(String(8), nullable=True)
    text = Column(Text, nullable=False)
    origin = Column(String(32), nullable=False, default="staff")  # content-pack | staff | taught
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ServicePoint(Base):
    __tablename__ = "service_points"

    id = Column(Integer, primary_key=True)
    slug = Column(String(80), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(40), nullable=False, index=True)
    department = Column(String(80), nullable=True, index=True)
    municipality = Column(String(80), nullable=True)
    address = Column(Text, nullable=True)
    latitude = Column(Float, nullable=True)
    longitude = Column(Float, nullable=True)
    location_precision = Column(String(20), nullable=True)
    phone = Column(String(40), nullable=True)
    hours = Column(Text, nullable=True)
    languages = Column(JSON, nullable=False, default=list)
    services = Column(JSON, nullable=False, default=list)
    source = Column(Text, nullable=False)
    source_id = Column(String(120), nullable=True)  # id in the content pack's sources registry
    last_verified = Column(Date, nullable=True)
    needs_review = Column(Boolean, nullable=False, default=False)
    review_status = Column(String(16), nullable=False, default=IMPROVE)
    review_note = Column(Text, nullable=False, default="")
    serves = Column(JSON, nullable=False, default=list)  # returnees | in_transit | children | families | everyone
    walk_in = Column(Boolean, nullable=False, default=True)  # a person can go there on their own
    active = Column(Boolean, nullable=False, default=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class UnansweredQuestion(Base):
    """Questions the assistant could not answer, for content staff. Text is redacted before storage."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    lang = Column(String(8), nullable=True)
    channel = Column(String(40), nullable=True)
    top_guesses = Column(JSON, nullable=False, default=list)  # [{"name": intent, "confidence": float}]
    # The conversation's pseudonym (never a phone number), so the person's questions go when they ask.
    sender_id = Column(String(80), nullable=True, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    # The console's inbox: open -> taught (attached as a phrasing) | new_content (a draft was opened) | dismissed
    status = Column(String(16), nullable=False, default="open", index=True)
    resolution = Column(String(200), nullable=True)  # the topic or FAQ entry it was taught to, or the draft
    resolved_by = Column(String(64), nullable=True)
    resolved_at = Column(DateTime, nullable=True)

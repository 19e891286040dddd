"""FAQ entries and phrasings: the specific questions under each topic, and the ways people ask them.

An entry ("labour.h2a/family") belongs to a topic; its question and short answer are versioned per language
like answers (draft -> published, rollback). Phrasings are examples of how people ask about an entry, or
about a topic in general; the FAQ matcher (bot.content.matching) uses them on the next message, with no
retraining, and `bot examples export` writes them as NLU examples for the next training run.

    faq = FaqRepository()
    faq.upsert_entry("labour.h2a/family", "labour.h2a")
    v = faq.save_draft("labour.h2a/family", "es", {"question": "...", "answer": "...", "sources": [...]})
    faq.publish("labour.h2a/family", "es", v.version)
    faq.add_phrasing("labour.h2a/family", "puedo llevar a mis hijos con la h2a", "es")
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.content import versions, workflow
from bot.content.models import PUBLISHED, FaqEntry, FaqVersion, Phrasing, Topic
from bot.content.repository import FALLBACK_LANGUAGE, ContentError, check_lang
from bot.content.workflow import TextKind, TextState
from bot.db import forget_after_commit, session_scope, within
from bot.settings import get_settings
from bot.staff.audit import record
from bot.staff.models import TurnRecord

FAQ_FIELDS = ("question", "answer", "sources", "valid_as_of", "review_status", "review_note", "last_reviewed")
MAX_PHRASING_CHARS = 500
ENTRY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
FAQS = TextKind(FaqVersion, "faq", FAQ_FIELDS, ("question", "answer"), "a FAQ entry", "FAQ")


@dataclass(frozen=True)
class Faq:
    slug: str
    topic_id: str
    lang: str  # language of this text (Spanish when the one asked for is missing: see `is_fallback`)
    version: int
    status: str
    question: str
    answer: str
    sources: tuple[dict, ...]
    valid_as_of: Optional[str]
    review_status: str
    review_note: str
    last_reviewed: Optional[dt.date]
    origin: str
    created_by: str
    created_at: dt.datetime
    is_fallback: bool = False
    published_at: Optional[dt.datetime] = None
    submitted_by: Optional[str] = None
    submitted_at: Optional[dt.datetime] = None
    reviewed_by: Optional[str] = None
    review_comment: str = ""

    @property
    def title(self) -> str:
        return self.question

    def content_fields(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in FAQ_FIELDS}
        values["sources"] = [dict(s) for s in self.sources]
        return values


@dataclass(frozen=True)
class PhrasingView:
    id: int
    topic_id: str
    entry_slug: Optional[str]
    lang: Optional[str]
    text: str
    origin: str


def _faq_view(row: FaqVersion, entry: FaqEntry, is_fallback: bool = False) -> Faq:
    return Faq(entry.slug, entry.topic_id, row.lang, row.version, row.status, row.question, row.answer,
               tuple(row.sources or ()), row.valid_as_of, row.review_status, row.review_note or "",
               row.last_reviewed, row.origin, row.created_by, row.created_at, is_fallback, row.published_at,
               row.submitted_by, row.submitted_at, row.reviewed_by, row.review_comment or "")


def _text(entry: FaqEntry, lang: str) -> tuple[dict[str, Any], str]:
    """The columns naming one FAQ text, and its name in messages and the audit log."""
    return {"entry_id": entry.id, "lang": lang}, workflow.target_id(entry.slug, lang)


def split_target(target: str) -> tuple[str, Optional[str]]:
    """"labour.h2a/family" -> ("labour.h2a", "labour.h2a/family"); "labour.h2a" -> ("labour.h2a", None)."""
    topic_id = target.split("/", 1)[0]
    return topic_id, (target if "/" in target else None)


# Published entries per (database, language), shared by every repository in the process (the bot's actions).
PUBLISHED_CHECK_SECONDS = 1.0
_SNAPSHOTS: dict[tuple[str, str], tuple[float, tuple, list[Faq]]] = {}
_SNAPSHOT_LOCK = threading.Lock()
_FAQ_TABLES = (FaqEntry, FaqVersion, Phrasing)


def _forget_snapshots() -> None:
    with _SNAPSHOT_LOCK:
        _SNAPSHOTS.clear()


# A change made in this process is seen by its next read at once (other processes: within a second).
forget_after_commit(_FAQ_TABLES, _forget_snapshots, "faq")


class FaqRepository:
    """Read and change FAQ entries and phrasings. `database_url=None` uses the configured database; `session`,
    when given, makes every call part of that session's transaction."""

    def __init__(self, database_url: Optional[str] = None, session: Optional[Session] = None):
        self.database_url = database_url
        self._shared_session = session  # given: every call joins that session's transaction

    def _session(self):
        if self._shared_session is not None:
            return within(self._shared_session)
        return session_scope(self.database_url)

    @staticmethod
    def _entry(session, slug: str) -> FaqEntry:
        entry = session.scalars(select(FaqEntry).where(FaqEntry.slug == slug)).first()
        if entry is None:
            raise ContentError(f"unknown FAQ entry {slug!r}")
        return entry

    # --- entries and their versions -----------------------------------------------------------------------
    def upsert_entry(self, slug: str, topic_id: str, position: int = 0, active: bool = True) -> bool:
        """Create or update an entry. Returns True when something changed."""
        if split_target(slug) != (topic_id, slug):
            raise ContentError(f"an entry id is its topic, a slash and a name: {slug!r} under {topic_id!r}")
        with self._session() as s:
            if s.get(Topic, topic_id) is None:
                raise ContentError(f"unknown topic {topic_id!r}")
            entry = s.scalars(select(FaqEntry).where(FaqEntry.slug == slug)).first()
            if entry is None:
                s.add(FaqEntry(slug=slug, topic_id=topic_id, position=position, active=active))
                return True
            changed = (entry.position, entry.active) != (position, active)
            entry.position, entry.active = position, active
            return changed

    def create_entry(self, topic_id: str, name: str, by: str) -> str:
        """A new entry "topic/name" under a topic (the console); its texts are then drafted like answers."""
        name = (name or "").strip().lower()
        if not ENTRY_NAME.match(name):
            raise ContentError("the short name uses lowercase letters, digits and hyphens (e.g. family-visa)")
        slug = f"{topic_id}/{name}"
        with self._session() as s:
            if s.get(Topic, topic_id) is None:
                raise ContentError(f"unknown topic {topic_id!r}")
            if s.scalars(select(FaqEntry.id).where(FaqEntry.slug == slug)).first() is not None:
                raise ContentError(f"the FAQ entry {slug} already exists")
            position = s.scalar(select(func.count(FaqEntry.id)).where(FaqEntry.topic_id == topic_id)) or 0
            s.add(FaqEntry(slug=slug, topic_id=topic_id, position=position))
            record(s, by, "faq.create", "faq", slug, None, {"slug": slug, "topic_id": topic_id})
        return slug

    def entries(self, topic_id: Optional[str] = None) -> list[tuple[str, str]]:
        """(slug, topic id) of every entry (of a topic), in order."""
        with self._session() as s:
            query = select(FaqEntry.slug, FaqEntry.topic_id).order_by(FaqEntry.topic_id, FaqEntry.position,
                                                                      FaqEntry.id)
            if topic_id:
                query = query.where(FaqEntry.topic_id == topic_id)
            return [tuple(row) for row in s.execute(query)]

    def save_draft(self, slug: str, lang: str, fields: dict[str, Any], created_by: str = "staff",
                   origin: str = "staff", base_version: Optional[int] = None) -> Faq:
        """Add a draft version; fields not given are copied from the latest version. With `base_version`, a
        newer save by someone else raises ConflictError (see ContentRepository.save_draft)."""
        check_lang(lang, self.database_url)
        with self._session() as s:
            entry = self._entry(s, slug)
            row = workflow.save_draft(s, FAQS, *_text(entry, lang), fields, created_by, origin, base_version)
            return _faq_view(row, entry)

    def submit(self, slug: str, lang: str, version: int, by: str) -> Faq:
        with self._session() as s:
            entry = self._entry(s, slug)
            return _faq_view(workflow.submit(s, FAQS, *_text(entry, lang), version, by), entry)

    def approve(self, slug: str, lang: str, version: int, by: str, comment: str = "") -> Faq:
        with self._session() as s:
            entry = self._entry(s, slug)
            return _faq_view(workflow.approve(s, FAQS, *_text(entry, lang), version, by, comment), entry)

    def request_changes(self, slug: str, lang: str, version: int, by: str, comment: str) -> Faq:
        with self._session() as s:
            entry = self._entry(s, slug)
            return _faq_view(workflow.request_changes(s, FAQS, *_text(entry, lang), version, by, comment), entry)

    def publish(self, slug: str, lang: str, version: int, published_by: str = "staff") -> Faq:
        with self._session() as s:
            entry = self._entry(s, slug)
            return _faq_view(workflow.publish(s, FAQS, *_text(entry, lang), version, published_by), entry)

    def history(self, slug: str, lang: str) -> list[Faq]:
        with self._session() as s:
            entry = self._entry(s, slug)
            return [_faq_view(r, entry) for r in versions.history(s, FaqVersion, {"entry_id": entry.id, "lang": lang})]

    def latest(self, slug: str, lang: str) -> Optional[Faq]:
        history = self.history(slug, lang)
        return history[0] if history else None

    def version(self, slug: str, lang: str, version: int) -> Optional[Faq]:
        return next((f for f in self.history(slug, lang) if f.version == version), None)

    def rollback(self, slug: str, lang: str, version: int, by: str = "staff") -> Faq:
        """Publish a new version whose content is a copy of `version`."""
        with self._session() as s:
            entry = self._entry(s, slug)
            return _faq_view(workflow.rollback(s, FAQS, *_text(entry, lang), version, by), entry)

    def faq_states(self) -> list[TextState]:
        """Where every FAQ text stands (see ContentRepository.answer_states)."""
        with self._session() as s:
            entries = {e.id: (e.slug, e.topic_id) for e in s.scalars(select(FaqEntry))}
            return workflow.states(s.scalars(select(FaqVersion)).all(), "faq", entries, "entry_id")

    def _published(self, lang: str, *conditions) -> list[Faq]:
        """Published entries in `lang`, Spanish where `lang` is missing, in topic and position order."""
        wanted = [lang] if lang == FALLBACK_LANGUAGE else [lang, FALLBACK_LANGUAGE]
        with self._session() as s:
            rows = s.execute(
                select(FaqVersion, FaqEntry)
                .join(FaqEntry, FaqEntry.id == FaqVersion.entry_id)
                .where(FaqVersion.status == PUBLISHED, FaqVersion.lang.in_(wanted), FaqEntry.active.is_(True),
                       *conditions)
                .order_by(FaqEntry.topic_id, FaqEntry.position, FaqEntry.id)
            ).all()
        chosen: dict[str, Faq] = {}
        for row, entry in rows:
            if row.lang == lang or entry.slug not in chosen:
                chosen[entry.slug] = _faq_view(row, entry, is_fallback=row.lang != lang)
        return list(chosen.values())

    def _published_now(self, lang: str) -> list[Faq]:
        """Every published entry in `lang` (with Spanish fallback), from a per-process snapshot that is read
        again when the revision changes, checked at most once a second: the bot reads entries several times per
        message, staff publish a few times a day. Inside a caller's session, always read from the database."""
        if self._shared_session is not None:
            return self._published(lang)
        key = (self.database_url or get_settings().database_url, lang)
        with _SNAPSHOT_LOCK:
            snapshot = _SNAPSHOTS.get(key)
            now = time.monotonic()
            if snapshot is None or now - snapshot[0] >= PUBLISHED_CHECK_SECONDS:
                revision = self.revision()
                if snapshot is None or revision != snapshot[1]:
                    snapshot = (now, revision, self._published(lang))
                else:
                    snapshot = (now, *snapshot[1:])
                _SNAPSHOTS[key] = snapshot
            return snapshot[2]

    def get(self, slug: str, lang: str) -> Optional[Faq]:
        """The published entry in `lang` (Spanish if not translated), or None."""
        return next((f for f in self._published_now(lang) if f.slug == slug), None)

    def for_topic(self, topic_id: str, lang: str) -> list[Faq]:
        return [f for f in self._published_now(lang) if f.topic_id == topic_id]

    def questions(self, slugs: Sequence[str], lang: str) -> dict[str, str]:
        """Published questions for option titles, in `lang` with Spanish fallback."""
        wanted = set(slugs)
        return {f.slug: f.question for f in self._published_now(lang) if f.slug in wanted} if wanted else {}

    def coverage(self) -> dict[str, set[str]]:
        """entry slug -> languages with a published text (missing translations show as gaps)."""
        with self._session() as s:
            rows = s.execute(
                select(FaqEntry.slug, FaqVersion.lang).join(FaqVersion, FaqVersion.entry_id == FaqEntry.id)
                .where(FaqVersion.status == PUBLISHED)
            ).all()
        result: dict[str, set[str]] = {}
        for slug, lang in rows:
            result.setdefault(slug, set()).add(lang)
        return result

    # --- phrasings ----------------------------------------------------------------------------------------
    def add_phrasing(self, target: str, text: str, lang: Optional[str] = None, origin: str = "staff",
                     by: Optional[str] = None) -> bool:
        """Add a way of asking about a topic ("labour.h2a") or an entry ("labour.h2a/family").
        Returns False when the same phrasing is already there. With `by` (a staff member), audited."""
        text = " ".join((text or "").split())
        if not text or len(text) > MAX_PHRASING_CHARS:
            raise ContentError(f"a phrasing needs 1 to {MAX_PHRASING_CHARS} characters")
        if lang is not None:
            check_lang(lang, self.database_url)
        topic_id, slug = split_target(target)
        with self._session() as s:
            if s.get(Topic, topic_id) is None:
                raise ContentError(f"unknown topic {topic_id!r}")
            entry_id = self._entry(s, slug).id if slug else None
            duplicate = s.scalars(select(Phrasing.id).where(
                Phrasing.topic_id == topic_id, Phrasing.entry_id.is_(None) if entry_id is None
                else Phrasing.entry_id == entry_id, func.lower(Phrasing.text) == text.lower())).first()
            if duplicate is not None:
                return False
            s.add(Phrasing(topic_id=topic_id, entry_id=entry_id, lang=lang, text=text, origin=origin))
            if by:
                record(s, by, "phrasing.add", "phrasing", target, None, {"text": text, "lang": lang})
            return True

    def phrasings_of(self, target: str) -> list[PhrasingView]:
        """The phrasings of one entry ("labour.h2a/family") or of a topic itself ("labour.h2a"), oldest first."""
        topic_id, slug = split_target(target)
        with self._session() as s:
            query = select(Phrasing).where(Phrasing.topic_id == topic_id).order_by(Phrasing.id)
            query = query.where(Phrasing.entry_id == self._entry(s, slug).id) if slug else \
                query.where(Phrasing.entry_id.is_(None))
            return [PhrasingView(p.id, p.topic_id, slug, p.lang, p.text, p.origin) for p in s.scalars(query)]

    def delete_phrasing(self, phrasing_id: int, by: str) -> PhrasingView:
        """Remove a phrasing (audited with its text); the matcher stops using it on the next message."""
        with self._session() as s:
            row = s.get(Phrasing, phrasing_id)
            if row is None:
                raise ContentError(f"no phrasing {phrasing_id}")
            slug = s.scalar(select(FaqEntry.slug).where(FaqEntry.id == row.entry_id)) if row.entry_id else None
            view = PhrasingView(row.id, row.topic_id, slug, row.lang, row.text, row.origin)
            s.delete(row)
            record(s, by, "phrasing.delete", "phrasing", slug or row.topic_id,
                   {"id": row.id, "text": row.text, "lang": row.lang, "origin": row.origin}, None)
            return view

    def phrasing_match_counts(self, since: Optional[dt.datetime] = None) -> dict[int, int]:
        """phrasing id -> how many turns matched it (turn_log.phrasing_id)."""
        with self._session() as s:
            query = select(TurnRecord.phrasing_id, func.count(TurnRecord.id)).where(
                TurnRecord.phrasing_id.is_not(None)).group_by(TurnRecord.phrasing_id)
            if since is not None:
                query = query.where(TurnRecord.at >= since)
            return {int(pid): int(count) for pid, count in s.execute(query)}

    def add_phrasings(self, items: Sequence[tuple[str, str, Optional[str]]], origin: str) -> int:
        """Add many (target, text, lang) phrasings in one session, skipping those already there (content
        pack loading). Returns how many were added."""
        with self._session() as s:
            entry_ids = dict(s.execute(select(FaqEntry.slug, FaqEntry.id)).all())
            topics = set(s.scalars(select(Topic.id)))
            seen = {(t, e, text.lower()) for t, e, text in s.execute(
                select(Phrasing.topic_id, Phrasing.entry_id, Phrasing.text)).all()}
            added = 0
            for target, raw_text, lang in items:
                text = " ".join((raw_text or "").split())[:MAX_PHRASING_CHARS]
                topic_id, slug = split_target(target)
                if not text or topic_id not in topics or (slug and slug not in entry_ids):
                    raise ContentError(f"cannot add a phrasing to {target!r}")
                key = (topic_id, entry_ids.get(slug) if slug else None, text.lower())
                if key in seen:
                    continue
                seen.add(key)
                s.add(Phrasing(topic_id=topic_id, entry_id=key[1], lang=lang, text=text, origin=origin))
                added += 1
            return added

    def phrasings(self, origin: Optional[str] = None) -> list[PhrasingView]:
        with self._session() as s:
            query = (select(Phrasing, FaqEntry.slug).outerjoin(FaqEntry, FaqEntry.id == Phrasing.entry_id)
                     .order_by(Phrasing.id))
            if origin:
                query = query.where(Phrasing.origin == origin)
            return [PhrasingView(p.id, p.topic_id, slug, p.lang, p.text, p.origin) for p, slug in s.execute(query)]

    def index_rows(self) -> list[tuple[str, Optional[str], str, Optional[int]]]:
        """(topic id, entry slug or None, text, phrasing id) for the matcher: every phrasing of an active entry
        or topic (with its id), and every published question (phrasing id None)."""
        with self._session() as s:
            phrasings = s.execute(
                select(Phrasing.topic_id, FaqEntry.slug, Phrasing.text, Phrasing.id)
                .outerjoin(FaqEntry, FaqEntry.id == Phrasing.entry_id)
                .where((FaqEntry.id.is_(None)) | FaqEntry.active.is_(True))
                .order_by(Phrasing.id)
            ).all()
            questions = s.execute(
                select(FaqEntry.topic_id, FaqEntry.slug, FaqVersion.question)
                .join(FaqVersion, FaqVersion.entry_id == FaqEntry.id)
                .where(FaqVersion.status == PUBLISHED, FaqEntry.active.is_(True))
                .order_by(FaqVersion.id)
            ).all()
        return [tuple(row) for row in phrasings] + [(*row, None) for row in questions]

    def revision(self) -> tuple:
        """Changes whenever a phrasing, a published text or an entry's state changes (cheap to ask). Sums of
        ids, not only counts: one entry can be switched off as another is switched on."""
        with self._session() as s:
            phrasing = s.execute(select(func.count(Phrasing.id), func.max(Phrasing.id), func.sum(Phrasing.id))).one()
            published = s.execute(select(func.count(FaqVersion.id), func.sum(FaqVersion.id))
                                  .where(FaqVersion.status == PUBLISHED)).one()
            entries = s.execute(select(func.count(FaqEntry.id), func.sum(FaqEntry.id))
                                .where(FaqEntry.active.is_(True))).one()
        return tuple(phrasing) + tuple(published) + tuple(entries)

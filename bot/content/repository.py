"""The content repository: the only way actions, the CLI and (later) the staff console read or change content.

Each method opens one short-lived session and returns plain frozen dataclasses, never ORM objects, so no
caller holds a connection or builds SQL. Errors from the database (e.g. it is down) propagate as
`sqlalchemy.exc.SQLAlchemyError`; callers that talk to users turn them into a kind reply.

    repo = ContentRepository()                 # DATABASE_URL from settings
    answer = repo.get_answer("labour.h2a", "en")   # published, falls back to Spanish
    v = repo.save_draft("labour.h2a", "es", {"body": "..."}, created_by="ana")
    repo.publish("labour.h2a", "es", v.version, published_by="ana")

FAQ entries and phrasings have their own repository (bot.content.faq.FaqRepository).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.content import versions, workflow
from bot.content.interface import LanguageRepository
from bot.content.models import (
    PUBLISHED,
    REVIEW_STATUSES,
    AnswerVersion,
    ServicePoint,
    Topic,
    UnansweredQuestion,
)
from bot.content.workflow import (  # noqa: F401 - the errors are part of this module's interface
    ConflictError,
    ContentError,
    OwnDraftError,
    ReviewError,
    TextKind,
    TextState,
)
from bot.db import session_scope, within
from bot.privacy import redact

FALLBACK_LANGUAGE = "es"
EDITABLE_FIELDS = (
    "title",
    "short",
    "body",
    "details",
    "follow_ups",
    "sources",
    "last_reviewed",
    "needs_review",
    "review_note",
    "review_status",
    "valid_as_of",
)


ANSWERS = TextKind(AnswerVersion, "answer", EDITABLE_FIELDS, ("title", "body"), "an answer", "answer")


def _text(topic_id: str, lang: str) -> tuple[dict[str, Any], str]:
    """The columns naming one answer, and its name in messages and the audit log."""
    return {"topic_id": topic_id, "lang": lang}, workflow.target_id(topic_id, lang)


@dataclass(frozen=True)
class TopicView:
    id: str
    area: str
    description: str
    menu_order: int


@dataclass(frozen=True)
class Answer:
    topic_id: str
    lang: str  # language of this text (may differ from the one asked for: see `is_fallback`)
    version: int
    status: str
    title: str
    short: str
    body: str
    details: Optional[str]
    follow_ups: tuple[str, ...]
    sources: tuple[dict, ...]
    last_reviewed: Optional[dt.date]
    needs_review: bool
    review_note: str
    review_status: str
    valid_as_of: Optional[str]
    origin: str
    created_by: str
    created_at: dt.datetime
    is_fallback: bool = False
    published_at: Optional[dt.datetime] = None
    submitted_by: Optional[str] = None
    submitted_at: Optional[dt.datetime] = None
    reviewed_by: Optional[str] = None
    review_comment: str = ""

    def content_fields(self) -> dict[str, Any]:
        """The editable fields, as plain lists and dicts (comparable with a pack or form)."""
        values = {name: getattr(self, name) for name in EDITABLE_FIELDS}
        values["follow_ups"] = list(self.follow_ups)
        values["sources"] = [dict(s) for s in self.sources]
        return values


@dataclass(frozen=True)
class ServicePointView:
    slug: str
    name: str
    kind: str
    department: Optional[str]
    municipality: Optional[str]
    address: Optional[str]
    latitude: Optional[float]
    longitude: Optional[float]
    location_precision: Optional[str]
    phone: Optional[str]
    hours: Optional[str]
    languages: tuple[str, ...]
    services: tuple[str, ...]
    source: str
    source_id: Optional[str]
    last_verified: Optional[dt.date]
    needs_review: bool
    review_status: str
    review_note: str
    serves: tuple[str, ...]
    walk_in: bool
    distance_km: Optional[float] = None


@dataclass(frozen=True)
class UnansweredView:
    id: int
    text: str
    lang: Optional[str]
    channel: Optional[str]
    top_guesses: tuple[dict, ...]
    created_at: dt.datetime


def _answer_view(row: AnswerVersion, is_fallback: bool = False) -> Answer:
    return Answer(
        topic_id=row.topic_id,
        lang=row.lang,
        version=row.version,
        status=row.status,
        title=row.title,
        short=row.short or "",
        body=row.body,
        details=row.details or None,
        follow_ups=tuple(row.follow_ups or ()),
        sources=tuple(row.sources or ()),
        last_reviewed=row.last_reviewed,
        needs_review=bool(row.needs_review),
        review_note=row.review_note or "",
        review_status=row.review_status,
        valid_as_of=row.valid_as_of,
        origin=row.origin,
        created_by=row.created_by,
        created_at=row.created_at,
        is_fallback=is_fallback,
        published_at=row.published_at,
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        reviewed_by=row.reviewed_by,
        review_comment=row.review_comment or "",
    )


_SERVICE_FIELDS = [f.name for f in dataclasses.fields(ServicePointView) if f.name != "distance_km"]


def _service_view(row: ServicePoint, distance_km: Optional[float] = None) -> ServicePointView:
    values = {name: getattr(row, name) for name in _SERVICE_FIELDS}
    for name in ("languages", "services", "serves"):
        values[name] = tuple(values[name] or ())
    return ServicePointView(**values, distance_km=distance_km)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def check_lang(lang: str, database_url: Optional[str] = None) -> None:
    """A language of the languages table (bot.content.interface): Spanish and English, the Mayan languages of
    the migrations, and any language staff add in the console. No list here: a new language needs no code."""
    if not LanguageRepository(database_url).is_defined(lang):
        raise ContentError(f"unsupported language {lang!r}; add it in the console's languages first")


def check_review_status(status: str) -> None:
    if status not in REVIEW_STATUSES:
        raise ContentError(f"review status must be one of {REVIEW_STATUSES}, not {status!r}")


class ContentRepository:
    """Read and change content. `database_url=None` uses the configured database; `session`, when given, makes
    every call part of that session's transaction."""

    def __init__(self, database_url: Optional[str] = None, session: Optional[Session] = None):
        self.database_url = database_url
        self._shared_session = session  # given: every call joins that session's transaction

    def _session(self):
        if self._shared_session is not None:
            return within(self._shared_session)
        return session_scope(self.database_url)

    # --- topics -------------------------------------------------------------------------------------
    def upsert_topic(self, topic_id: str, area: str, description: str = "", menu_order: int = 0) -> bool:
        """Create or update a topic. Returns True when something changed."""
        with self._session() as s:
            topic = s.get(Topic, topic_id)
            if topic is None:
                s.add(Topic(id=topic_id, area=area, description=description, menu_order=menu_order))
                return True
            changed = (topic.area, topic.description, topic.menu_order) != (area, description, menu_order)
            topic.area, topic.description, topic.menu_order = area, description, menu_order
            return changed

    def list_topics(self, area: Optional[str] = None) -> list[TopicView]:
        with self._session() as s:
            query = select(Topic).order_by(Topic.menu_order, Topic.id)
            if area is not None:
                query = query.where(Topic.area == area)
            return [TopicView(t.id, t.area, t.description, t.menu_order) for t in s.scalars(query)]

    # --- answers ------------------------------------------------------------------------------------
    def get_answer(self, topic_id: str, lang: str, fallback: bool = True) -> Optional[Answer]:
        """The published answer in `lang`, else (if `fallback`) the Spanish one, else None."""
        with self._session() as s:
            wanted = [lang] + ([FALLBACK_LANGUAGE] if fallback and lang != FALLBACK_LANGUAGE else [])
            rows = s.scalars(
                select(AnswerVersion).where(
                    AnswerVersion.topic_id == topic_id,
                    AnswerVersion.status == PUBLISHED,
                    AnswerVersion.lang.in_(wanted),
                )
            ).all()
            by_lang = {row.lang: row for row in rows}
            for candidate in wanted:
                if candidate in by_lang:
                    return _answer_view(by_lang[candidate], is_fallback=candidate != lang)
            return None

    def titles(self, topic_ids: Sequence[str], lang: str) -> dict[str, str]:
        """Published titles for menus, in `lang` with Spanish fallback. Missing topics are left out."""
        if not topic_ids:
            return {}
        with self._session() as s:
            rows = s.execute(
                select(AnswerVersion.topic_id, AnswerVersion.lang, AnswerVersion.title).where(
                    AnswerVersion.topic_id.in_(list(topic_ids)),
                    AnswerVersion.status == PUBLISHED,
                    AnswerVersion.lang.in_({lang, FALLBACK_LANGUAGE}),
                )
            ).all()
        titles: dict[str, str] = {}
        for topic_id, row_lang, title in rows:
            if row_lang == lang or topic_id not in titles:
                titles[topic_id] = title
        return titles

    def follow_ups(self, topic_id: str, follow_ups: Sequence[str], lang: str) -> list[tuple[str, str]]:
        """(topic_id, title) of an answer's follow-up topics that are published, in its order, without itself:
        the options after the answer, shown and read aloud (bot/audio/script.py)."""
        titles = self.titles(follow_ups, lang)
        return [(t, titles[t]) for t in follow_ups if t in titles and t != topic_id]

    def menu(self, area: str, lang: str) -> list[tuple[str, str]]:
        """(topic_id, title) of the published topics of an area, in menu order."""
        topic_ids = [t.id for t in self.list_topics(area)]
        titles = self.titles(topic_ids, lang)
        return [(tid, titles[tid]) for tid in topic_ids if tid in titles]

    def history(self, topic_id: str, lang: str) -> list[Answer]:
        """Every version, newest first."""
        with self._session() as s:
            return [_answer_view(r) for r in versions.history(s, AnswerVersion, {"topic_id": topic_id, "lang": lang})]

    def version(self, topic_id: str, lang: str, version: int) -> Optional[Answer]:
        return next((a for a in self.history(topic_id, lang) if a.version == version), None)

    def latest(self, topic_id: str, lang: str) -> Optional[Answer]:
        """The newest version, whatever its state (what an editor continues from)."""
        history = self.history(topic_id, lang)
        return history[0] if history else None

    def save_draft(
        self,
        topic_id: str,
        lang: str,
        fields: dict[str, Any],
        created_by: str = "staff",
        origin: str = "staff",
        base_version: Optional[int] = None,
    ) -> Answer:
        """Add a new draft version. Fields not given are copied from the latest version. With `base_version`
        (the latest version when the editor opened it; 0 for none), a newer save by someone else raises
        ConflictError and nothing is saved."""
        check_lang(lang, self.database_url)
        with self._session() as s:
            if s.get(Topic, topic_id) is None:
                raise ContentError(f"unknown topic {topic_id!r}")
            row = workflow.save_draft(s, ANSWERS, *_text(topic_id, lang), fields, created_by, origin, base_version)
            return _answer_view(row)

    def submit(self, topic_id: str, lang: str, version: int, by: str) -> Answer:
        """Draft -> submitted: a reviewer must now approve it."""
        with self._session() as s:
            return _answer_view(workflow.submit(s, ANSWERS, *_text(topic_id, lang), version, by))

    def approve(self, topic_id: str, lang: str, version: int, by: str, comment: str = "") -> Answer:
        """Publish a submitted version. Refused (OwnDraftError) when `by` wrote or submitted it."""
        with self._session() as s:
            return _answer_view(workflow.approve(s, ANSWERS, *_text(topic_id, lang), version, by, comment))

    def request_changes(self, topic_id: str, lang: str, version: int, by: str, comment: str) -> Answer:
        """Submitted -> draft, with the reviewer's comment."""
        with self._session() as s:
            return _answer_view(workflow.request_changes(s, ANSWERS, *_text(topic_id, lang), version, by, comment))

    def publish(self, topic_id: str, lang: str, version: int, published_by: str = "staff") -> Answer:
        """Make `version` the live answer; the previously published one is archived."""
        with self._session() as s:
            return _answer_view(workflow.publish(s, ANSWERS, *_text(topic_id, lang), version, published_by))

    def rollback(self, topic_id: str, lang: str, version: int, by: str = "staff") -> Answer:
        """Publish a new version whose content is a copy of `version`."""
        with self._session() as s:
            return _answer_view(workflow.rollback(s, ANSWERS, *_text(topic_id, lang), version, by))

    def answer_states(self) -> list[TextState]:
        """Where every answer stands (latest and published version, review status, date, waiting review)."""
        with self._session() as s:
            topics = {t.id: (t.id, t.id) for t in s.scalars(select(Topic))}
            return workflow.states(s.scalars(select(AnswerVersion)).all(), "answer", topics, "topic_id")

    def coverage(self) -> dict[str, set[str]]:
        """topic id -> languages with a published answer."""
        with self._session() as s:
            rows = s.execute(
                select(AnswerVersion.topic_id, AnswerVersion.lang).where(AnswerVersion.status == PUBLISHED)
            ).all()
        result: dict[str, set[str]] = {}
        for topic_id, lang in rows:
            result.setdefault(topic_id, set()).add(lang)
        return result

    # --- service points -----------------------------------------------------------------------------
    def upsert_service_point(self, values: dict[str, Any]) -> bool:
        """Create or update a service point by slug. Returns True when something changed."""
        values = dict(values)
        slug = values.pop("slug")
        unknown = set(values) - set(_SERVICE_FIELDS) - {"active"}
        if unknown:
            raise ContentError(f"unknown service point fields: {sorted(unknown)}")
        with self._session() as s:
            row = s.scalars(select(ServicePoint).where(ServicePoint.slug == slug)).first()
            if row is None:
                s.add(ServicePoint(slug=slug, **values))
                return True
            changed = any(getattr(row, k) != v for k, v in values.items())
            if changed:
                for key, value in values.items():
                    setattr(row, key, value)
            return changed

    def service_points(
        self, kind: Optional[str] = None, department: Optional[str] = None
    ) -> list[ServicePointView]:
        with self._session() as s:
            query = select(ServicePoint).where(ServicePoint.active.is_(True)).order_by(ServicePoint.name)
            if kind:
                query = query.where(ServicePoint.kind == kind)
            if department:
                query = query.where(func.lower(ServicePoint.department) == department.lower())
            return [_service_view(r) for r in s.scalars(query)]

    def nearest_service_points(
        self, latitude: float, longitude: float, limit: int = 3, kinds: Optional[Iterable[str]] = None,
        serving: Optional[str] = None, walk_in_only: bool = True,
    ) -> list[ServicePointView]:
        """Active service points with coordinates, nearest first (straight-line distance).

        Only places a person can walk into, unless `walk_in_only` is False (reception centres and children's
        shelters receive people who are brought there); with `serving` ("returnees", "in_transit",
        "children"...), only places that serve such a person or everyone."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ContentError("coordinates out of range")
        with self._session() as s:
            query = select(ServicePoint).where(
                ServicePoint.active.is_(True),
                ServicePoint.latitude.is_not(None),
                ServicePoint.longitude.is_not(None),
            )
            if kinds:
                query = query.where(ServicePoint.kind.in_(list(kinds)))
            if walk_in_only:
                query = query.where(ServicePoint.walk_in.is_(True))
            rows = [r for r in s.scalars(query)
                    if serving is None or not r.serves or {serving, "everyone"} & set(r.serves)]
        ranked = sorted(
            ((haversine_km(latitude, longitude, r.latitude, r.longitude), r) for r in rows),
            key=lambda pair: pair[0],
        )
        return [_service_view(r, round(d, 1)) for d, r in ranked[:limit]]

    # --- unanswered questions -----------------------------------------------------------------------
    def log_unanswered(
        self,
        text: str,
        lang: Optional[str],
        channel: Optional[str],
        top_guesses: Sequence[dict] = (),
        max_length: int = 1000,
        sender_id: Optional[str] = None,
    ) -> None:
        """Store a question the assistant could not answer, with personal data redacted. `sender_id` (the
        conversation's pseudonym) lets the question be deleted with the person's other data."""
        guesses = [
            {"name": str(g.get("name")), "confidence": round(float(g.get("confidence") or 0), 4)}
            for g in list(top_guesses)[:3]
        ]
        with self._session() as s:
            s.add(
                UnansweredQuestion(
                    text=redact(text)[:max_length],
                    lang=lang,
                    channel=(channel or None) and channel[:40],
                    top_guesses=guesses,
                    sender_id=(sender_id or None) and sender_id[:80],
                )
            )

    def unanswered(self, limit: int = 50) -> list[UnansweredView]:
        with self._session() as s:
            rows = s.scalars(
                select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(limit)
            ).all()
            return [
                UnansweredView(r.id, r.text, r.lang, r.channel, tuple(r.top_guesses or ()), r.created_at)
                for r in rows
            ]

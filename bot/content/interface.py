"""Languages as data: which languages exist, which are offered to users, and the interface texts of each.

A language is a row (code, autonym, offered). Interface texts (menus, apologies, consent, buttons) are versioned
per key and language like answers: staff save drafts in the console and publish them (audited). The Spanish and
English texts in bot/language/texts.py are the seed (`seed_interface_texts`, run by `bot content load`) and the
last resort when the database is away.

The bot reads a per-process `Catalog` (published texts, languages, which languages have the safety answers),
read again when its revision changes, checked at most once a second, like the FAQ snapshot (bot.content.faq).
A language is in the language menu when it is offered, every interface text is published in it and the safety
answers (SAFETY_TOPICS) are published in it: a person who picks it gets everything in it.

    languages = LanguageRepository()
    languages.add("quc", "K'iche'", by="ana")
    languages.save_drafts("quc", {"greeting": "..."}, by="ana")
    languages.publish_drafts("quc", by="ana")
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from bot.content import versions
from bot.content.models import DRAFT, PUBLISHED, AnswerVersion
from bot.content.topics import SAFETY_TOPICS
from bot.content.workflow import ContentError
from bot.db import Base, forget_after_commit, session_scope, utcnow
from bot.language.texts import SEED_TEXTS
from bot.settings import get_settings
from bot.staff.audit import record

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "es"
SEED_ORIGIN = "seed"
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")  # ISO 639-1/639-3, e.g. "es", "quc"
MAX_AUTONYM_CHARS = 60
MAX_TEXT_CHARS = 2000


class Language(Base):
    __tablename__ = "languages"

    code = Column(String(16), primary_key=True)  # ISO 639: "es", "en", "quc"
    autonym = Column(String(60), nullable=False)  # its name in itself: "Español", "K'iche'"
    offered = Column(Boolean, nullable=False, default=False)  # staff want it in the language menu
    created_at = Column(DateTime, nullable=False, default=utcnow)


class InterfaceTextVersion(Base):
    """One version of one interface text ("greeting") in one language; publishing archives the previous one."""

    __tablename__ = "interface_text_versions"
    __table_args__ = (
        UniqueConstraint("key", "lang", "version", name="uq_interface_text_version"),
        Index("uq_one_published_interface_text", "key", "lang", unique=True,
              sqlite_where=sql_text("status = 'published'"), postgresql_where=sql_text("status = 'published'")),
    )

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, index=True)
    lang = Column(String(16), nullable=False)
    version = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default=DRAFT)
    text = Column(Text, nullable=False)
    origin = Column(String(32), nullable=False, default="staff")  # "seed" (bot/language/texts.py) or "staff"
    created_by = Column(String(64), nullable=False, default="system")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    published_at = Column(DateTime, nullable=True)


@dataclass(frozen=True)
class LanguageView:
    code: str
    autonym: str
    offered: bool


@dataclass(frozen=True)
class Catalog:
    """What the bot reads of the interface, per database: published texts, languages, safety-ready languages."""

    texts: dict[tuple[str, str], str]  # (key, lang) -> published text
    languages: tuple[LanguageView, ...]
    safety_ready: frozenset[str]  # languages with every safety answer published

    def missing_keys(self, lang: str) -> list[str]:
        return missing_keys(self.texts, lang)

    def menu_languages(self) -> list[LanguageView]:
        """The language menu: offered, every interface text and the safety answers published."""
        return [language for language in self.languages
                if language.offered and language.code in self.safety_ready and not self.missing_keys(language.code)]


def missing_keys(published: dict[tuple[str, str], str], lang: str) -> list[str]:
    """Interface keys with no text in `lang`: neither published nor in the seed. A key whose Spanish text is
    empty on purpose (translation_missing: Spanish is the fallback itself) is only needed in other languages."""
    missing = []
    for key, seed in SEED_TEXTS.items():
        if published.get((key, lang)) or seed.get(lang):
            continue
        if lang == FALLBACK_LANGUAGE and not seed.get(FALLBACK_LANGUAGE):
            continue
        missing.append(key)
    return missing


def check_code(code: str) -> str:
    code = (code or "").strip().lower()
    if not LANGUAGE_CODE.match(code):
        raise ContentError("a language code is 2 or 3 lowercase letters (ISO 639), e.g. quc for K'iche'")
    return code


class LanguageRepository:
    """Read and change languages and interface texts. `database_url=None` uses the configured database."""

    def __init__(self, database_url: Optional[str] = None):
        self.database_url = database_url

    def _session(self):
        return session_scope(self.database_url)

    def languages(self) -> list[LanguageView]:
        with self._session() as s:
            return _languages(s)

    def is_defined(self, code: str) -> bool:
        with self._session() as s:
            return s.get(Language, code) is not None

    def add(self, code: str, autonym: str, by: str, offered: bool = False) -> LanguageView:
        code, autonym = check_code(code), " ".join((autonym or "").split())
        if not autonym or len(autonym) > MAX_AUTONYM_CHARS:
            raise ContentError(f"give the language's name in itself (at most {MAX_AUTONYM_CHARS} characters)")
        with self._session() as s:
            if s.get(Language, code) is not None:
                raise ContentError(f"the language {code} already exists")
            s.add(Language(code=code, autonym=autonym, offered=offered))
            record(s, by, "language.add", "language", code, None, {"autonym": autonym, "offered": offered})
        return LanguageView(code, autonym, offered)

    def set_offered(self, code: str, offered: bool, by: str) -> None:
        with self._session() as s:
            language = s.get(Language, code)
            if language is None:
                raise ContentError(f"unknown language {code!r}")
            if language.offered != offered:
                record(s, by, "language.offer", "language", code, {"offered": language.offered},
                       {"offered": offered})
                language.offered = offered

    def published(self, lang: str) -> dict[str, str]:
        """key -> published text in `lang`."""
        with self._session() as s:
            rows = s.execute(select(InterfaceTextVersion.key, InterfaceTextVersion.text).where(
                InterfaceTextVersion.lang == lang, InterfaceTextVersion.status == PUBLISHED)).all()
        return dict(rows)

    def drafts(self, lang: str) -> dict[str, str]:
        """key -> the text of the newest draft in `lang` newer than the published one."""
        with self._session() as s:
            rows = s.scalars(select(InterfaceTextVersion).where(
                InterfaceTextVersion.lang == lang, InterfaceTextVersion.status == DRAFT)
                .order_by(InterfaceTextVersion.version)).all()
        return {row.key: row.text for row in rows}

    def save_drafts(self, lang: str, texts: dict[str, str], by: str) -> list[str]:
        """A draft for every key whose text differs from its newest version; returns those keys."""
        unknown = set(texts) - set(SEED_TEXTS)
        if unknown:
            raise ContentError(f"unknown interface texts: {sorted(unknown)}")
        saved = []
        with self._session() as s:
            if s.get(Language, lang) is None:
                raise ContentError(f"unknown language {lang!r}")
            for key, value in texts.items():
                value = (value or "").strip()[:MAX_TEXT_CHARS]
                latest = versions.latest(s, InterfaceTextVersion, {"key": key, "lang": lang})
                if not value or (latest is not None and latest.text == value):
                    continue
                _check_placeholders(key, value)
                versions.add_draft(s, InterfaceTextVersion, {"key": key, "lang": lang}, {"text": value},
                                   origin="staff", created_by=by)
                saved.append(key)
            if saved:
                record(s, by, "interface.draft", "interface", lang, None, {"keys": saved})
        return saved

    def publish_drafts(self, lang: str, by: str) -> list[str]:
        """Publish the newest draft of every key in `lang` (audited with the texts before and after)."""
        with self._session() as s:
            drafts = s.scalars(select(InterfaceTextVersion).where(
                InterfaceTextVersion.lang == lang, InterfaceTextVersion.status == DRAFT)
                .order_by(InterfaceTextVersion.key, InterfaceTextVersion.version.desc())).all()
            newest: dict[str, InterfaceTextVersion] = {}
            for row in drafts:
                newest.setdefault(row.key, row)
            before = {key: text for key, text in s.execute(
                select(InterfaceTextVersion.key, InterfaceTextVersion.text).where(
                    InterfaceTextVersion.lang == lang, InterfaceTextVersion.status == PUBLISHED,
                    InterfaceTextVersion.key.in_(list(newest))))}
            for key, row in newest.items():
                versions.publish(s, InterfaceTextVersion, {"key": key, "lang": lang}, row.version)
            if newest:
                record(s, by, "interface.publish", "interface", lang, before,
                       {key: row.text for key, row in newest.items()})
        return sorted(newest)


def _check_placeholders(key: str, value: str) -> None:
    """A translation keeps the Spanish text's placeholders ({days}, {area}...), or filling them in fails."""
    wanted = set(re.findall(r"{(\w+)}", SEED_TEXTS[key][FALLBACK_LANGUAGE] or ""))
    found = set(re.findall(r"{(\w+)}", value))
    if found != wanted:
        raise ContentError(f"{key}: keep the placeholders {', '.join('{' + p + '}' for p in sorted(wanted))} "
                           "as they are" if wanted else f"{key}: this text has no placeholders in braces")


def _languages(session: Session) -> list[LanguageView]:
    return [LanguageView(row.code, row.autonym, row.offered) for row in
            session.scalars(select(Language).order_by(Language.created_at, Language.code))]


def seed_interface_texts(session: Session) -> int:
    """Publish the Spanish and English texts of bot/language/texts.py where the database has none, or where
    the published text is an older seed (a developer changed it); a text staff edited is kept. Idempotent.
    Returns how many texts were published."""
    published = 0
    for key, seed in SEED_TEXTS.items():
        for lang, value in seed.items():
            latest = versions.latest(session, InterfaceTextVersion, {"key": key, "lang": lang})
            if latest is not None and (latest.origin != SEED_ORIGIN or latest.text == value):
                continue
            row = versions.add_draft(session, InterfaceTextVersion, {"key": key, "lang": lang}, {"text": value},
                                     origin=SEED_ORIGIN, created_by=SEED_ORIGIN)
            versions.publish(session, InterfaceTextVersion, {"key": key, "lang": lang}, row.version)
            published += 1
    return published


# --- the per-process catalog -------------------------------------------------------------------------------
CHECK_SECONDS = 1.0
RETRY_AFTER_FAILURE_SECONDS = 30.0  # the database is away: use the last catalog (or the seed) meanwhile
_CATALOGS: dict[str, tuple[float, Optional[tuple], Optional[Catalog]]] = {}  # url -> (next check, revision, ...)
_CATALOG_LOCK = threading.Lock()
_WATCHED = (Language, InterfaceTextVersion, AnswerVersion)


def _forget_catalogs() -> None:
    with _CATALOG_LOCK:
        _CATALOGS.clear()


# A change made in this process is seen by its next read at once (other processes: within a second).
forget_after_commit(_WATCHED, _forget_catalogs, "interface")


def _revision(session: Session) -> tuple:
    texts = session.execute(select(func.count(InterfaceTextVersion.id), func.sum(InterfaceTextVersion.id))
                            .where(InterfaceTextVersion.status == PUBLISHED)).one()
    answers = session.execute(select(func.count(AnswerVersion.id), func.sum(AnswerVersion.id)).where(
        AnswerVersion.status == PUBLISHED, AnswerVersion.topic_id.in_(SAFETY_TOPICS))).one()
    languages = tuple(session.execute(select(Language.code, Language.autonym, Language.offered)
                                      .order_by(Language.code)).all())
    return (*texts, *answers, languages)


def _read(session: Session) -> Catalog:
    texts = {(key, lang): text for key, lang, text in session.execute(
        select(InterfaceTextVersion.key, InterfaceTextVersion.lang, InterfaceTextVersion.text)
        .where(InterfaceTextVersion.status == PUBLISHED))}
    safety = session.execute(select(AnswerVersion.lang, func.count(AnswerVersion.id)).where(
        AnswerVersion.status == PUBLISHED, AnswerVersion.topic_id.in_(SAFETY_TOPICS))
        .group_by(AnswerVersion.lang)).all()
    ready = frozenset(lang for lang, count in safety if count == len(SAFETY_TOPICS))
    return Catalog(texts, tuple(_languages(session)), ready)


def current_catalog(database_url: Optional[str] = None, refresh: bool = True) -> Optional[Catalog]:
    """The catalog of the database (None when it was never readable). With `refresh=False`, the catalog last
    read, without touching the database (the apology when it is down)."""
    url = database_url or get_settings().database_url
    with _CATALOG_LOCK:
        entry = _CATALOGS.get(url)
        if not refresh:
            return entry[2] if entry else None
        now = time.monotonic()
        if entry is None or now >= entry[0]:
            try:
                with session_scope(url) as session:
                    revision = _revision(session)
                    catalog = entry[2] if entry and entry[1] == revision else _read(session)
                entry = (now + CHECK_SECONDS, revision, catalog)
            except Exception as error:  # noqa: BLE001 - the seed texts answer meanwhile
                logger.warning("interface texts unreadable, using the last ones read (%s)", type(error).__name__)
                entry = (now + RETRY_AFTER_FAILURE_SECONDS, entry[1] if entry else None, entry[2] if entry else None)
            _CATALOGS[url] = entry
        return entry[2]


# Spanish is always in the menu: everything falls back to it. Without a readable database, English too.
SPANISH = LanguageView(FALLBACK_LANGUAGE, "Español", True)
WITHOUT_DATABASE = (SPANISH, LanguageView("en", "English", True))


def defined_languages(database_url: Optional[str] = None) -> list[LanguageView]:
    """Every language of the languages table, offered or not (Spanish and English without a readable database)."""
    catalog = current_catalog(database_url)
    return list(catalog.languages) if catalog is not None else list(WITHOUT_DATABASE)


def menu_languages(database_url: Optional[str] = None) -> list[LanguageView]:
    """The languages of the language menu, in the order they were added (Spanish first)."""
    catalog = current_catalog(database_url)
    if catalog is None:
        return list(WITHOUT_DATABASE)
    ready = catalog.menu_languages()
    spanish = next((language for language in catalog.languages if language.code == FALLBACK_LANGUAGE), SPANISH)
    return [spanish] + [language for language in ready if language.code != FALLBACK_LANGUAGE]

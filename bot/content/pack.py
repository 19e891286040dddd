"""The starter content pack (`content/`): reading, checking and loading it into the database.

    content/answers/<area>.yml   topic overviews: Spanish and English always, other languages when translated
    content/faq/<area>.yml       FAQ entries under the topics, with phrasings
    content/sources/<area>.yml   the sources registry: every page a fact comes from, with dates and quotes
    content/services.yml         service points
    content/languages.yml        optional: code and autonym of languages the texts use ({languages: [...]})

Every text must be in Spanish and English (REQUIRED_LANGUAGES); a text in any other language is checked by the
same rules when it is there. Languages are data (bot.content.interface): a text's language must be defined in
the database, or listed in languages.yml, and then loading adds it, defined and NOT offered (an admin offers it
in the console when its texts are ready; the addition is audited as by "content-pack"). The languages are added
just before the texts are loaded, so they stay if loading then fails. A language neither defined nor listed is a
problem and nothing is loaded: the pack does not say its name.

Loading is idempotent: a text gets a new version only when it changed in the pack, and a text that staff
edited in the database since the last load is left alone (reported as skipped) unless `force` is given.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.content.faq import FAQ_FIELDS, FaqRepository
from bot.content.interface import LANGUAGE_CODE, MAX_AUTONYM_CHARS, LanguageRepository, seed_interface_texts
from bot.content.models import BLOCKER, LANGUAGES, REVIEW_STATUSES
from bot.content.repository import EDITABLE_FIELDS, ContentRepository
from bot.db import session_scope

logger = logging.getLogger(__name__)

PACK_ORIGIN = "content-pack"
REQUIRED_LANGUAGES = LANGUAGES  # every topic and FAQ entry is answered in these; other languages are optional
ANY_LANGUAGE = "any"  # the phrasings key of phrasings in no particular language
AREA_FILES = ("labour", "pathways", "risks", "help", "reintegration", "other")
# Topic id prefix -> main-menu area.
MENU_AREA = {
    "labour": "labour",
    "pathways": "labour",
    "risks": "risks",
    "help": "help",
    "reintegration": "reintegration",
    "out_of_scope": "other",
}
LIMITS = {"title": 60, "short": 160, "body": 600, "details": 600}
FAQ_LIMITS = {"question": 200, "answer": 400}
REQUIRED = ("title", "short", "body", "follow_ups", "sources", "review_status")
SERVICE_REQUIRED = ("slug", "name", "kind", "source")
SOURCE_KEYS = ("id", "name", "url", "publisher", "page_date", "read_on")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Pack:
    topics: list[dict[str, Any]]
    service_points: list[dict[str, Any]]
    faqs: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # registry id -> entry
    languages: dict[str, str] = field(default_factory=dict)  # languages.yml: code -> autonym


@dataclass
class LoadReport:
    topics_changed: int = 0
    answers_created: list[str] = field(default_factory=list)
    answers_unchanged: int = 0
    answers_skipped: list[str] = field(default_factory=list)  # edited by staff
    services_changed: int = 0
    faqs_created: list[str] = field(default_factory=list)
    faqs_skipped: list[str] = field(default_factory=list)
    phrasings_added: int = 0
    languages_added: list[str] = field(default_factory=list)  # defined by this load, not offered

    def summary(self) -> str:
        added = (f"; languages added (not offered): {', '.join(self.languages_added)}"
                 if self.languages_added else "")
        return (
            f"topics changed: {self.topics_changed}; answers new/updated: {len(self.answers_created)}, "
            f"unchanged: {self.answers_unchanged}, kept staff edits: {len(self.answers_skipped)}; "
            f"FAQ texts new/updated: {len(self.faqs_created)}, kept staff edits: {len(self.faqs_skipped)}; "
            f"phrasings added: {self.phrasings_added}; service points changed: {self.services_changed}{added}"
        )


class PackError(ValueError):
    pass


def menu_area(topic_id: str) -> str:
    return MENU_AREA.get(topic_id.split(".")[0], "other")


def _yaml_files(directory: Path) -> list[Path]:
    """The area files first, in menu order, then any other .yml file."""
    names = [n for n in AREA_FILES if (directory / f"{n}.yml").exists()]
    names += sorted(p.stem for p in directory.glob("*.yml") if p.stem not in AREA_FILES)
    return [directory / f"{name}.yml" for name in names]


# libyaml's safe loader when PyYAML has it: the pack is thousands of lines.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}  # noqa: S506 - a safe loader


def read_pack(content_dir: Path) -> Pack:
    topics = [t for path in _yaml_files(content_dir / "answers") for t in _read(path).get("topics") or []]
    faqs = [f for path in _yaml_files(content_dir / "faq") for f in _read(path).get("faqs") or []]
    sources: dict[str, dict] = {}
    for path in _yaml_files(content_dir / "sources"):
        for entry in _read(path).get("sources") or []:
            sources.setdefault(str(entry.get("id")), entry)
    services_file = content_dir / "services.yml"
    services = (_read(services_file).get("service_points") or []) if services_file.exists() else []
    languages_file = content_dir / "languages.yml"
    listed = (_read(languages_file).get("languages") or []) if languages_file.exists() else []
    languages = {str(entry.get("code")): str(entry.get("autonym") or "") for entry in listed}
    return Pack(topics=topics, service_points=services, faqs=faqs, sources=sources, languages=languages)


def _in_order(codes) -> list[str]:
    """Language codes once each: the required languages first, then the others in the order met."""
    seen = dict.fromkeys(REQUIRED_LANGUAGES)
    seen.update(dict.fromkeys(str(code) for code in codes))
    return list(seen)


def answer_languages(topic: dict[str, Any]) -> list[str]:
    """The languages a topic is answered in (the required ones always: a missing one is a problem)."""
    return _in_order(topic.get("answers") or {})


def faq_languages(faq: dict[str, Any]) -> list[str]:
    """The languages an FAQ entry has a question or an answer in (the required ones always)."""
    return _in_order([*(faq.get("question") or {}), *(faq.get("answer") or {})])


def pack_languages(pack: Pack) -> list[str]:
    """Every language the pack's texts and phrasings use."""
    codes: list[str] = []
    for topic in pack.topics:
        codes += answer_languages(topic) + list(topic.get("phrasings") or {})
    for faq in pack.faqs:
        codes += faq_languages(faq) + list(faq.get("phrasings") or {})
    return [code for code in _in_order(codes) if code != ANY_LANGUAGE]


def _check_review(problems: list[str], where: str, item: dict) -> None:
    status = item.get("review_status")
    if status not in REVIEW_STATUSES:
        problems.append(f"{where}: review_status must be one of {', '.join(REVIEW_STATUSES)}")
    elif status != "ok" and not str(item.get("review_note") or "").strip():
        problems.append(f"{where}: review_status {status} without a review_note")
    valid = _partial_date(item.get("valid_as_of"))
    if valid is not None and not _PARTIAL_DATE.match(valid):
        problems.append(f"{where}: valid_as_of must be YYYY, YYYY-MM, YYYY-MM-DD or undated")


def _check_sources(problems: list[str], where: str, sources: list, registry: dict[str, dict]) -> None:
    if not sources:
        problems.append(f"{where}: no sources")
    for source in sources:
        if isinstance(source, str):
            if source not in registry:
                problems.append(f"{where}: unknown source id {source!r}")
        elif not isinstance(source, dict) or not str(source.get("name") or "").strip():
            problems.append(f"{where}: a source without a name")
        elif source.get("id") and source["id"] not in registry:
            problems.append(f"{where}: unknown source id {source['id']!r}")


def check_pack(pack: Pack, required_topics: Optional[list[str]] = None) -> list[str]:
    """Problems that must be fixed before loading (empty list: the pack is fine)."""
    problems: list[str] = []
    ids = [t.get("id") for t in pack.topics]
    known = set(ids)
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{dup}: defined twice")
    for missing in sorted(set(required_topics or []) - known):
        problems.append(f"{missing}: no answers")
    for code in pack_languages(pack):
        if not LANGUAGE_CODE.match(code):
            problems.append(f"language {code!r}: a code is 2 or 3 lowercase letters (ISO 639), e.g. quc")
    for code, autonym in pack.languages.items():
        if not LANGUAGE_CODE.match(code) or not autonym.strip() or len(autonym) > MAX_AUTONYM_CHARS:
            problems.append(f"languages.yml {code!r}: needs an ISO 639 code and the language's name in itself "
                            f"(at most {MAX_AUTONYM_CHARS} characters)")
    for topic in pack.topics:
        tid = topic.get("id") or "?"
        answers = topic.get("answers") or {}
        for lang in answer_languages(topic):
            answer = answers.get(lang)
            where = f"{tid} [{lang}]"
            if not answer:
                problems.append(f"{where}: missing")
                continue
            for key in REQUIRED:
                if answer.get(key) in (None, "", []):
                    problems.append(f"{where}: no {key}")
            for key, limit in LIMITS.items():
                value = (answer.get(key) or "").strip()
                if len(value) > limit:
                    problems.append(f"{where}: {key} is {len(value)} characters (max {limit})")
            for follow in answer.get("follow_ups") or []:
                if follow not in known or follow == tid:
                    problems.append(f"{where}: bad follow-up {follow!r}")
            _check_sources(problems, where, answer.get("sources") or [], pack.sources)
            _check_review(problems, where, answer)
    slugs = [f.get("id") for f in pack.faqs]
    for dup in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.append(f"FAQ {dup}: defined twice")
    for faq in pack.faqs:
        slug, topic_id = str(faq.get("id") or "?"), faq.get("topic")
        if topic_id not in known or not slug.startswith(f"{topic_id}/"):
            problems.append(f"FAQ {slug}: its id must be '<topic>/<name>' of a known topic")
        for lang in faq_languages(faq):
            where = f"FAQ {slug} [{lang}]"
            for key, limit in FAQ_LIMITS.items():
                value = str((faq.get(key) or {}).get(lang) or "").strip()
                if not value:
                    problems.append(f"{where}: no {key}")
                elif len(value) > limit:
                    problems.append(f"{where}: {key} is {len(value)} characters (max {limit})")
        if not any(texts for lang, texts in (faq.get("phrasings") or {}).items() if lang != ANY_LANGUAGE):
            problems.append(f"FAQ {slug}: no phrasings")
        _check_sources(problems, f"FAQ {slug}", faq.get("sources") or [], pack.sources)
        _check_review(problems, f"FAQ {slug}", faq)
    points = [s.get("slug") for s in pack.service_points]
    for dup in sorted({s for s in points if points.count(s) > 1}):
        problems.append(f"service point {dup}: defined twice")
    for point in pack.service_points:
        for key in SERVICE_REQUIRED:
            if not point.get(key):
                problems.append(f"service point {point.get('slug') or '?'}: no {key}")
        if point.get("source_id") and point["source_id"] not in pack.sources:
            problems.append(f"service point {point.get('slug')}: unknown source id {point['source_id']!r}")
    return problems


def _as_date(value: Any) -> Optional[dt.date]:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _partial_date(value: Any) -> Optional[str]:
    """A date as written in the pack (YYYY, YYYY-MM, YYYY-MM-DD); None when unknown ("undated")."""
    return None if value in (None, "", "undated") else str(value)


def resolve_sources(sources: list, registry: dict[str, dict]) -> list[dict[str, Any]]:
    """Pack sources (registry ids or dicts) as the dicts stored with a text: name, url, publisher, dates."""
    resolved = []
    for source in sources:
        entry = dict(registry.get(source, {"id": source})) if isinstance(source, str) else dict(source)
        if isinstance(source, dict) and source.get("id") in registry:
            entry = {**registry[source["id"]], **source}
        if not entry.get("name"):
            entry["name"] = " — ".join(p for p in (entry.get("publisher"), entry.get("title")) if p)
        resolved.append({key: (None if entry.get(key) in (None, "") else str(entry[key])) for key in SOURCE_KEYS})
    return resolved


def answer_fields(answer: dict[str, Any], registry: Optional[dict[str, dict]] = None) -> dict[str, Any]:
    """Pack answer -> the repository's editable fields, normalised for comparison."""
    return {
        "title": str(answer["title"]).strip(),
        "short": str(answer.get("short") or "").strip(),
        "body": str(answer["body"]).strip(),
        "details": (str(answer.get("details") or "").strip() or None),
        "follow_ups": list(answer.get("follow_ups") or []),
        "sources": resolve_sources(answer.get("sources") or [], registry or {}),
        "last_reviewed": _as_date(answer.get("last_reviewed")),
        "needs_review": bool(answer.get("needs_review", answer.get("review_status", "ok") != "ok")),
        "review_note": str(answer.get("review_note") or "").strip(),
        "review_status": str(answer.get("review_status") or "improve"),
        "valid_as_of": _partial_date(answer.get("valid_as_of")),
    }


def faq_fields(faq: dict[str, Any], lang: str, registry: dict[str, dict]) -> dict[str, Any]:
    """Pack FAQ entry, one language -> the FAQ repository's fields, normalised for comparison."""
    return {
        "question": str(faq["question"][lang]).strip(),
        "answer": str(faq["answer"][lang]).strip(),
        "sources": resolve_sources(faq.get("sources") or [], registry),
        "valid_as_of": _partial_date(faq.get("valid_as_of")),
        "review_status": str(faq.get("review_status") or "improve"),
        "review_note": str(faq.get("review_note") or "").strip(),
        "last_reviewed": _as_date(faq.get("last_reviewed")),
    }


_SERVICE_KEYS = ("name", "kind", "department", "municipality", "address", "latitude", "longitude",
                 "location_precision", "phone", "hours", "languages", "services", "source", "source_id",
                 "last_verified", "needs_review", "review_status", "review_note", "serves", "walk_in", "active")


def _service_values(point: dict[str, Any]) -> dict[str, Any]:
    values = {k: point.get(k) for k in _SERVICE_KEYS if k in point}
    values["slug"] = point["slug"]
    values["last_verified"] = _as_date(values.get("last_verified"))
    for key in ("languages", "services", "serves"):
        values[key] = list(values.get(key) or [])
    values.setdefault("needs_review", False)
    values["review_note"] = str(values.get("review_note") or "")
    values.setdefault("review_status", "improve")
    values.setdefault("walk_in", True)
    values.setdefault("active", True)
    return values


def undefined_languages(database_url: Optional[str], pack: Pack) -> tuple[list[str], list[str]]:
    """(languages to add: used by the pack, not in the database, listed in languages.yml; problems: those
    neither in the database nor listed)."""
    defined = {language.code for language in LanguageRepository(database_url).languages()}
    missing = [code for code in pack_languages(pack) if code not in defined]
    problems = [f"language {code!r}: not in the database; add it on the console's languages page, or list it "
                f"with its name in languages.yml" for code in missing if not pack.languages.get(code, "").strip()]
    return [code for code in missing if pack.languages.get(code, "").strip()], problems


def add_languages(database_url: Optional[str], pack: Pack, codes: list[str]) -> list[str]:
    """Define the languages `codes` with their autonyms from languages.yml, not offered (audited)."""
    repo = LanguageRepository(database_url)
    for code in codes:
        repo.add(code, pack.languages[code], by=PACK_ORIGIN, offered=False)
        logger.info("added the language %s (not offered)", code)
    return codes


def load_pack(
    repo: ContentRepository, pack: Pack, force: bool = False, required_topics: Optional[list[str]] = None
) -> LoadReport:
    problems = check_pack(pack, required_topics)
    to_add, undefined = undefined_languages(repo.database_url, pack) if not problems else ([], [])
    if problems or undefined:
        raise PackError("content pack has problems:\n  " + "\n  ".join(problems + undefined))
    added = add_languages(repo.database_url, pack, to_add)
    with session_scope(repo.database_url) as session:  # one transaction: all of the pack or nothing
        report = _load(ContentRepository(repo.database_url, session), FaqRepository(repo.database_url, session),
                       pack, force)
        seed_interface_texts(session)  # Spanish and English interface texts from bot/language/texts.py
    report.languages_added = added
    return report


def _load(repo: ContentRepository, faq_repo: FaqRepository, pack: Pack, force: bool) -> LoadReport:
    report = LoadReport()
    for order, topic in enumerate(pack.topics):
        tid = topic["id"]
        if repo.upsert_topic(tid, topic.get("area") or menu_area(tid), topic.get("description") or "", order):
            report.topics_changed += 1
    for topic in pack.topics:
        for lang in answer_languages(topic):
            fields = answer_fields(topic["answers"][lang], pack.sources)
            _load_text(repo, topic["id"], lang, fields, force, report.answers_created, report.answers_skipped,
                       report)
    for position, faq in enumerate(pack.faqs):
        faq_repo.upsert_entry(faq["id"], faq["topic"], position)
        for lang in faq_languages(faq):
            _load_text(faq_repo, faq["id"], lang, faq_fields(faq, lang, pack.sources), force, report.faqs_created,
                       report.faqs_skipped)
    report.phrasings_added = faq_repo.add_phrasings(  # those under `any`: bot.content.export
        [(faq["id"], str(text), lang) for faq in pack.faqs for lang in _in_order(faq.get("phrasings") or {})
         if lang != ANY_LANGUAGE for text in (faq.get("phrasings") or {}).get(lang) or []], origin=PACK_ORIGIN)
    for point in pack.service_points:
        if repo.upsert_service_point(_service_values(point)):
            report.services_changed += 1
    return report


def _load_text(repo, key: str, lang: str, fields: dict[str, Any], force: bool, created: list[str],
               skipped: list[str], report: Optional[LoadReport] = None) -> None:
    """Publish the pack's text as a new version unless it is unchanged or staff edited it since."""
    history = repo.history(key, lang)
    published = next((v for v in history if v.status == "published"), None)
    if published and published.content_fields() == fields:
        if report is not None:
            report.answers_unchanged += 1
        return
    latest = history[0] if history else None
    if latest and latest.origin != PACK_ORIGIN and not force:
        skipped.append(f"{key} [{lang}]")
        logger.warning("kept the staff edit of %s [%s]; use --force to replace it", key, lang)
        return
    draft = repo.save_draft(key, lang, fields, created_by=PACK_ORIGIN, origin=PACK_ORIGIN)
    repo.publish(key, lang, draft.version, published_by=PACK_ORIGIN)
    created.append(f"{key} [{lang}] v{draft.version}")


# --- freshness -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Freshness:
    what: str  # "labour.h2a [es]", "FAQ labour.h2a/family [en]", "service point capmir-peten"
    review_status: str
    valid_as_of: Optional[str]
    stale: bool
    note: str


def as_of_date(value: Optional[str]) -> Optional[dt.date]:
    """The last day a partial date can mean: "2024" -> 2024-12-31, "2024-07" -> 2024-07-31."""
    if not value or not _PARTIAL_DATE.match(value):
        return None
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    year, month = parts[0], (parts[1] if len(parts) == 2 else 12)
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)


def review_list(pack: Pack, max_age_months: int, today: Optional[dt.date] = None) -> list[Freshness]:
    """Every blocker, and every text whose sources are older than `max_age_months` (what `bot content check`
    lists for staff). A text is as fresh as its newest source: the page's date, or for an undated page the date
    it was read (an undated official page read on a day says what holds that day)."""
    today = today or dt.date.today()
    oldest_allowed = today - dt.timedelta(days=round(max_age_months * 30.44))
    items: list[Freshness] = []

    def consider(what: str, item: dict, sources: list) -> None:
        as_of = newest_source_date(resolve_sources(sources, pack.sources)) or _partial_date(item.get("valid_as_of"))
        when = as_of_date(as_of)
        stale = when is None or when < oldest_allowed
        status = str(item.get("review_status") or "improve")
        if stale or status == BLOCKER:
            items.append(Freshness(what, status, as_of, stale, str(item.get("review_note") or "").strip()))

    for topic in pack.topics:
        for lang in answer_languages(topic):
            answer = (topic.get("answers") or {}).get(lang) or {}
            consider(f"{topic.get('id')} [{lang}]", answer, answer.get("sources") or [])
    for faq in pack.faqs:
        consider(f"FAQ {faq.get('id')}", faq, faq.get("sources") or [])
    for point in pack.service_points:
        if point.get("active", True):
            source = [point["source_id"]] if point.get("source_id") else []
            consider(f"service point {point.get('slug')}", point, source)
    return items


def newest_source_date(sources: list[dict]) -> Optional[str]:
    """The newest of the sources' dates: the page date, else the date it was read."""
    dates = []
    for source in sources:
        when = _partial_date(source.get("page_date")) or _partial_date(source.get("read_on"))
        if when and _PARTIAL_DATE.match(when):
            dates.append(as_of_date(when).isoformat())
    return max(dates) if dates else None


assert set(EDITABLE_FIELDS) == set(answer_fields({"title": "t", "body": "b"})), "keep answer fields in sync"
assert set(FAQ_FIELDS) == set(faq_fields({"question": {"es": "q"}, "answer": {"es": "a"}}, "es", {})), \
    "keep FAQ fields in sync"

"""The database's live content as a content pack (`bot content export DIR`), and loading such a pack back
(`bot content import DIR`), so that what staff changed in the console can be reviewed in git.

    export_pack(url, Path("out"))          # out/answers/<area>.yml, out/faq/<area>.yml, out/sources/<area>.yml,
                                           # out/services.yml, out/languages.yml: the layout of content/
                                           # (bot.content.pack)
    import_pack(url, Path("out"))          # checked first (bot.content.pack.check_pack); one transaction

What is exported: every topic (with its published answers, in every language of the languages table), every
active FAQ entry with a published text (its texts in every language, its phrasings), the phrasings filed under a
topic as a whole (a `phrasings` key on the topic, which the import loads too), every service point (retired ones
with `active: false`), and languages.yml: the code and autonym of every defined language. Drafts, history, who
changed what and which languages are offered stay in the database. A source is written once in
sources/<area>.yml and named by its id; a use whose values differ from that entry is written in full where it is
used. An FAQ entry's sources, dates and review status are those of its Spanish text (else of its first language
with a text: the pack has one set per entry). Phrasings without a language are listed under `any`.

Languages on import: a language of the pack that the target database does not define is added from
languages.yml, defined and NOT offered (the audit names "content-pack"), so importing never changes what users
are offered: an admin offers it on the console's languages page once its texts are ready. A language that is
neither in the database nor in languages.yml is refused with the list of such codes, and nothing is imported.
The languages are added just before the texts are loaded (one transaction), so they stay if that load fails.

The export is deterministic (same database, same files), and export -> import into an empty database -> export
gives identical files.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml
from sqlalchemy import select

from bot.content.faq import FAQ_FIELDS, FaqRepository, PhrasingView
from bot.content.interface import LanguageRepository
from bot.content.models import PUBLISHED, FaqEntry, FaqVersion, ServicePoint
from bot.content.pack import (
    _SERVICE_KEYS,
    ANY_LANGUAGE,
    AREA_FILES,
    PACK_ORIGIN,
    LoadReport,
    PackError,
    _load,
    add_languages,
    check_pack,
    read_pack,
    undefined_languages,
)
from bot.content.repository import EDITABLE_FIELDS, ContentRepository
from bot.db import session_scope

SOURCE_KEYS = ("id", "name", "url", "publisher", "page_date", "read_on")


@dataclass(frozen=True)
class ExportReport:
    topics: int
    faqs: int
    phrasings: int
    service_points: int
    files: tuple[str, ...]

    def summary(self) -> str:
        return (f"{self.topics} topics, {self.faqs} FAQ entries, {self.phrasings} phrasings, "
                f"{self.service_points} service points in {len(self.files)} files")


def area_file(topic_id: str) -> str:
    prefix = topic_id.split(".", 1)[0]
    return prefix if prefix in AREA_FILES else "other"


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line texts as literal blocks, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(path: Path, header: str, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000)
    path.write_text(f"# {header}\n{text}", encoding="utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _source_entry(source: dict) -> dict:
    return {key: str(source[key]) for key in SOURCE_KEYS if source.get(key) not in (None, "")}


class _Sources:
    """Sources by id: each id's first use goes in the registry; a use with other values is written in full."""

    def __init__(self) -> None:
        self.first: dict[str, dict] = {}
        self.file: dict[str, str] = {}

    def see(self, sources, file: str) -> None:
        for source in sources:
            entry = _source_entry(source)
            if entry.get("id") and entry["id"] not in self.first:
                self.first[entry["id"]], self.file[entry["id"]] = entry, file

    def refs(self, sources) -> list:
        refs: list = []
        for source in sources:
            entry = _source_entry(source)
            if entry.get("id") and self.first.get(entry["id"]) == entry:
                refs.append(entry["id"])
            else:  # in full, missing values as null, so the registry's values do not fill them in
                refs.append({key: (None if source.get(key) in (None, "") else str(source[key]))
                             for key in SOURCE_KEYS})
        return refs

    def registry(self) -> dict[str, list[dict]]:
        by_file: dict[str, list[dict]] = defaultdict(list)
        for source_id in sorted(self.first):
            by_file[self.file[source_id]].append(self.first[source_id])
        return by_file


def _phrasing_map(phrasings: list[PhrasingView], languages: list[str]) -> dict[str, list[str]]:
    """Phrasings by language, in the languages table's order, then those in no language (`any`)."""
    by_lang: dict[str, list[str]] = defaultdict(list)
    for p in phrasings:
        by_lang[p.lang or ANY_LANGUAGE].append(p.text)
    return {lang: by_lang[lang] for lang in (*languages, ANY_LANGUAGE) if by_lang.get(lang)}


def export_pack(database_url: Optional[str], directory: Path) -> ExportReport:
    """Write the database's live content under `directory` (files there with the same names are replaced)."""
    repo = ContentRepository(database_url)
    faq_repo = FaqRepository(database_url)
    defined = LanguageRepository(database_url).languages()
    languages = [language.code for language in defined]  # Spanish first, then in the order they were added
    topics = repo.list_topics()
    answers = {(t.id, lang): repo.get_answer(t.id, lang, fallback=False) for t in topics for lang in languages}
    with session_scope(database_url) as s:
        entries = [(e.slug, e.topic_id) for e in s.scalars(
            select(FaqEntry).where(FaqEntry.active.is_(True)).order_by(FaqEntry.position, FaqEntry.id))]
        published = {(slug, lang) for slug, lang in s.execute(
            select(FaqEntry.slug, FaqVersion.lang).join(FaqVersion, FaqVersion.entry_id == FaqEntry.id)
            .where(FaqVersion.status == PUBLISHED))}
        points = [{**{key: getattr(p, key) for key in ("slug", *_SERVICE_KEYS)}}
                  for p in s.scalars(select(ServicePoint).order_by(ServicePoint.id))]
    faqs = {(slug, lang): faq_repo.get(slug, lang) for slug, _ in entries for lang in languages
            if (slug, lang) in published}
    entries = [(slug, topic) for slug, topic in entries if any((slug, lang) in faqs for lang in languages)]
    phrasings: dict[tuple[str, Optional[str]], list[PhrasingView]] = defaultdict(list)
    for p in faq_repo.phrasings():
        phrasings[(p.topic_id, p.entry_slug)].append(p)

    sources = _Sources()
    for (topic_id, _lang), answer in answers.items():
        if answer is not None:
            sources.see(answer.sources, area_file(topic_id))
    for slug, topic_id in entries:
        sources.see(_first_text(faqs, slug, languages).sources, area_file(topic_id))

    for point in points:  # the registry keeps only what texts store; a point's own source is named by its text
        if point.get("source_id"):
            sources.see([{"id": point["source_id"], "name": point["source"]}], "services")

    answer_files: dict[str, list[dict]] = defaultdict(list)
    for topic in topics:
        item: dict[str, Any] = {"id": topic.id, "area": topic.area, "description": topic.description,
                                "answers": {}}
        for lang in languages:
            answer = answers[(topic.id, lang)]
            if answer is None:
                continue
            fields = _plain(answer.content_fields())
            fields["sources"] = sources.refs(answer.sources)
            item["answers"][lang] = {name: fields[name] for name in EDITABLE_FIELDS}
        topic_phrasings = _phrasing_map(phrasings.get((topic.id, None), []), languages)
        if topic_phrasings:
            item["phrasings"] = topic_phrasings
        answer_files[area_file(topic.id)].append(item)

    faq_files: dict[str, list[dict]] = defaultdict(list)
    for slug, topic_id in entries:
        texts = {lang: faqs[(slug, lang)] for lang in languages if (slug, lang) in faqs}
        first = _first_text(faqs, slug, languages)
        fields = _plain(first.content_fields())
        item = {"id": slug, "topic": topic_id,
                "question": {lang: f.question for lang, f in texts.items()},
                "answer": {lang: f.answer for lang, f in texts.items()},
                "phrasings": _phrasing_map(phrasings.get((topic_id, slug), []), languages),
                "sources": sources.refs(first.sources)}
        item.update({name: fields[name] for name in FAQ_FIELDS if name not in ("question", "answer", "sources")})
        faq_files[area_file(topic_id)].append(item)

    written: list[str] = []
    header = "Exported by `bot content export` from the content database; load with `bot content import`."
    for folder, files, key in (("answers", answer_files, "topics"), ("faq", faq_files, "faqs"),
                               ("sources", sources.registry(), "sources")):
        for name in sorted(files):
            path = directory / folder / f"{name}.yml"
            _dump(path, header, {key: files[name]})
            written.append(str(path.relative_to(directory)))
    _dump(directory / "services.yml", header, {"service_points": [_plain(p) for p in points]})
    written.append("services.yml")
    _dump(directory / "languages.yml", header + " Offering a language is decided in the console.",
          {"languages": [{"code": language.code, "autonym": language.autonym} for language in defined]})
    written.append("languages.yml")
    return ExportReport(len(topics), len(entries), sum(len(v) for v in phrasings.values()), len(points),
                        tuple(written))


def _first_text(faqs: dict, slug: str, languages: list[str]):
    """The FAQ text whose sources, dates and review status the pack keeps: Spanish, else the first language."""
    return next(faqs[(slug, lang)] for lang in languages if (slug, lang) in faqs)


def _topic_phrasings(pack) -> list[tuple[str, str, Optional[str]]]:
    """(target, text, lang) of the phrasings the core loader does not read: a topic's own, and `any`."""
    items = []
    for topic in pack.topics:
        for lang, texts in (topic.get("phrasings") or {}).items():
            items += [(topic["id"], str(text), None if lang == ANY_LANGUAGE else lang) for text in texts or []]
    for faq in pack.faqs:
        items += [(faq["id"], str(text), None) for text in (faq.get("phrasings") or {}).get(ANY_LANGUAGE) or []]
    return items


def import_pack(database_url: Optional[str], directory: Path, required_topics: Optional[list[str]] = None,
                force: bool = False) -> LoadReport:
    """Check the pack under `directory`, then load all of it in one transaction (nothing half-loaded)."""
    pack = read_pack(directory)
    problems = check_pack(pack, required_topics)  # also the codes of the topics' phrasings (pack_languages)
    known = {t.get("id") for t in pack.topics}
    problems += [f"{target}: unknown topic for a phrasing" for target, _, _ in _topic_phrasings(pack)
                 if target.split("/", 1)[0] not in known]
    to_add, undefined = undefined_languages(database_url, pack) if not problems else ([], [])
    if problems or undefined:
        raise PackError("content pack has problems:\n  " + "\n  ".join(problems + undefined))
    added = add_languages(database_url, pack, to_add)  # committed first: the texts below check their language
    with session_scope(database_url) as session:
        report = _load(ContentRepository(database_url, session), FaqRepository(database_url, session), pack, force)
        report.phrasings_added += FaqRepository(database_url, session).add_phrasings(_topic_phrasings(pack),
                                                                                    origin=PACK_ORIGIN)
    report.languages_added = added
    return report

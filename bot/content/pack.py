"""The starter content pack (`content/`): reading, checking and loading it into the database.

Loading is idempotent: an answer gets a new version only when its text in the pack changed, and an answer
that staff have edited in the database since the last load is left alone (reported as skipped) unless
`force` is given.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.content.models import LANGUAGES
from bot.content.repository import EDITABLE_FIELDS, ContentRepository

logger = logging.getLogger(__name__)

PACK_ORIGIN = "content-pack"
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
REQUIRED = ("title", "short", "body", "follow_ups", "sources", "last_reviewed")
SERVICE_REQUIRED = ("slug", "name", "kind", "source")


@dataclass
class Pack:
    topics: list[dict[str, Any]]
    service_points: list[dict[str, Any]]


@dataclass
class LoadReport:
    topics_changed: int = 0
    answers_created: list[str] = field(default_factory=list)
    answers_unchanged: int = 0
    answers_skipped: list[str] = field(default_factory=list)  # edited by staff
    services_changed: int = 0

    def summary(self) -> str:
        return (
            f"topics changed: {self.topics_changed}; answers new/updated: {len(self.answers_created)}, "
            f"unchanged: {self.answers_unchanged}, kept staff edits: {len(self.answers_skipped)}; "
            f"service points changed: {self.services_changed}"
        )


class PackError(ValueError):
    pass


def menu_area(topic_id: str) -> str:
    return MENU_AREA.get(topic_id.split(".")[0], "other")


def read_pack(content_dir: Path) -> Pack:
    topics: list[dict[str, Any]] = []
    answers_dir = content_dir / "answers"
    names = [n for n in AREA_FILES if (answers_dir / f"{n}.yml").exists()]
    names += sorted(p.stem for p in answers_dir.glob("*.yml") if p.stem not in AREA_FILES)
    for name in names:
        data = yaml.safe_load((answers_dir / f"{name}.yml").read_text(encoding="utf-8")) or {}
        topics.extend(data.get("topics") or [])
    services_file = content_dir / "services.yml"
    services = []
    if services_file.exists():
        services = (yaml.safe_load(services_file.read_text(encoding="utf-8")) or {}).get("service_points") or []
    return Pack(topics=topics, service_points=services)


def check_pack(pack: Pack, required_topics: Optional[list[str]] = None) -> list[str]:
    """Problems that must be fixed before loading (empty list: the pack is fine)."""
    problems: list[str] = []
    ids = [t.get("id") for t in pack.topics]
    known = set(ids)
    for dup in {i for i in ids if ids.count(i) > 1}:
        problems.append(f"{dup}: defined twice")
    for missing in sorted(set(required_topics or []) - known):
        problems.append(f"{missing}: no answers")
    for topic in pack.topics:
        tid = topic.get("id") or "?"
        answers = topic.get("answers") or {}
        for lang in LANGUAGES:
            answer = answers.get(lang)
            if not answer:
                problems.append(f"{tid} [{lang}]: missing")
                continue
            for key in REQUIRED:
                if answer.get(key) in (None, "", []):
                    problems.append(f"{tid} [{lang}]: no {key}")
            for key, limit in LIMITS.items():
                value = (answer.get(key) or "").strip()
                if len(value) > limit:
                    problems.append(f"{tid} [{lang}]: {key} is {len(value)} characters (max {limit})")
            for follow in answer.get("follow_ups") or []:
                if follow not in known or follow == tid:
                    problems.append(f"{tid} [{lang}]: bad follow-up {follow!r}")
            for source in answer.get("sources") or []:
                if not isinstance(source, dict) or not str(source.get("name") or "").strip():
                    problems.append(f"{tid} [{lang}]: a source without a name")
            if answer.get("needs_review") and not str(answer.get("review_note") or "").strip():
                problems.append(f"{tid} [{lang}]: needs_review without a review_note")
    slugs = [s.get("slug") for s in pack.service_points]
    for dup in {s for s in slugs if slugs.count(s) > 1}:
        problems.append(f"service point {dup}: defined twice")
    for point in pack.service_points:
        for key in SERVICE_REQUIRED:
            if not point.get(key):
                problems.append(f"service point {point.get('slug') or '?'}: no {key}")
    return problems


def _as_date(value: Any) -> Optional[dt.date]:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def answer_fields(answer: dict[str, Any]) -> dict[str, Any]:
    """Pack answer -> the repository's editable fields, normalised for comparison."""
    return {
        "title": str(answer["title"]).strip(),
        "short": str(answer.get("short") or "").strip(),
        "body": str(answer["body"]).strip(),
        "details": (str(answer.get("details") or "").strip() or None),
        "follow_ups": list(answer.get("follow_ups") or []),
        "sources": [{"name": s.get("name"), "url": s.get("url")} for s in answer.get("sources") or []],
        "last_reviewed": _as_date(answer.get("last_reviewed")),
        "needs_review": bool(answer.get("needs_review", False)),
        "review_note": str(answer.get("review_note") or "").strip(),
    }


def _service_values(point: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in point.items() if k != "notes"}
    values["last_verified"] = _as_date(values.get("last_verified"))
    values["languages"] = list(values.get("languages") or [])
    values["services"] = list(values.get("services") or [])
    values.setdefault("needs_review", False)
    return values


def load_pack(
    repo: ContentRepository, pack: Pack, force: bool = False, required_topics: Optional[list[str]] = None
) -> LoadReport:
    problems = check_pack(pack, required_topics)
    if problems:
        raise PackError("content pack has problems:\n  " + "\n  ".join(problems))
    report = LoadReport()
    for order, topic in enumerate(pack.topics):
        tid = topic["id"]
        if repo.upsert_topic(tid, topic.get("area") or menu_area(tid), topic.get("description") or "", order):
            report.topics_changed += 1
    for topic in pack.topics:
        for lang in LANGUAGES:
            _load_answer(repo, topic["id"], lang, answer_fields(topic["answers"][lang]), force, report)
    for point in pack.service_points:
        if repo.upsert_service_point(_service_values(point)):
            report.services_changed += 1
    return report


def _load_answer(
    repo: ContentRepository, tid: str, lang: str, fields: dict[str, Any], force: bool, report: LoadReport
) -> None:
    history = repo.history(tid, lang)
    published = next((a for a in history if a.status == "published"), None)
    if published and published.content_fields() == fields:
        report.answers_unchanged += 1
        return
    latest = history[0] if history else None
    if latest and latest.origin != PACK_ORIGIN and not force:
        report.answers_skipped.append(f"{tid} [{lang}]")
        logger.warning("kept the staff edit of %s [%s]; use --force to replace it", tid, lang)
        return
    draft = repo.save_draft(tid, lang, fields, created_by=PACK_ORIGIN, origin=PACK_ORIGIN)
    repo.publish(tid, lang, draft.version, published_by=PACK_ORIGIN)
    report.answers_created.append(f"{tid} [{lang}] v{draft.version}")


assert set(EDITABLE_FIELDS) == set(answer_fields({"title": "t", "body": "b"})), "keep fields in sync"

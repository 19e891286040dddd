"""The review workflow shared by answers and FAQ entries (one text = one topic's answer, or one FAQ entry, in
one language):

    save_draft (base_version: the version the editor started from)  -> a new draft
    submit      draft -> submitted (waiting for a reviewer)
    approve     submitted -> published, by someone who neither wrote nor submitted it (four-eyes rule)
    request_changes  submitted -> draft, with the reviewer's comment
    publish     direct publication (CLI, content pack)      rollback: publish a copy of an old version

Every operation runs inside the caller's session and writes its audit entry there (bot.staff.audit.record), so
a change and its audit entry are committed together or not at all. The repositories (bot.content.repository,
bot.content.faq) add what is particular to each kind of text.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Type

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content import versions
from bot.content.models import DRAFT, PUBLISHED, REVIEW_STATUSES, SUBMITTED
from bot.db import utcnow
from bot.staff.audit import record

PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class ContentError(ValueError):
    """A request the content rules do not allow (unknown topic, bad language, missing version...)."""


class ConflictError(ContentError):
    """Someone saved a newer version since the editor opened the text: nothing was saved."""

    def __init__(self, target: str, base_version: int, latest_version: int, latest_by: str) -> None:
        self.target, self.base_version = target, base_version
        self.latest_version, self.latest_by = latest_version, latest_by
        super().__init__(f"{target}: {latest_by} saved version {latest_version} meanwhile (you started from "
                         f"version {base_version}); nothing was saved. Open the latest version and save again.")


class ReviewError(ContentError):
    """A workflow step the rules do not allow (wrong state, or publishing one's own draft)."""


class OwnDraftError(ReviewError):
    """The four-eyes rule: whoever wrote or submitted a version cannot approve it."""


@dataclass(frozen=True)
class TextKind:
    model: Type  # AnswerVersion or FaqVersion
    target_type: str  # audit target type and action prefix: "answer", "faq"
    fields: tuple[str, ...]  # the editable fields
    required: tuple[str, ...]
    name: str  # in messages: "an answer", "a FAQ entry"
    plural: str  # "answer", "FAQ" (as in "unknown answer fields")


def target_id(name: str, lang: str) -> str:
    """How a text is named in the audit log and in messages: "labour.h2a [es]"."""
    return f"{name} [{lang}]"


def content_of(kind: TextKind, row: Any) -> dict[str, Any]:
    """The editable fields of a version, as plain lists and dicts."""
    values = {name: getattr(row, name) for name in kind.fields}
    for name in ("sources", "follow_ups"):
        if name in values:
            values[name] = [dict(x) if isinstance(x, dict) else x for x in values[name] or []]
    return values


def snapshot(kind: TextKind, row: Optional[Any]) -> Optional[dict[str, Any]]:
    """What the audit log keeps of a version: its number, state and content."""
    if row is None:
        return None
    return {"version": row.version, "status": row.status, **content_of(kind, row)}


def merged_values(kind: TextKind, previous: Optional[Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of a new version: those given, the rest copied from `previous`; checked."""
    unknown = set(fields) - set(kind.fields)
    if unknown:
        raise ContentError(f"unknown {kind.plural} fields: {sorted(unknown)}")
    values = content_of(kind, previous) if previous is not None else {}
    values.update(fields)
    for required in kind.required:
        if not (values.get(required) or "").strip():
            raise ContentError(f"{kind.name} needs a {required}")
    values["sources"] = [dict(x) for x in values.get("sources") or []]
    if any(not str(source.get("name") or "").strip() for source in values["sources"]):
        raise ContentError("every source needs a name")
    if "follow_ups" in kind.fields:
        values["follow_ups"] = list(values.get("follow_ups") or [])
    if not values.get("review_status"):
        values["review_status"] = "improve"
    if values["review_status"] not in REVIEW_STATUSES:
        raise ContentError(f"review status must be one of {REVIEW_STATUSES}, not {values['review_status']!r}")
    if values.get("valid_as_of") and not PARTIAL_DATE.match(str(values["valid_as_of"])):
        raise ContentError(f"valid_as_of is a date (YYYY, YYYY-MM or YYYY-MM-DD), not {values['valid_as_of']!r}")
    return values


def _version(session: Session, kind: TextKind, key: dict[str, Any], name: str, version: int) -> Any:
    row = session.scalars(select(kind.model).filter_by(**key, version=version)).first()
    if row is None:
        raise ContentError(f"no version {version} of {name}")
    return row


def _published(session: Session, kind: TextKind, key: dict[str, Any]) -> Optional[Any]:
    return session.scalars(select(kind.model).filter_by(**key, status=PUBLISHED)).first()


# --- the steps ---------------------------------------------------------------------------------------------
def save_draft(session: Session, kind: TextKind, key: dict[str, Any], name: str, fields: dict[str, Any],
               by: str, origin: str = "staff", base_version: Optional[int] = None) -> Any:
    """A new draft. With `base_version` (the latest version when the editor opened the text; 0 for a new
    text), refuse with ConflictError when someone saved another version since."""
    previous = versions.latest(session, kind.model, key)
    if base_version is not None and (previous.version if previous else 0) != base_version:
        raise ConflictError(name, base_version, previous.version if previous else 0,
                            previous.created_by if previous else "?")
    values = merged_values(kind, previous, fields)
    row = versions.add_draft(session, kind.model, key, values, origin=origin, created_by=by)
    record(session, by, f"{kind.target_type}.draft", kind.target_type, name, snapshot(kind, previous),
           snapshot(kind, row))
    return row


def submit(session: Session, kind: TextKind, key: dict[str, Any], name: str, version: int, by: str) -> Any:
    row = _version(session, kind, key, name, version)
    if row.status != DRAFT:
        raise ReviewError(f"{name} version {version} is {row.status}: only a draft can be submitted")
    row.status, row.submitted_by, row.submitted_at = SUBMITTED, by, utcnow()
    session.flush()
    record(session, by, f"{kind.target_type}.submit", kind.target_type, name,
           {"version": version, "status": DRAFT}, {"version": version, "status": SUBMITTED})
    return row


def approve(session: Session, kind: TextKind, key: dict[str, Any], name: str, version: int, by: str,
            comment: str = "") -> Any:
    """Publish a submitted version, unless `by` wrote or submitted it."""
    row = _version(session, kind, key, name, version)
    if row.status != SUBMITTED:
        raise ReviewError(f"{name} version {version} is {row.status}: only a submitted version can be approved")
    if by in (row.created_by, row.submitted_by):
        raise OwnDraftError(f"{by} wrote or submitted {name} version {version}: another reviewer must approve "
                            "it (nobody publishes their own draft)")
    row.reviewed_by, row.review_comment, row.last_reviewed = by, (comment or "").strip(), dt.date.today()
    return _publish(session, kind, key, name, row, by, "approve", comment)


def request_changes(session: Session, kind: TextKind, key: dict[str, Any], name: str, version: int, by: str,
                    comment: str) -> Any:
    """Send a submitted version back to draft, with the reviewer's comment (required)."""
    comment = (comment or "").strip()
    if not comment:
        raise ReviewError("say what to change: the comment is required")
    row = _version(session, kind, key, name, version)
    if row.status != SUBMITTED:
        raise ReviewError(f"{name} version {version} is {row.status}: only a submitted version can be sent back")
    row.status, row.reviewed_by, row.review_comment = DRAFT, by, comment
    session.flush()
    record(session, by, f"{kind.target_type}.changes", kind.target_type, name,
           {"version": version, "status": SUBMITTED}, {"version": version, "status": DRAFT, "comment": comment},
           note=comment)
    return row


def publish(session: Session, kind: TextKind, key: dict[str, Any], name: str, version: int, by: str) -> Any:
    """Publish a version directly (CLI, content pack; the console publishes through approve)."""
    return _publish(session, kind, key, name, _version(session, kind, key, name, version), by, "publish")


def rollback(session: Session, kind: TextKind, key: dict[str, Any], name: str, version: int, by: str) -> Any:
    """Publish a new version whose content is a copy of `version`."""
    old = _version(session, kind, key, name, version)
    row = versions.add_draft(session, kind.model, key, content_of(kind, old), origin="staff", created_by=by)
    return _publish(session, kind, key, name, row, by, "rollback", f"copy of version {version}")


def _publish(session: Session, kind: TextKind, key: dict[str, Any], name: str, row: Any, by: str, action: str,
             note: str = "") -> Any:
    before = snapshot(kind, _published(session, kind, key))
    versions.publish(session, kind.model, key, row.version)
    session.flush()
    record(session, by, f"{kind.target_type}.{action}", kind.target_type, name, before, snapshot(kind, row),
           note=note or "")
    return row


# --- overview ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextState:
    """Where one text stands, for the console's list."""

    kind: str  # "answer" | "faq"
    key: str  # topic id or FAQ slug
    topic_id: str
    lang: str
    title: str  # of the latest version
    latest_version: int
    latest_status: str
    published_version: Optional[int]
    review_status: str  # of the latest version
    valid_as_of: Optional[str]
    as_of: Optional[str]  # valid_as_of, else the newest date of its sources
    waiting: bool  # a submitted version waits for a reviewer

    def stale(self, max_age_months: int, today: Optional[dt.date] = None) -> bool:
        return is_stale(self.as_of, max_age_months, today)


def as_of(valid_as_of: Optional[str], sources: Sequence[dict]) -> Optional[str]:
    from bot.content.pack import newest_source_date

    return valid_as_of or newest_source_date(list(sources or []))


def is_stale(when: Optional[str], max_age_months: int, today: Optional[dt.date] = None) -> bool:
    """Older than `max_age_months` (or of unknown date), like `bot content check`."""
    from bot.content.pack import as_of_date

    today = today or dt.date.today()
    date = as_of_date(when)
    return date is None or date < today - dt.timedelta(days=round(max_age_months * 30.44))


def states(rows: Sequence[Any], kind: str, keys: dict[Any, tuple[str, str]], key_column: str) -> list[TextState]:
    """One TextState per text, from all its version rows. `keys` maps the row's `key_column` value to
    (key, topic id)."""
    by_text: dict[tuple, list[Any]] = {}
    for row in rows:
        by_text.setdefault((getattr(row, key_column), row.lang), []).append(row)
    result = []
    for (key_value, lang), text_rows in by_text.items():
        text_rows.sort(key=lambda r: r.version, reverse=True)
        latest = text_rows[0]
        published = next((r for r in text_rows if r.status == PUBLISHED), None)
        key, topic_id = keys[key_value]
        shown = published or latest
        result.append(TextState(
            kind, key, topic_id, lang, getattr(latest, "title", None) or getattr(latest, "question", ""),
            latest.version, latest.status, published.version if published else None, shown.review_status,
            shown.valid_as_of, as_of(shown.valid_as_of, shown.sources), any(r.status == SUBMITTED for r in text_rows)))
    return sorted(result, key=lambda s: (s.key, s.lang))


# --- differences between versions ----------------------------------------------------------------------------
def field_text(value: Any) -> str:
    """A field as text to compare: sources one per line ("name <url>"), lists one item per line."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(f"{v.get('name') or ''} <{v.get('url') or ''}>" if isinstance(v, dict) else str(v)
                         for v in value)
    return str(value)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields that differ, each as pieces ("equal" | "insert" | "delete", text), word by word."""
    changes = []
    for name in new:
        before, after = field_text(old.get(name)), field_text(new.get(name))
        if before == after:
            continue
        a, b = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
        pieces: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                pieces.append(("equal", "".join(a[i1:i2])))
                continue
            if op in ("delete", "replace"):
                pieces.append(("delete", "".join(a[i1:i2])))
            if op in ("insert", "replace"):
                pieces.append(("insert", "".join(b[j1:j2])))
        changes.append((name, [p for p in pieces if p[1]]))
    return changes

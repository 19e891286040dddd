"""The audit log: every change staff make, with who, when, and the values before and after.

Repositories call `record()` inside the transaction that makes the change, so a change and its audit entry
are committed together or not at all. The console lists and filters them with `AuditLog.entries()`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import session_scope
from bot.staff.models import AuditEntry


@dataclass(frozen=True)
class AuditView:
    id: int
    at: dt.datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    before: Optional[Any]
    after: Optional[Any]
    note: str


def jsonable(value: Any) -> Any:
    """Plain JSON values (dates as ISO strings, dataclasses as dicts, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return json.loads(json.dumps(value, default=str))


def record(session: Session, actor: str, action: str, target_type: str, target_id: str = "",
           before: Any = None, after: Any = None, note: str = "") -> None:
    """Add an audit entry to the caller's transaction."""
    session.add(AuditEntry(actor=actor[:64], action=action[:40], target_type=target_type[:40],
                           target_id=str(target_id)[:200], before=jsonable(before), after=jsonable(after),
                           note=note or ""))


def _view(row: AuditEntry) -> AuditView:
    return AuditView(row.id, row.at, row.actor, row.action, row.target_type, row.target_id, row.before, row.after,
                     row.note)


class AuditLog:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self._url = database_url

    def entries(self, actor: Optional[str] = None, action: Optional[str] = None,
                target_type: Optional[str] = None, target: Optional[str] = None,
                since: Optional[dt.datetime] = None, until: Optional[dt.datetime] = None,
                limit: int = 100, offset: int = 0) -> list[AuditView]:
        """Newest first. `action` matches a prefix ("answer." finds every answer action); `target` a substring."""
        with session_scope(self._url) as s:
            query = select(AuditEntry)
            if actor:
                query = query.where(AuditEntry.actor == actor)
            if action:
                query = query.where(AuditEntry.action.startswith(action))
            if target_type:
                query = query.where(AuditEntry.target_type == target_type)
            if target:
                query = query.where(AuditEntry.target_id.contains(target))
            if since:
                query = query.where(AuditEntry.at >= since)
            if until:
                query = query.where(AuditEntry.at < until)
            rows = s.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
            return [_view(r) for r in rows]

    def count(self, action: str, target_id: Optional[str] = None, since: Optional[dt.datetime] = None) -> int:
        with session_scope(self._url) as s:
            query = select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
            if target_id is not None:
                query = query.where(AuditEntry.target_id == target_id)
            if since is not None:
                query = query.where(AuditEntry.at >= since)
            return int(s.scalar(query) or 0)

    def record(self, actor: str, action: str, target_type: str, target_id: str = "", before: Any = None,
               after: Any = None, note: str = "") -> None:
        """An entry in its own transaction (for events that change nothing else, such as a failed login)."""
        with session_scope(self._url) as s:
            record(s, actor, action, target_type, target_id, before, after, note)

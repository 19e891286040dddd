"""Immutable versions, shared by answers and FAQ entries.

A text (one topic's answer, or one FAQ entry, in one language) is a series of rows: an edit adds a draft with
the next version number; publishing a version archives the one published before (a partial unique index
allows one published row per text, and drafts or submitted versions older than it are archived too: they are
superseded); a rollback publishes a copy of an old version. These helpers work on
either table, given the columns that identify the text (`topic_id`, `lang` / `entry_id`, `lang`).
"""
from __future__ import annotations

from typing import Any, Optional, Type

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.content.models import ARCHIVED, DRAFT, PUBLISHED, SUBMITTED
from bot.db import utcnow


def _matching(model: Type, key: dict[str, Any]):
    return [getattr(model, column) == value for column, value in key.items()]


def latest(session: Session, model: Type, key: dict[str, Any]) -> Optional[Any]:
    """The newest version of a text, whatever its status."""
    return session.scalars(
        select(model).where(*_matching(model, key)).order_by(model.version.desc()).limit(1)
    ).first()


def history(session: Session, model: Type, key: dict[str, Any]) -> list[Any]:
    """Every version of a text, newest first."""
    return list(session.scalars(select(model).where(*_matching(model, key)).order_by(model.version.desc())))


def add_draft(session: Session, model: Type, key: dict[str, Any], values: dict[str, Any], origin: str,
              created_by: str) -> Any:
    """A new draft with the next version number."""
    previous = latest(session, model, key)
    row = model(**key, **values, version=(previous.version + 1) if previous else 1, status=DRAFT, origin=origin,
                created_by=created_by)
    session.add(row)
    session.flush()
    return row


def publish(session: Session, model: Type, key: dict[str, Any], version: int) -> Optional[Any]:
    """Make `version` the live one (archiving the previous one, and older drafts and submitted versions);
    None when there is no such version."""
    row = session.scalars(select(model).where(*_matching(model, key), model.version == version)).first()
    if row is None:
        return None
    session.execute(
        update(model)
        .where(*_matching(model, key), model.status == PUBLISHED, model.id != row.id)
        .values(status=ARCHIVED)
    )
    session.execute(
        update(model)
        .where(*_matching(model, key), model.status.in_((DRAFT, SUBMITTED)), model.version < row.version)
        .values(status=ARCHIVED)
    )
    session.flush()  # the partial unique index allows one published row at a time
    row.status = PUBLISHED
    row.published_at = utcnow()
    return row

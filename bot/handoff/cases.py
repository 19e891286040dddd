"""The case repository: the one API for handoff, used by the actions (open a case, stay silent, keep the
transcript) and by the console (the caseworker queue, replies, closing). One short-lived session per call,
frozen dataclasses out; every staff action is audited (bot.staff.audit) in the same transaction.

    cases = CaseRepository()
    case = cases.open_case(sender_id, "webchat", "es", "risks.trafficking", ASKED, transcript)
    cases.active_case(sender_id)                          # the open case, or None: the bot stays silent
    cases.add_message(case.id, USER, "hola, sigo aquí")
    cases.reply(case.id, "rosa", "Hola, soy Rosa...")     # stored; the caller delivers it (outbox)
    cases.close(case.id, "rosa")                          # the bot answers again

Statuses: a case opens as `new`; assigning it (or a caseworker's first reply) makes it `assigned`; a reply makes
it `waiting_user`; a message from the person while it waits for them puts it back to `assigned` (or `new` when
nobody has it), so it rises in the queue again. A closed case is final: a person who asks again gets a new case.
A person has at most one open case.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Optional, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import session_scope, utcnow
from bot.handoff.models import (
    ASSIGNED,
    BOT,
    CASE_STATUSES,
    CLOSED,
    NEW,
    OPEN_CASE_STATUSES,
    STAFF,
    SYSTEM,
    USER,
    WAITING_USER,
    Case,
    CaseMessage,
)
from bot.staff.audit import record

AUTHORS = (USER, BOT, STAFF, SYSTEM)
TARGET_TYPE = "case"
# The transcript line written when the person stops waiting ("menú" while paused). Staff read Spanish first.
PERSON_LEFT_NOTE = "La persona dejó de esperar y volvió al menú. Caso cerrado."


def pseudonym_of(sender_id: str) -> str:
    """A short stable label of a conversation ("P-3F9A1C"): the same sender id always gives the same label, and
    the label says nothing about the contact (the sender id is itself a keyed pseudonym of it)."""
    return "P-" + hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:6].upper()


@dataclass(frozen=True)
class CaseMessageView:
    id: int
    at: dt.datetime
    author: str  # user | bot | staff | system
    staff_username: Optional[str]
    text: str


@dataclass(frozen=True)
class CaseView:
    id: int
    sender_id: str
    channel: str
    lang: str
    topic_id: Optional[str]
    reason: str
    status: str
    assigned_to: Optional[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: Optional[dt.datetime]
    last_user_at: Optional[dt.datetime]
    last_staff_at: Optional[dt.datetime]
    holding_sent_at: Optional[dt.datetime]
    alerted_at: Optional[dt.datetime]
    messages: tuple[CaseMessageView, ...] = ()  # filled by get(), empty in lists

    @property
    def pseudonym(self) -> str:
        """What caseworkers see instead of a contact: a short stable label of the conversation."""
        return pseudonym_of(self.sender_id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class CaseError(ValueError):
    """A request the handoff rules do not allow (unknown case, closed case, bad status...)."""


def _message_view(row: CaseMessage) -> CaseMessageView:
    return CaseMessageView(row.id, row.at, row.author, row.staff_username, row.text)


def _view(row: Case, messages: Sequence[CaseMessage] = ()) -> CaseView:
    return CaseView(row.id, row.sender_id, row.channel, row.lang, row.topic_id, row.reason, row.status,
                    row.assigned_to, row.created_at, row.updated_at, row.closed_at, row.last_user_at,
                    row.last_staff_at, row.holding_sent_at, row.alerted_at,
                    tuple(_message_view(m) for m in messages))


def _lines(session: Session, case_id: int) -> list[CaseMessage]:
    return list(session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id)
                                .order_by(CaseMessage.at, CaseMessage.id)))


def _full_view(session: Session, row: Case) -> CaseView:
    session.flush()
    return _view(row, _lines(session, row.id))


def _state(row: Case) -> dict:
    """What the audit log keeps of a case: never the sender id, a contact or message text."""
    return {"status": row.status, "assigned_to": row.assigned_to}


def _check_author(author: str) -> None:
    if author not in AUTHORS:
        raise CaseError(f"unknown author {author!r}")


class CaseRepository:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url

    # --- the bot's side -------------------------------------------------------------------------------------
    def open_case(self, sender_id: str, channel: str, lang: str, topic_id: Optional[str], reason: str,
                  transcript: Sequence[tuple[str, str]] = ()) -> CaseView:
        """Open a case (status new) with the recent conversation as (author, text) lines; if the person already
        has an open case, return that one unchanged."""
        for author, _ in transcript:
            _check_author(author)
        with session_scope(self.database_url) as s:
            existing = self._open_row(s, sender_id)
            if existing is not None:
                return _full_view(s, existing)
            now = utcnow()
            row = Case(sender_id=sender_id, channel=channel, lang=lang, topic_id=topic_id, reason=reason,
                       status=NEW, created_at=now, updated_at=now, last_user_at=now)
            s.add(row)
            s.flush()
            for author, line in transcript:
                if line and line.strip():
                    s.add(CaseMessage(case_id=row.id, at=now, author=author, text=line))
            return _full_view(s, row)

    def active_case(self, sender_id: str) -> Optional[CaseView]:
        """The person's open case (new, assigned or waiting_user), or None. One indexed query: the actions ask
        it for every message."""
        with session_scope(self.database_url) as s:
            row = self._open_row(s, sender_id)
            return _view(row) if row is not None else None

    def add_message(self, case_id: int, author: str, text: str, staff_username: Optional[str] = None) -> None:
        """Append a transcript line (a user message while paused, a bot notice...); updates last_user_at.
        A message from the person to a case waiting for them puts it back in the caseworkers' hands."""
        _check_author(author)
        with session_scope(self.database_url) as s:
            row = self._row(s, case_id)
            now = utcnow()
            s.add(CaseMessage(case_id=row.id, at=now, author=author, staff_username=staff_username, text=text))
            if author == USER:
                row.last_user_at = now
                if row.status == WAITING_USER:
                    row.status = ASSIGNED if row.assigned_to else NEW
            elif author == STAFF:
                row.last_staff_at = now
            row.updated_at = now

    def close_by_person(self, case_id: int) -> CaseView:
        """The person stopped waiting ("menú" while paused): the case closes with a note in its transcript, and
        the bot answers again. Not a staff action, so not audited."""
        with session_scope(self.database_url) as s:
            row = self._open(s, case_id)
            now = utcnow()
            row.status, row.closed_at, row.updated_at = CLOSED, now, now
            s.add(CaseMessage(case_id=row.id, at=now, author=SYSTEM, text=PERSON_LEFT_NOTE))
            return _full_view(s, row)

    # --- the console's side ---------------------------------------------------------------------------------
    def get(self, case_id: int) -> Optional[CaseView]:
        """One case with its whole transcript, oldest line first."""
        with session_scope(self.database_url) as s:
            row = s.get(Case, case_id)
            return _full_view(s, row) if row is not None else None

    def queue(self, statuses: Sequence[str] = ("new", "assigned", "waiting_user"), limit: int = 200) -> list[CaseView]:
        """Cases in these statuses, oldest first (who has waited longest on top)."""
        unknown = [status for status in statuses if status not in CASE_STATUSES]
        if unknown:
            raise CaseError(f"unknown status {unknown[0]!r}")
        with session_scope(self.database_url) as s:
            rows = s.scalars(select(Case).where(Case.status.in_(list(statuses)))
                             .order_by(Case.created_at, Case.id).limit(limit))
            return [_view(row) for row in rows]

    def person_cases(self, sender_id: str) -> list[CaseView]:
        """Every case of one person (any status) with its transcript, oldest first ("mis datos")."""
        with session_scope(self.database_url) as s:
            rows = list(s.scalars(select(Case).where(Case.sender_id == sender_id).order_by(Case.id)))
            return [_full_view(s, row) for row in rows]

    def assign(self, case_id: int, username: str, actor: str) -> CaseView:
        """Give an open case to a caseworker (a new case becomes assigned)."""
        with session_scope(self.database_url) as s:
            row = self._open(s, case_id)
            before = _state(row)
            row.assigned_to = username
            if row.status == NEW:
                row.status = ASSIGNED
            row.updated_at = utcnow()
            record(s, actor, "case.assign", TARGET_TYPE, str(row.id), before, _state(row))
            return _full_view(s, row)

    def set_status(self, case_id: int, status: str, actor: str) -> CaseView:
        """Change an open case's status; closing goes through close(). Assigned with nobody named means the
        actor."""
        if status not in CASE_STATUSES:
            raise CaseError(f"unknown status {status!r}")
        if status == CLOSED:
            return self.close(case_id, actor)
        with session_scope(self.database_url) as s:
            row = self._open(s, case_id)
            before = _state(row)
            row.status = status
            if status in (ASSIGNED, WAITING_USER) and not row.assigned_to:
                row.assigned_to = actor
            row.updated_at = utcnow()
            record(s, actor, "case.status", TARGET_TYPE, str(row.id), before, _state(row))
            return _full_view(s, row)

    def reply(self, case_id: int, username: str, text: str) -> CaseView:
        """Store a caseworker's reply (status waiting_user, assigned to them if nobody was). The caller puts it in
        the outbox of the case's channel."""
        if not (text or "").strip():
            raise CaseError("empty reply")
        with session_scope(self.database_url) as s:
            row = self._open(s, case_id)
            before = _state(row)
            now = utcnow()
            line = CaseMessage(case_id=row.id, at=now, author=STAFF, staff_username=username, text=text.strip())
            s.add(line)
            row.status = WAITING_USER
            row.assigned_to = row.assigned_to or username
            row.last_staff_at = row.updated_at = now
            s.flush()
            record(s, username, "case.reply", TARGET_TYPE, str(row.id), before,
                   {**_state(row), "message_id": line.id})
            return _full_view(s, row)

    def close(self, case_id: int, actor: str) -> CaseView:
        """Close the case: the bot answers the person again. The caller tells the person."""
        with session_scope(self.database_url) as s:
            row = self._open(s, case_id)
            before = _state(row)
            now = utcnow()
            row.status, row.closed_at, row.updated_at = CLOSED, now, now
            record(s, actor, "case.close", TARGET_TYPE, str(row.id), before, _state(row))
            return _full_view(s, row)

    # --- scheduled work ---------------------------------------------------------------------------------------
    def due_for_holding(self, older_than: dt.timedelta) -> list[CaseView]:
        """Open cases where nobody on the staff has answered for `older_than` and no holding message was sent."""
        cutoff = utcnow() - older_than
        with session_scope(self.database_url) as s:
            rows = s.scalars(select(Case).where(
                Case.status.in_(list(OPEN_CASE_STATUSES)), Case.holding_sent_at.is_(None),
                Case.last_staff_at.is_(None), Case.created_at <= cutoff,
            ).order_by(Case.created_at, Case.id))
            return [_view(row) for row in rows]

    def mark_holding_sent(self, case_id: int) -> None:
        with session_scope(self.database_url) as s:
            self._row(s, case_id).holding_sent_at = utcnow()

    def mark_alerted(self, case_id: int) -> None:
        with session_scope(self.database_url) as s:
            self._row(s, case_id).alerted_at = utcnow()

    def delete_person(self, sender_id: str) -> int:
        """Delete every case and transcript line of this person; returns how many cases."""
        with session_scope(self.database_url) as s:
            ids = list(s.scalars(select(Case.id).where(Case.sender_id == sender_id)))
            return self._delete(s, ids)

    def purge_older_than(self, cutoff: dt.datetime) -> int:
        """Delete closed cases (and their lines) closed before `cutoff`; returns how many."""
        with session_scope(self.database_url) as s:
            ids = list(s.scalars(select(Case.id).where(Case.status == CLOSED, Case.closed_at < cutoff)))
            return self._delete(s, ids)

    # --- helpers --------------------------------------------------------------------------------------------
    @staticmethod
    def _open_row(session: Session, sender_id: str) -> Optional[Case]:
        return session.scalars(select(Case).where(Case.sender_id == sender_id,
                                                  Case.status.in_(list(OPEN_CASE_STATUSES)))
                               .order_by(Case.id.desc()).limit(1)).first()

    @staticmethod
    def _row(session: Session, case_id: int) -> Case:
        row = session.get(Case, case_id)
        if row is None:
            raise CaseError(f"no case {case_id}")
        return row

    def _open(self, session: Session, case_id: int) -> Case:
        row = self._row(session, case_id)
        if row.status == CLOSED:
            raise CaseError(f"case {case_id} is closed")
        return row

    @staticmethod
    def _delete(session: Session, ids: list[int]) -> int:
        if ids:
            session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(ids)))
            session.execute(delete(Case).where(Case.id.in_(ids)))
        return len(ids)

"""The case repository: the one API for handoff, used by the actions (open a case, stay silent, keep the
transcript) and by the console (the caseworker queue, replies, closing). One short-lived session per call,
frozen dataclasses out; every staff action is audited (bot.staff.audit) in the same transaction.

    cases = CaseRepository()
    case = cases.open_case(sender_id, "webchat", "es", "risks.trafficking", ASKED, transcript)
    cases.active_case(sender_id)                          # the open case, or None: the bot stays silent
    cases.add_message(case.id, USER, "hola, sigo aquí")
    cases.reply(case.id, "rosa", "Hola, soy Rosa...")     # stored; the caller delivers it (outbox)
    cases.close(case.id, "rosa")                          # the bot answers again
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, Sequence


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
        raise NotImplementedError


class CaseError(ValueError):
    """A request the handoff rules do not allow (unknown case, closed case, bad status...)."""


class CaseRepository:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url

    def open_case(self, sender_id: str, channel: str, lang: str, topic_id: Optional[str], reason: str,
                  transcript: Sequence[tuple[str, str]] = ()) -> CaseView:
        """Open a case (status new) with the recent conversation as (author, text) lines; if the person already
        has an open case, return that one unchanged."""
        raise NotImplementedError

    def active_case(self, sender_id: str) -> Optional[CaseView]:
        """The person's open case (new, assigned or waiting_user), or None."""
        raise NotImplementedError

    def add_message(self, case_id: int, author: str, text: str, staff_username: Optional[str] = None) -> None:
        """Append a transcript line (a user message while paused, a bot notice...); updates last_user_at."""
        raise NotImplementedError

    def get(self, case_id: int) -> Optional[CaseView]:
        """One case with its whole transcript, oldest line first."""
        raise NotImplementedError

    def queue(self, statuses: Sequence[str] = ("new", "assigned", "waiting_user"), limit: int = 200) -> list[CaseView]:
        """Cases in these statuses, oldest first (who has waited longest on top)."""
        raise NotImplementedError

    def assign(self, case_id: int, username: str, actor: str) -> CaseView:
        raise NotImplementedError

    def set_status(self, case_id: int, status: str, actor: str) -> CaseView:
        raise NotImplementedError

    def reply(self, case_id: int, username: str, text: str) -> CaseView:
        """Store a caseworker's reply (status waiting_user, assigned to them if nobody was). The caller puts it in
        the outbox of the case's channel."""
        raise NotImplementedError

    def close(self, case_id: int, actor: str) -> CaseView:
        """Close the case: the bot answers the person again. The caller tells the person."""
        raise NotImplementedError

    def due_for_holding(self, older_than: dt.timedelta) -> list[CaseView]:
        """Open cases where nobody on the staff has answered for `older_than` and no holding message was sent."""
        raise NotImplementedError

    def mark_holding_sent(self, case_id: int) -> None:
        raise NotImplementedError

    def mark_alerted(self, case_id: int) -> None:
        raise NotImplementedError

    def delete_person(self, sender_id: str) -> int:
        """Delete every case and transcript line of this person; returns how many cases."""
        raise NotImplementedError

    def purge_older_than(self, cutoff: dt.datetime) -> int:
        """Delete closed cases (and their lines) closed before `cutoff`; returns how many."""
        raise NotImplementedError

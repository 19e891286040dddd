"""What a person can ask about their data, and how long anything is kept.

    delete_person(sender_id, tracker_store)   "borrar mis datos": everything about the person, at once
    person_data(sender_id, tracker_store)      "mis datos": what is held (counts and dates, never the contents)
    person_summary(sender_id, tracker_store, lang)   the same as a short plain text for the person
    retention_run(days, tracker_store)         delete what is older than RETENTION_DAYS (safe to run twice)
    privacy_command(text)                      which of these a message asks for, if any

A person is known by the channel's keyed pseudonym (`sender_id`, bot.privacy.pseudonym). What is kept about
them, and where:

- the conversation (Rasa's tracker store: SQL in production, in memory locally);
- cases and their transcripts (bot.handoff: `cases`, `case_messages`);
- replies in the outbox (`outbox`);
- questions the assistant could not answer, redacted (`unanswered_questions.sender_id`);
- how to reach them: the phone number or Telegram chat id (`channel_contacts`);
- staff audit entries that name the conversation (`audit_log`): kept, with the pseudonym and contact blanked.

`tracker_store_or_url` is Rasa's tracker store object (in the Rasa server), a database URL of Rasa's SQL
tracker store (the `bot` command), or None (no tracker store to touch: local in-memory conversations live
only inside the Rasa process). Nothing here logs a sender id, a contact or a message.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import Text, cast, create_engine, delete, func, inspect, or_, select, text, update

from bot.content.models import UnansweredQuestion
from bot.db import session_scope, utcnow
from bot.language import text as interface_text
from bot.messaging.models import ChannelContact, InboundMessage, InboundState, OutboxMessage
from bot.staff.models import AuditEntry

logger = logging.getLogger(__name__)

ERASED = "[borrado]"
NOTICE, SUMMARY, DELETE = "notice", "summary", "delete"
# Exact messages (accent- and case-folded, punctuation ignored, an optional leading "/") that are privacy
# commands on every channel; each with the language it is written in.
COMMANDS: dict[str, tuple[str, str]] = {
    "privacidad": (NOTICE, "es"), "aviso de privacidad": (NOTICE, "es"), "privacy": (NOTICE, "en"),
    "privacy notice": (NOTICE, "en"),
    "mis datos": (SUMMARY, "es"), "misdatos": (SUMMARY, "es"), "ver mis datos": (SUMMARY, "es"),
    "my data": (SUMMARY, "en"), "mydata": (SUMMARY, "en"),
    "borrar": (DELETE, "es"), "borrar mis datos": (DELETE, "es"), "eliminar mis datos": (DELETE, "es"),
    "borrar datos": (DELETE, "es"), "delete": (DELETE, "en"), "delete my data": (DELETE, "en"),
}
_COMMAND_PREFIX = re.compile(r"^/(\w+)(?:@\w+)?$")


def privacy_command(message: Optional[str]) -> Optional[tuple[str, str]]:
    """(NOTICE | SUMMARY | DELETE, language of the words) when the message is exactly a privacy command
    ("privacidad", "/privacidad", "mis datos", "BORRAR", "delete my data"...), else None."""
    from bot.language import words

    if not isinstance(message, str) or len(message) > 60:
        return None
    stripped = message.strip()
    slash = _COMMAND_PREFIX.match(stripped)
    if slash:
        stripped = slash.group(1).replace("_", " ")
    return COMMANDS.get(" ".join(words(stripped)))


# --- the tracker store ---------------------------------------------------------------------------------
def _unwrap(store: Any) -> Any:
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _engine(url: str):
    return create_engine(url, pool_pre_ping=True)


def _has_events_table(engine) -> bool:
    return inspect(engine).has_table("events")


def _conversation_delete(store_or_url: Any, sender_id: str) -> int:
    """Delete the conversation's events; how many (1 for an in-memory conversation)."""
    if store_or_url is None:
        return 0
    if isinstance(store_or_url, str):
        engine = _engine(store_or_url)
        try:
            if not _has_events_table(engine):
                return 0
            with engine.begin() as connection:
                return connection.execute(text("DELETE FROM events WHERE sender_id = :s"),
                                          {"s": sender_id}).rowcount or 0
        finally:
            engine.dispose()
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore

    store = _unwrap(store_or_url)
    if isinstance(store, InMemoryTrackerStore):
        return 1 if store.store.pop(sender_id, None) is not None else 0
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            removed = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
            session.commit()
            return removed or 0
    from bot.messaging.conversations import _delete

    return 1 if _delete(store, sender_id) else 0


def _memory_events(serialised: str) -> list[dict]:
    try:
        return list(json.loads(serialised).get("events") or [])
    except (TypeError, ValueError, AttributeError):
        return []


def _conversation_facts(store_or_url: Any, sender_id: str) -> tuple[int, Optional[dt.datetime]]:
    """(number of stored events, time of the first) of the conversation."""
    if store_or_url is None:
        return 0, None
    first: Optional[float] = None
    count = 0
    if isinstance(store_or_url, str):
        engine = _engine(store_or_url)
        try:
            if _has_events_table(engine):
                with engine.connect() as connection:
                    count, first = connection.execute(
                        text("SELECT count(*), min(timestamp) FROM events WHERE sender_id = :s"), {"s": sender_id}
                    ).one()
        finally:
            engine.dispose()
    else:
        from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore

        store = _unwrap(store_or_url)
        if isinstance(store, InMemoryTrackerStore):
            events = _memory_events(store.store.get(sender_id, ""))
            stamps = [e.get("timestamp") for e in events if isinstance(e.get("timestamp"), (int, float))]
            count, first = len(events), (min(stamps) if stamps else None)
        elif isinstance(store, SQLTrackerStore):
            with store.session_scope() as session:
                count, first = session.query(func.count(store.SQLEvent.id), func.min(store.SQLEvent.timestamp)).filter(
                    store.SQLEvent.sender_id == sender_id).one()
    when = dt.datetime.fromtimestamp(first, dt.timezone.utc).replace(tzinfo=None) if first else None
    return int(count or 0), when


def _conversations_purge(store_or_url: Any, cutoff: dt.datetime) -> int:
    """Delete conversation events older than the cutoff (in memory: conversations whose last event is)."""
    if store_or_url is None:
        return 0
    stamp = cutoff.replace(tzinfo=dt.timezone.utc).timestamp()
    if isinstance(store_or_url, str):
        engine = _engine(store_or_url)
        try:
            if not _has_events_table(engine):
                return 0
            with engine.begin() as connection:
                return connection.execute(text("DELETE FROM events WHERE timestamp < :t"), {"t": stamp}).rowcount or 0
        finally:
            engine.dispose()
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore

    store = _unwrap(store_or_url)
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            removed = session.query(store.SQLEvent).filter(store.SQLEvent.timestamp < stamp).delete()
            session.commit()
            return removed or 0
    if isinstance(store, InMemoryTrackerStore):
        old = []
        for sender_id, serialised in list(store.store.items()):
            stamps = [e.get("timestamp") for e in _memory_events(serialised)
                      if isinstance(e.get("timestamp"), (int, float))]
            if stamps and max(stamps) < stamp:
                old.append(sender_id)
        for sender_id in old:
            store.store.pop(sender_id, None)
        return len(old)
    logger.warning("retention: conversations in %s are not purged (unsupported store)", type(store).__name__)
    return 0


# --- the content database ------------------------------------------------------------------------------
def _erase_from_audit(session, secrets: list[str]) -> int:
    """Blank the pseudonym and the contact wherever an audit entry names them; the entry itself stays."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return 0
    columns = (AuditEntry.target_id, AuditEntry.note, cast(AuditEntry.before, Text), cast(AuditEntry.after, Text))
    condition = or_(*[column.contains(secret) for column in columns for secret in secrets])
    changed = 0
    for entry in session.scalars(select(AuditEntry).where(condition)):
        def scrub(value: Any) -> Any:
            if value is None:
                return None
            dumped = json.dumps(value) if not isinstance(value, str) else value
            for secret in secrets:
                dumped = dumped.replace(secret, ERASED)
            return json.loads(dumped) if not isinstance(value, str) else dumped

        entry.target_id = scrub(entry.target_id)[:200]
        entry.note = scrub(entry.note)
        entry.before = scrub(entry.before)
        entry.after = scrub(entry.after)
        changed += 1
    return changed


@dataclass(frozen=True)
class Deleted:
    conversation_events: int
    cases: int
    outbox: int
    unanswered: int
    contacts: int
    audit_entries_blanked: int

    @property
    def anything(self) -> bool:
        return any((self.conversation_events, self.cases, self.outbox, self.unanswered, self.contacts))


def delete_person(sender_id: str, tracker_store_or_url: Any = None, database_url: Optional[str] = None,
                  keep_contact: bool = False) -> Deleted:
    """Delete everything about this person: conversation events, cases and transcripts, replies in the
    outbox, unanswered questions and (unless `keep_contact`, used to send the confirmation first) the contact.
    Safe to repeat. The outbox, questions and contact are deleted even if the tracker store or the cases fail
    (the first error is raised after)."""
    from bot.handoff.cases import CaseRepository

    error: Optional[BaseException] = None
    try:
        events = _conversation_delete(tracker_store_or_url, sender_id)
    except Exception as failure:  # noqa: BLE001 - everything else is still deleted; raised at the end
        error, events = failure, 0
    try:
        cases = CaseRepository(database_url).delete_person(sender_id)
    except Exception as failure:  # noqa: BLE001 - the contact must go whatever failed; raised at the end
        error, cases = error or failure, 0
    with session_scope(database_url) as s:
        contact = s.get(ChannelContact, sender_id)
        address = contact.address if contact is not None else None
        outbox = s.execute(delete(OutboxMessage).where(OutboxMessage.sender_id == sender_id)).rowcount or 0
        # A message not yet answered (kept with its text until then) keeps only its id, as answered: nothing about
        # the person stays, and the platform redelivering it (the "borrar" message itself) is not processed again.
        s.execute(update(InboundMessage).where(InboundMessage.sender_id == sender_id)
                  .values(state=InboundState.DONE.value, sender_id=None, body=None, meta=None))
        unanswered = s.execute(
            delete(UnansweredQuestion).where(UnansweredQuestion.sender_id == sender_id)).rowcount or 0
        blanked = _erase_from_audit(s, [sender_id, address or ""])
        contacts = 0
        if not keep_contact:
            contacts = s.execute(delete(ChannelContact).where(ChannelContact.sender_id == sender_id)).rowcount or 0
    if error is not None:
        raise error
    return Deleted(events, cases, outbox, unanswered, contacts, blanked)


@dataclass(frozen=True)
class PersonData:
    """What is held about one person: counts and dates, never message texts or the contact itself."""

    channel: Optional[str]  # where we can reach them (the number or chat id is held, not shown here)
    contact_since: Optional[dt.datetime]
    conversation_events: int
    conversation_since: Optional[dt.datetime]
    cases: int
    open_cases: int
    case_messages: int
    outbox: int
    unanswered: int


def person_data(sender_id: str, tracker_store_or_url: Any = None,
                database_url: Optional[str] = None) -> PersonData:
    from bot.handoff.models import OPEN_CASE_STATUSES, Case, CaseMessage

    events, since = _conversation_facts(tracker_store_or_url, sender_id)
    with session_scope(database_url) as s:
        contact = s.get(ChannelContact, sender_id)
        cases = s.execute(select(Case.status).where(Case.sender_id == sender_id)).scalars().all()
        lines = s.scalar(select(func.count(CaseMessage.id)).join(Case, Case.id == CaseMessage.case_id)
                         .where(Case.sender_id == sender_id)) or 0
        outbox = s.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sender_id == sender_id)) or 0
        unanswered = s.scalar(select(func.count(UnansweredQuestion.id))
                              .where(UnansweredQuestion.sender_id == sender_id)) or 0
        return PersonData(contact.channel if contact else None, contact.created_at if contact else None, events,
                          since, len(cases), sum(1 for c in cases if c in OPEN_CASE_STATUSES), int(lines),
                          int(outbox), int(unanswered))


CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram", "webchat": "web chat"}


def _date(value: Optional[dt.datetime]) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"


def person_summary(sender_id: str, tracker_store_or_url: Any = None, lang: str = "es",
                   database_url: Optional[str] = None, retention_days: Optional[int] = None) -> str:
    """ "mis datos": a short plain text of what is held about the person, how long, and how to delete it."""
    from bot.settings import get_settings

    data = person_data(sender_id, tracker_store_or_url, database_url)
    days = retention_days or get_settings().retention_days
    lines = [interface_text("my_data_title", lang)]
    if data.channel:
        channel = CHANNEL_NAMES.get(data.channel, data.channel)
        lines.append("- " + interface_text("my_data_contact", lang, channel=channel, since=_date(data.contact_since)))
    if data.conversation_events:
        lines.append("- " + interface_text("my_data_conversation", lang, count=str(data.conversation_events),
                                           since=_date(data.conversation_since)))
    if data.cases:
        lines.append("- " + interface_text("my_data_cases", lang, count=str(data.cases), open=str(data.open_cases),
                                           lines=str(data.case_messages)))
    if data.unanswered:
        lines.append("- " + interface_text("my_data_unanswered", lang, count=str(data.unanswered)))
    if data.outbox:
        lines.append("- " + interface_text("my_data_outbox", lang, count=str(data.outbox)))
    if len(lines) == 1:
        lines.append("- " + interface_text("my_data_nothing", lang))
    lines.append(interface_text("my_data_footer", lang, days=str(days)))
    return "\n".join(lines)


def privacy_notice(lang: str, retention_days: Optional[int] = None) -> str:
    """The full notice ("privacidad"): what is stored, for how long, who sees it, how to see or delete it."""
    from bot.settings import get_settings

    return interface_text("privacy_notice", lang, days=str(retention_days or get_settings().retention_days))


# --- retention -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.datetime
    conversation_events: int
    cases: int
    outbox: int
    unanswered: int
    contacts: int

    def summary(self) -> str:
        return (f"older than {self.cutoff:%Y-%m-%d %H:%M} UTC deleted: {self.conversation_events} conversation "
                f"event(s), {self.cases} case(s), {self.outbox} outbox reply(ies), {self.unanswered} unanswered "
                f"question(s), {self.contacts} contact(s)")


def retention_run(days: Optional[int] = None, tracker_store_or_url: Any = None,
                  database_url: Optional[str] = None, now: Optional[dt.datetime] = None) -> RetentionResult:
    """Delete conversations, closed cases, outbox replies, unanswered questions and contacts older than
    `days` (RETENTION_DAYS). Contacts go when the person has not written for that long and has no open case.
    Running it twice deletes nothing more the second time."""
    from bot.handoff.cases import CaseRepository
    from bot.handoff.models import OPEN_CASE_STATUSES, Case
    from bot.settings import get_settings

    days = days or get_settings().retention_days
    if days < 1:
        raise ValueError("retention days must be 1 or more")
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    events = _conversations_purge(tracker_store_or_url, cutoff)
    cases = CaseRepository(database_url).purge_older_than(cutoff)
    with session_scope(database_url) as s:
        outbox = s.execute(delete(OutboxMessage).where(OutboxMessage.created_at < cutoff)).rowcount or 0
        unanswered = s.execute(
            delete(UnansweredQuestion).where(UnansweredQuestion.created_at < cutoff)).rowcount or 0
        open_people = select(Case.sender_id).where(Case.status.in_(OPEN_CASE_STATUSES))
        last_seen = func.coalesce(ChannelContact.last_inbound_at, ChannelContact.created_at)
        contacts = s.execute(
            delete(ChannelContact)
            .where(last_seen < cutoff, ChannelContact.sender_id.not_in(open_people))
            .execution_options(synchronize_session=False)
        ).rowcount or 0
    result = RetentionResult(cutoff, events, cases, outbox, unanswered, contacts)
    logger.info("retention: %s", result.summary())
    return result


def tracker_url_from_environment(environ: Optional[dict[str, str]] = None) -> Optional[str]:
    """The SQL tracker store's URL for the `bot` command: TRACKER_STORE_URL, else the TRACKER_DB_* variables of
    endpoints.production.yml (PostgreSQL), else None (local: conversations live in the Rasa process)."""
    import os

    from sqlalchemy.engine import URL

    env = os.environ if environ is None else environ
    if env.get("TRACKER_STORE_URL"):
        return env["TRACKER_STORE_URL"]
    if not env.get("TRACKER_DB_HOST"):
        return None
    return URL.create("postgresql", username=env.get("TRACKER_DB_USER") or None,
                      password=env.get("TRACKER_DB_PASSWORD") or None, host=env["TRACKER_DB_HOST"],
                      port=int(env.get("TRACKER_DB_PORT") or 5432),
                      database=env.get("TRACKER_DB_NAME") or "rasa").render_as_string(hide_password=False)


__all__ = ["COMMANDS", "DELETE", "Deleted", "NOTICE", "PersonData", "RetentionResult", "SUMMARY", "delete_person",
           "person_data", "person_summary", "privacy_command", "privacy_notice", "retention_run",
           "tracker_url_from_environment"]

"""Getting what the staff say to the person, on the person's own channel, through the outbox (in order, with the
channel's retries). The console calls these; a background pass (`run_due`) sends holding messages and alerts
the Telegram staff group.

    send_reply(cases, case_id, "rosa", "Hola, soy Rosa...")   # stored in the transcript, queued for the person
    close_case(cases, case_id, "rosa")                         # the bot is back, and the person is told so
    reply_window(case)                                         # WhatsApp: "open" | "template" | "no_template"
    run_due()                                                  # holding messages and staff alerts that are due

Web chat replies wait in the outbox until the chat page asks for them (channels/webchat: GET /updates).
Nothing here logs a message text, a contact or a pseudonym.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Optional

from bot.db import session_scope, utcnow
from bot.handoff.cases import CaseError, CaseRepository, CaseView
from bot.handoff.models import SYSTEM, Case
from bot.language import text as interface_text
from bot.messaging.formatting import split_text
from bot.messaging.models import ChannelContact
from bot.messaging.store import ChannelStore
from bot.settings import get_settings
from bot.staff.audit import record

logger = logging.getLogger(__name__)

WHATSAPP, TELEGRAM, WEBCHAT = "whatsapp", "telegram", "webchat"
# WhatsApp's customer service window: after it, only an approved template may be sent.
WHATSAPP_WINDOW = dt.timedelta(hours=24)
OPEN, TEMPLATE, NO_TEMPLATE = "open", "template", "no_template"
# The longest text one message may carry on each channel (longer replies go out in parts, in order).
LIMITS = {WHATSAPP: 1600, TELEGRAM: 4096}
REPLY_MAX_CHARS = 3000
# The outbox "person" that stands for the Telegram staff group (its contact is the group's chat id).
STAFF_GROUP_SENDER = "telegram-staff-group"
DEFAULT_HOLDING_MINUTES = 60
DEFAULT_CHECK_SECONDS = 30.0
STAFF_ALERT = "Brújula: caso nuevo #{case_id} · tema: {topic}. Tómelo y responda desde la consola."


def notice(key: str, lang: str) -> str:
    """A notice for the person, in their language: "closed" (the bot is back) or "holding" (nobody yet)."""
    return interface_text(f"handoff_{key}", lang)


def _store(database_url: Optional[str]) -> ChannelStore:
    return ChannelStore(database_url)


def last_inbound_at(sender_id: str, database_url: Optional[str] = None) -> Optional[dt.datetime]:
    contact = _store(database_url).contact(sender_id)
    return contact.last_inbound_at if contact else None


def reply_window(case: CaseView, database_url: Optional[str] = None, now: Optional[dt.datetime] = None) -> str:
    """How a free-text reply reaches the person now: OPEN; or, on WhatsApp after 24 hours without a message from
    the person, TEMPLATE (the approved template carries the text) or NO_TEMPLATE (none configured: it would
    fail)."""
    if case.channel != WHATSAPP:
        return OPEN
    last = last_inbound_at(case.sender_id, database_url)
    if last is not None and (now or utcnow()) - last <= WHATSAPP_WINDOW:
        return OPEN
    return TEMPLATE if get_settings().twilio_template_content_sid else NO_TEMPLATE


def parts_for(channel: str, text: str) -> list[dict]:
    """Outbox parts for one text on this channel (split at the channel's limit, order kept)."""
    text = (text or "").strip()
    limit = LIMITS.get(channel)
    chunks = split_text(text, limit) if limit else ([text] if text else [])
    return [{"body": chunk} for chunk in chunks]


def to_person(case: CaseView, text: str, database_url: Optional[str] = None) -> list[int]:
    """Queue a text for the person of this case, on the case's channel. Returns the outbox row ids."""
    parts = parts_for(case.channel, text)
    if not parts:
        return []
    return _store(database_url).enqueue(case.channel, case.sender_id, parts)


def clean_reply(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise CaseError("empty reply")
    if len(text) > REPLY_MAX_CHARS:
        raise CaseError(f"reply longer than {REPLY_MAX_CHARS} characters")
    return text


def send_reply(cases: CaseRepository, case_id: int, username: str, text: str) -> CaseView:
    """A caseworker's reply: kept in the transcript (CaseRepository.reply), then queued for the person."""
    text = clean_reply(text)
    case = cases.reply(case_id, username, text)
    to_person(case, text, cases.database_url)
    return case


def close_case(cases: CaseRepository, case_id: int, actor: str) -> CaseView:
    """Close the case (the bot answers again) and tell the person so, in their language, on their channel."""
    before = cases.get(case_id)
    if before is None:
        raise CaseError("unknown case")
    message = notice("closed", before.lang)
    case = cases.close(case_id, actor)
    to_person(case, message, cases.database_url)
    try:
        cases.add_message(case_id, SYSTEM, message)
    except CaseError:  # a repository that keeps closed transcripts read-only: the notice is still sent
        pass
    return case


def send_holding_messages(cases: CaseRepository, older_than: dt.timedelta) -> int:
    """Once per case: tell a person nobody has answered yet, and that the menu is still there."""
    sent = 0
    for case in cases.due_for_holding(older_than):
        message = notice("holding", case.lang)
        cases.mark_holding_sent(case.id)  # first, so a failure below can never repeat the message
        to_person(case, message, cases.database_url)
        cases.add_message(case.id, SYSTEM, message)
        sent += 1
    return sent


def staff_alert_text(case: CaseView) -> str:
    return STAFF_ALERT.format(case_id=case.id, topic=case.topic_id or "—")


def alert_staff_group(cases: CaseRepository, chat_id: str) -> int:
    """Tell the Telegram staff group about new cases: the case number and topic only, never who wrote."""
    new_cases = [c for c in cases.queue(statuses=("new",)) if c.alerted_at is None]
    if not new_cases:
        return 0
    store = _store(cases.database_url)
    store.touch_contact(STAFF_GROUP_SENDER, TELEGRAM, chat_id, inbound=False)
    for case in new_cases:
        cases.mark_alerted(case.id)
        store.enqueue(TELEGRAM, STAFF_GROUP_SENDER, [{"body": staff_alert_text(case)}])
    return len(new_cases)


def holding_after() -> dt.timedelta:
    minutes = getattr(get_settings(), "handoff_holding_minutes", DEFAULT_HOLDING_MINUTES)
    return dt.timedelta(minutes=float(minutes))


def check_interval_seconds() -> float:
    return float(getattr(get_settings(), "handoff_check_seconds", DEFAULT_CHECK_SECONDS))


def run_due(database_url: Optional[str] = None) -> dict[str, int]:
    """One background pass: holding messages that are due, and staff alerts for new cases."""
    settings = get_settings()
    cases = CaseRepository(database_url)
    done = {"holding": send_holding_messages(cases, holding_after()), "alerted": 0}
    if settings.telegram_staff_chat_id and settings.telegram_bot_token:
        done["alerted"] = alert_staff_group(cases, settings.telegram_staff_chat_id)
    return done


def reveal_contact(case_id: int, actor: str, reason: str, database_url: Optional[str] = None) -> Optional[str]:
    """The person's contact (phone number, chat id), for an admin who states why. Who, when and why go to the
    audit log in the same transaction; the contact itself never does. None when there is no contact (web chat,
    or deleted)."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise CaseError("a reason is required")
    with session_scope(database_url) as s:
        case = s.get(Case, case_id)
        if case is None:
            raise CaseError("unknown case")
        contact = s.get(ChannelContact, case.sender_id)
        record(s, actor, "case.reveal_contact", "case", str(case_id), note=reason[:500],
               after={"found": contact is not None})
        return contact.address if contact is not None else None


"""The bot's side of the handoff to a person (the cases themselves: bot.handoff.cases).

When a person is offered:
- they ask for one (the help.human intent, or its option in a menu): the reply is the offer, two numbered
  options, "Sí, hablar con una persona" / "No, seguir con el menú";
- two understandings in a row failed: the second fallback's options end with "Hablar con una persona";
- the answer is about a sensitive topic (bot.handoff.policy.SENSITIVE_TOPICS, danger replies included): its
  first option is "Hablar con una persona".
The option that accepts is /help.human{"handoff": "<why>"}; choosing it (its number, its title typed out, or the
button) opens a case with the last lines of the conversation, and the reply says that a person will answer here,
when (office hours, bot.handoff.policy), and how to stop waiting. Typing "hablar con una persona" again, or "sí"
right after the offer, also accepts.

While the person's case is open, every action sends nothing: the message goes to the case's transcript, and the
caseworker answers from the console. Two exceptions, checked on every message:
- danger (emergency or crisis) gets the emergency or crisis answer at once, without options, and the message
  goes to the transcript with a note that marks it;
- "menú" (or "menu", "menú principal", the main-menu button) means the person stops waiting: the case closes
  with a note for the caseworker, and the person gets a short confirmation and the main menu. A number alone
  ("0", "2") is not enough: while a caseworker asks questions, a number is an answer for them.
Once a caseworker closes the case, the next message is answered normally: the check is one indexed query per
message, no slot. When the database cannot be reached the check fails like every other lookup: the person gets
the apology and the menu, as before.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Optional, Sequence

from actions import replies, understanding
from actions.replies import Reply
from actions.turn import Turn
from bot.content.topics import HUMAN_TOPIC, OUT_OF_SCOPE
from bot.handoff.cases import CaseRepository, CaseView
from bot.handoff.models import ASKED, BOT, SENSITIVE, SYSTEM, USER
from bot.handoff.policy import SENSITIVE_TOPICS, OfficeHours, describe, when_to_expect
from bot.language import option_number, text, words
from bot.observability import metrics

logger = logging.getLogger(__name__)

# How many lines of the conversation (the person's and the bot's) a new case starts with.
TRANSCRIPT_LINES = 12
# A bot line longer than this is cut in the transcript (the caseworker needs the gist, not the whole answer).
BOT_LINE_CHARS = 300
# What stops waiting for a person, as folded words.
MENU_WORDS = {("menu",), ("el", "menu"), ("menu", "principal"), ("main", "menu"), ("volver", "al", "menu"),
              ("back", "to", "menu"), ("the", "menu")}
# "Yes" right after the offer.
YES_WORDS = {("si",), ("yes",), ("si", "por", "favor"), ("yes", "please"), ("claro",), ("claro", "que", "si")}
# Transcript notes for the caseworker (staff read Spanish first).
DANGER_NOTES = {
    "emergency": "Peligro detectado (emergencia): Brújula envió al momento la respuesta de emergencia.",
    "crisis": "Crisis detectada: Brújula envió al momento la respuesta de crisis.",
}


def now() -> dt.datetime:
    """The current time (tests set it, to check what people are told about office hours)."""
    return dt.datetime.now(dt.timezone.utc)


def cases(turn: Turn) -> CaseRepository:
    return CaseRepository(turn.repo.database_url)


def active_case(turn: Turn) -> Optional[CaseView]:
    """The person's open case, or None: one indexed query."""
    return cases(turn).active_case(turn.tracker.sender_id)


# --- while a case is open -------------------------------------------------------------------------------------
def wants_menu(turn: Turn) -> bool:
    return turn.text.strip() == replies.payload(replies.MAIN_MENU) or tuple(words(turn.text)) in MENU_WORDS


def while_paused(turn: Turn, case: CaseView) -> Optional[Reply]:
    """What the bot says to a person whose case is open: None (silence) except for danger and "menú"."""
    repo = cases(turn)
    if turn.danger:
        reply = understanding.danger_reply(turn, turn.danger, paused=True)
        repo.add_message(case.id, USER, user_line(turn.text, shown(turn)))
        repo.add_message(case.id, SYSTEM, DANGER_NOTES[turn.danger])
        return reply
    if wants_menu(turn):
        repo.add_message(case.id, USER, user_line(turn.text, shown(turn)))
        repo.close_by_person(case.id)
        reply = Reply(slots={"reply_kind": replies.KIND_MENU}).say(text("handoff_left", turn.lang))
        return reply.extend(replies.main_menu(turn.lang))
    repo.add_message(case.id, USER, user_line(turn.text, shown(turn)))
    return None


# --- offering and accepting -----------------------------------------------------------------------------------
def shown(turn: Turn) -> list[dict[str, str]]:
    return [o for o in turn.tracker.get_slot("last_options") or []
            if isinstance(o, dict) and o.get("title") and o.get("payload")]


def accepted(turn: Turn, choice: Optional[str], options: Sequence[dict[str, str]]) -> Optional[str]:
    """Why a person was offered, when this message accepts the offer; None otherwise."""
    for candidate in (choice, turn.text if turn.is_payload else None):
        reason = replies.handoff_reason(candidate) if candidate else None
        if reason:
            return reason
    if turn.is_payload or choice:
        return None
    offered = [r for r in (replies.handoff_reason(o["payload"]) for o in options) if r]
    if not offered:
        return None
    asked_again = turn.intent == HUMAN_TOPIC
    said_yes = (turn.tracker.get_slot("reply_kind") == replies.KIND_HANDOFF_OFFER
                and tuple(words(turn.text)) in YES_WORDS)
    return offered[0] if asked_again or said_yes else None


def asks_for_person(turn: Turn, choice: Optional[str]) -> bool:
    """The person asks for a person: the help.human intent, or its option ("/help.human") chosen."""
    if choice:
        return replies.intent_of(choice) == HUMAN_TOPIC
    return turn.intent == HUMAN_TOPIC


def offer(turn: Turn) -> Reply:
    """"¿Quiere hablar con una persona?" with office hours, and two options: yes (opens a case) / no (the menu)."""
    hours = describe(OfficeHours.from_settings(), turn.lang)
    buttons = [replies.person_option(ASKED, turn.lang, text("handoff_yes", turn.lang)),
               {"title": text("handoff_no", turn.lang), "payload": replies.payload(replies.MAIN_MENU)}]
    # The topic answered is help.human (the dashboard, the evaluation and "más" read it).
    return Reply(slots={"reply_kind": replies.KIND_HANDOFF_OFFER, "topic_id": HUMAN_TOPIC}).say(
        text("handoff_offer", turn.lang, hours=hours), buttons)


def accept(turn: Turn, reason: str) -> Reply:
    """Open the case (or find the open one) with the recent conversation; say who answers, when, and how to stop.
    No options: numbers now belong to the conversation with the caseworker."""
    said = text("handoff_opened", turn.lang, when=when_to_expect(OfficeHours.from_settings(), turn.lang, now()))
    topic_id = turn.tracker.get_slot("topic_id")
    if topic_id in (OUT_OF_SCOPE, HUMAN_TOPIC):
        topic_id = None
    lines = transcript(turn.tracker.events) + [(BOT, said)]
    channel = turn.tracker.get_latest_input_channel() or "unknown"
    case = cases(turn).open_case(turn.tracker.sender_id, channel, turn.lang, topic_id, reason, lines)
    logger.info("handoff case %s opened (%s, %s)", case.id, channel, reason)
    metrics.HANDOFFS.labels(reason).inc()
    return Reply(slots={"reply_kind": replies.KIND_HANDOFF, "last_options": []}).say(said)


def with_offer(turn: Turn, reply: Reply) -> Reply:
    """An answer about a sensitive topic (or about talking to a person) offers a person first among its
    options."""
    topic_id = reply.slots.get("topic_id")
    if reply.slots.get("reply_kind") != replies.KIND_ANSWER:
        return reply
    if topic_id in SENSITIVE_TOPICS:
        return replies.offer_person(reply, SENSITIVE, turn.lang)
    if topic_id == HUMAN_TOPIC:
        return replies.offer_person(reply, ASKED, turn.lang)
    return reply


# --- the transcript -------------------------------------------------------------------------------------------
def _cut(line: str) -> str:
    return line if len(line) <= BOT_LINE_CHARS else line[:BOT_LINE_CHARS - 1].rstrip() + "…"


def user_line(said: str, options: Sequence[dict]) -> str:
    """A message as the caseworker should read it: a button as its title in brackets, an option number with
    the title it chose ("2 (Visa H-2A)")."""
    said = said.strip()
    titles = [(o.get("title"), o.get("payload")) for o in options if isinstance(o, dict)]
    if said.startswith("/"):
        title = next((t for t, p in titles if p == said and t), None)
        return f"[{title or said}]"
    number = option_number(said)
    if number and number <= len(titles) and titles[number - 1][0]:
        return f"{said} ({titles[number - 1][0]})"
    return said


def transcript(events: Sequence[dict], limit: int = TRANSCRIPT_LINES) -> list[tuple[str, str]]:
    """The last `limit` lines of the conversation, (author, text), oldest first: what the person wrote and what
    the bot answered (long answers cut)."""
    lines: list[tuple[str, str]] = []
    options: list[dict] = []
    for event in events:
        kind = event.get("event")
        said = (event.get("text") or "").strip()
        if kind == "bot":
            options = (event.get("data") or {}).get("buttons") or []
            if said:
                lines.append((BOT, _cut(said)))
        elif kind == "user" and said:
            lines.append((USER, user_line(said, options)))
    return lines[-limit:]

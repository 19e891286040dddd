"""Custom actions. Each is thin: read the turn, ask `actions.replies` (which asks the content repository),
send the messages. Any failure is logged without the user's text and becomes an apology plus the menu.
"""
from __future__ import annotations

import abc
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import DBAPIError

from actions import handoff, replies, understanding
from actions.replies import Reply
from actions.turn import Turn
from bot.content.interface import defined_languages, menu_languages
from bot.content.topics import CRISIS_TOPIC, EMERGENCY_TOPIC, HUMAN_TOPIC, OUT_OF_SCOPE
from bot.language import (
    MAYAN_ANY,
    MAYAN_NAMES,
    SUPPORTED,
    has_words,
    mentioned_number,
    named_mayan_language,
    option_number,
    requested_language,
    text,
    words,
)
from bot.messaging.text_input import coordinate
from bot.observability import metrics
from bot.settings import get_settings
from bot.staff import stats

logger = logging.getLogger(__name__)

SLOT_NAMES = ("language", "last_options", "topic_id", "answer_version", "reply_kind", "fallback_count", "faq_id",
              "country", "prefer_audio")


class BrujulaAction(Action, abc.ABC):
    """Shared run(): build the reply, send it, set slots; on any error apologise and show the menu.

    While the person's case is open (a caseworker has the conversation), run() sends nothing at all, whatever
    the action, except the danger answer and the way back to the menu (actions/handoff.py)."""

    # An action that must answer even while a caseworker has the conversation (a privacy command, say).
    answers_while_paused = False

    @abc.abstractmethod
    def name(self) -> Text:
        """The action's name in domain.yml."""

    @abc.abstractmethod
    def respond(self, turn: Turn) -> Reply:
        """The reply to this turn."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        lang = tracker.get_slot("language") or get_settings().default_language
        turn: Optional[Turn] = None
        for attempt in (1, 2):
            try:
                turn = Turn.read(tracker)
                lang = turn.lang
                case = None if self.answers_while_paused else handoff.active_case(turn)
                if case is not None:
                    paused_reply = handoff.while_paused(turn, case)
                    if paused_reply is None:
                        return []  # a caseworker has the conversation: nothing from the bot, on any channel
                    reply = paused_reply
                else:
                    reply = self.reply_to(turn)
                break
            except DBAPIError as error:
                # A pooled connection that died while the database was away (restarted, network cut) fails on its
                # first use, and SQLAlchemy then drops the pool: once, the turn is answered again on a new one.
                if error.connection_invalidated and attempt == 1:
                    logger.warning("action %s: database connection lost; answering again", self.name())
                    continue
                logger.exception("action %s failed; sending apology (sender and text not logged)", self.name())
                reply = replies.unavailable(lang)
                break
            except Exception:  # noqa: BLE001 - the user must get an answer whatever failed
                logger.exception("action %s failed; sending apology (sender and text not logged)", self.name())
                reply = replies.unavailable(lang)
                break
        for message in reply.messages:
            dispatcher.utter_message(**message)
        # Defaults first: any reply resets the fallback counter; a reply's own slots win.
        slots = {"language": lang, "fallback_count": 0.0, **reply.slots}
        record_turn(tracker, turn, lang, reply)
        return [SlotSet(name, value) for name, value in slots.items() if name in SLOT_NAMES]

    def reply_to(self, turn: Turn) -> Reply:
        """The reply when no caseworker has the conversation: danger first, then the offer of a person (accepted
        or asked for), then a chosen option, then the action's own reply."""
        choice = chosen_option(turn)
        reason = handoff.accepted(turn, choice, shown_options(turn))
        if turn.danger:
            return understanding.danger_reply(turn, turn.danger)
        if reason:
            return handoff.accept(turn, reason)
        mayan = None if choice else named_mayan_language(turn.text)
        if mayan:  # "k'iche'", "hablo mam", "idioma maya": whatever the classifier made of it
            return language_reply(turn, mayan)
        if handoff.asks_for_person(turn, choice):
            return handoff.offer(turn)
        reply = dispatch(turn, choice) if choice else self.respond(turn)
        if turn.prefer_audio:
            reply = replies.with_audio(turn.repo, turn.faq, reply, turn.lang)
        return handoff.with_offer(turn, reply)


DANGER_KINDS = {EMERGENCY_TOPIC: stats.KIND_EMERGENCY, CRISIS_TOPIC: stats.KIND_CRISIS}


def record_turn(tracker: Tracker, turn: Optional[Turn], lang: str, reply: Reply) -> None:
    """One row for the dashboard (bot.staff.stats): channel, language, topic and kind of this reply, the FAQ
    entry and the phrasing the matcher chose it by. Never the sender or the text; queued, so it cannot delay the
    reply, and any failure is only logged."""
    try:
        topic_id = reply.slots.get("topic_id")
        faq_slug = reply.slots.get("faq_id")
        kind = reply.slots.get("reply_kind")
        if turn is not None and turn.danger:
            kind = turn.danger
        elif topic_id in DANGER_KINDS:
            kind = DANGER_KINDS[topic_id]
        elif faq_slug and kind == replies.KIND_ANSWER:
            kind = stats.KIND_FAQ
        phrasing_id = None
        if faq_slug and turn is not None and turn.ranked:
            phrasing_id = next((m.phrasing_id for m in turn.ranked if m.entry_slug == faq_slug), None)
        stats.record_turn(tracker.get_latest_input_channel(), lang, topic_id, kind, faq_slug, phrasing_id,
                          database_url=turn.repo.database_url if turn is not None else None)
    except Exception as error:  # noqa: BLE001 - statistics never break a reply
        logger.warning("could not record the turn for the dashboard (%s)", type(error).__name__)


def dispatch(turn: Turn, option: str) -> Reply:
    """The reply to an option (a payload or intent) chosen by a button or a number: a menu, "more", a topic,
    or one FAQ entry."""
    intent, entities = replies.parse_payload(option)
    if intent == replies.LISTEN:
        preference = replies.preference_of(option)
        if preference is not None:
            return replies.set_preference(turn.lang, preference)
        return replies.listen(turn.repo, turn.faq, replies.listen_target(option), turn.lang, turn.prefer_audio)
    if entities.get("faq"):
        return understanding.answer_faq(turn, str(entities["faq"]))
    if intent == replies.MAIN_MENU:
        return replies.main_menu(turn.lang)
    if intent in replies.INTENT_AREAS:
        return replies.area_menu(turn.repo, replies.INTENT_AREAS[intent], turn.lang)
    if intent == replies.ASK_MORE:
        return more(turn)
    if intent == replies.CHANGE_LANGUAGE:
        return language_reply(turn, entities.get("language"))
    return replies.topic_answer(turn.repo, intent, turn.lang)


def language_reply(turn: Turn, wanted: Optional[str]) -> Reply:
    """Switch to `wanted` when it is in the language menu (Spanish and English, whose texts ship in code, also
    when asked for by name), else show the language menu."""
    offered = menu_languages(turn.repo.database_url)
    if wanted in SUPPORTED or wanted in [language.code for language in offered]:
        return replies.language_set(str(wanted))
    # "idioma maya": the Mayan languages not offered yet, unless one is (it is in the menu then)
    asked = MAYAN_NAMES if wanted == MAYAN_ANY else (wanted,)
    mayan_offered = wanted == MAYAN_ANY and any(language.code in MAYAN_NAMES for language in offered)
    not_yet = [] if mayan_offered else [language.autonym for language in defined_languages(turn.repo.database_url)
                                        if language.code in asked and language not in offered]
    return replies.language_menu(offered, turn.lang, not_yet)


def more(turn: Turn) -> Reply:
    topic_id = turn.tracker.get_slot("topic_id")
    if not topic_id or topic_id == OUT_OF_SCOPE:
        return Reply().say(text("more_no_topic", turn.lang), replies.static_main_menu_buttons(turn.lang))
    return replies.topic_answer(turn.repo, topic_id, turn.lang, part="details")


class ActionGreet(BrujulaAction):
    """Greeting, one-line privacy notice and the main menu."""

    def name(self) -> Text:
        return "action_greet"

    def respond(self, turn: Turn) -> Reply:
        consent = text("consent", turn.lang, days=str(get_settings().retention_days))
        reply = Reply().say(f"{text('greeting', turn.lang)}\n{consent}")
        return reply.extend(replies.main_menu(turn.lang))


class ActionShowMenu(BrujulaAction):
    """The main menu, or an area's submenu for the area intents."""

    def name(self) -> Text:
        return "action_show_menu"

    def respond(self, turn: Turn) -> Reply:
        return dispatch(turn, turn.intent or replies.MAIN_MENU)


class ActionAnswerTopic(BrujulaAction):
    """Answer the topic whose id is the predicted intent, from the content database."""

    def name(self) -> Text:
        return "action_answer_topic"

    def respond(self, turn: Turn) -> Reply:
        slug = understanding.entity(turn, "faq")
        if slug:
            return understanding.answer_faq(turn, str(slug))
        return understanding.answer_topic(turn, turn.intent or OUT_OF_SCOPE)


class ActionSelectOption(BrujulaAction):
    """A number that is not one of the options shown ("7", "quiero la 9"): say so and show them again.
    (A valid choice rarely gets here: BrujulaAction.run resolves it first, whatever the intent.)"""

    def name(self) -> Text:
        return "action_select_option"

    def respond(self, turn: Turn) -> Reply:
        number = mentioned_number(turn.text)
        options = shown_options(turn)
        if number == 0:
            return replies.main_menu(turn.lang)
        if number is not None and number <= len(options):
            return dispatch(turn, options[number - 1]["payload"])
        prompt = text("option_unknown", turn.lang, number=str(number if number is not None else "?"))
        return Reply(slots={"reply_kind": replies.KIND_MENU}).say(
            prompt, options or replies.static_main_menu_buttons(turn.lang))


def shown_options(turn: Turn) -> list[dict[str, str]]:
    """The options of the last reply, as shown: [{"title", "payload"}]."""
    return [o for o in turn.tracker.get_slot("last_options") or []
            if isinstance(o, dict) and o.get("title") and o.get("payload")]


def chosen_option(turn: Turn) -> Optional[str]:
    """The payload of the option the person chose: a message that is only its number ("2", "la dos"; 0 is
    the main menu) or its title typed out. None when the message is not such a choice."""
    options = shown_options(turn)
    if turn.is_payload and replies.intent_of(turn.text) == replies.LISTEN:  # a pressed button (not an intent)
        return turn.text
    number = option_number(turn.text)
    if number == 0:
        return replies.MAIN_MENU
    if number is not None:
        return options[number - 1]["payload"] if number <= len(options) else None
    typed = words(turn.text)
    if len("".join(typed)) >= 4:
        for option in options:
            if words(option["title"]) == typed:
                return option["payload"]
    return None


class ActionMore(BrujulaAction):
    """The optional second part ("details") of the last topic answered."""

    def name(self) -> Text:
        return "action_more"

    def respond(self, turn: Turn) -> Reply:
        return more(turn)


class ActionChangeLanguage(BrujulaAction):
    """Switch language: the one named ("English", "en español", an option of the language menu), else the
    language menu when more than Spanish and English are offered, else between those two."""

    def name(self) -> Text:
        return "action_change_language"

    def respond(self, turn: Turn) -> Reply:
        chosen = replies.parse_payload(turn.text)[1].get("language") if turn.is_payload else None
        # The language asked for wins over the one detected in "English please" / "en español".
        named = chosen or requested_language(turn.text) or named_mayan_language(turn.text)
        if named:
            return language_reply(turn, named)
        if len(menu_languages(turn.repo.database_url)) > len(SUPPORTED):
            return language_reply(turn, None)
        current = turn.tracker.get_slot("language") or get_settings().default_language
        return replies.language_set("en" if current == "es" else "es")


class ActionFallback(BrujulaAction):
    """Low confidence: say so honestly, offer the likeliest topics, log the question for staff."""

    def name(self) -> Text:
        return "action_fallback"

    def respond(self, turn: Turn) -> Reply:
        if not has_words(turn.text):
            metrics.FALLBACKS.inc()
            return Reply(slots={"reply_kind": replies.KIND_FALLBACK}).say(
                text("empty_message", turn.lang), replies.static_main_menu_buttons(turn.lang)
            )
        if understanding.is_place_statement(turn):
            return understanding.place_reply(turn, turn.place)
        rescued = understanding.rescue(turn)
        if rescued is not None:
            return rescued
        guesses = turn.guesses()
        try:
            turn.repo.log_unanswered(
                turn.text, turn.lang, turn.tracker.get_latest_input_channel(), guesses,
                sender_id=turn.tracker.sender_id,  # so "borrar mis datos" deletes it too
            )
        except Exception:  # noqa: BLE001 - logging the question must not stop the reply
            logger.exception("could not log an unanswered question")
        second_time = (turn.tracker.get_slot("fallback_count") or 0) >= 1
        reply = replies.fallback(turn.repo, turn.lang, [g["name"] for g in guesses], second_time)
        reply.slots["fallback_count"] = 0.0 if second_time else 1.0  # wins over the reset in run()
        metrics.FALLBACKS.inc()
        return reply


class ActionSmallTalk(BrujulaAction):
    """Thanks, goodbye and "are you a bot?": a short reply and a way on."""

    def name(self) -> Text:
        return "action_small_talk"

    def respond(self, turn: Turn) -> Reply:
        key = {"goodbye": "goodbye", "thanks": "thanks", "bot_challenge": "bot_challenge"}.get(
            turn.intent or "", "thanks"
        )
        reply = Reply(slots={"reply_kind": replies.KIND_SMALL_TALK}).say(text(key, turn.lang))
        if key == "goodbye":
            return reply
        buttons = replies.static_main_menu_buttons(turn.lang)
        if key == "bot_challenge":
            human = turn.repo.titles([HUMAN_TOPIC], turn.lang).get(HUMAN_TOPIC)
            if human:
                buttons.append({"title": human, "payload": replies.payload(HUMAN_TOPIC)})
        return Reply(slots=reply.slots).say(text(key, turn.lang), buttons)


class ActionMediaReceived(BrujulaAction):
    """Voice notes, photos, stickers, documents, contacts: a kind reply in the person's language."""

    def name(self) -> Text:
        return "action_media_received"

    def respond(self, turn: Turn) -> Reply:
        kind = understanding.entity(turn, "media_kind")
        # Someone who sends voice notes may prefer to listen: offer the last answer as audio, as it was offered.
        hear_last = next((option for option in shown_options(turn)
                          if replies.listen_target(option["payload"]) is not None), None)
        return replies.media_received(kind, turn.lang, hear_last, turn.prefer_audio)


class ActionNearestServices(BrujulaAction):
    """A shared location gets the nearest service points from the content database."""

    def name(self) -> Text:
        return "action_nearest_services"

    def respond(self, turn: Turn) -> Reply:
        latitude, longitude = understanding.entity(turn, "latitude"), understanding.entity(turn, "longitude")
        if latitude is None and longitude is None:
            return replies.nearest_services(turn.repo, None, None, turn.lang)  # asks for the location
        place = coordinate(latitude, 90), coordinate(longitude, 180)
        if place[0] is None or place[1] is None:
            return replies.location_looks_wrong(turn.repo, turn.lang)
        return replies.nearest_services(turn.repo, place[0], place[1], turn.lang)

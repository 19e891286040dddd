"""Builds what the assistant says: answers, menus and fallbacks, as messages plus slot values.

Kept apart from the rasa-sdk classes so every action shares one way of rendering, and so a reply can be
built and inspected without a dispatcher. Options are buttons whose payloads are intents ("/labour.h2a");
channels show them as a numbered list, and the `last_options` slot remembers them (title and payload) so that
"2", or the option's title typed out, means that option on every channel.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from bot.audio import messages as audio_messages
from bot.audio.convert import AudioError
from bot.audio.repository import ANSWER, BODY, DETAILS, FAQ, AudioRepository
from bot.content.faq import Faq, FaqRepository
from bot.content.interface import LanguageView
from bot.content.rendering import source_line
from bot.content.repository import Answer, ContentRepository
from bot.content.topics import CAPMIR_TOPIC, HUMAN_TOPIC, OUT_OF_SCOPE
from bot.handoff.models import ASKED, FAILED_TWICE, SENSITIVE
from bot.language import MAIN_MENU_AREAS, area_label, button_label, cached_text, text

logger = logging.getLogger(__name__)

MAIN_MENU = "main_menu"
ASK_MORE = "ask_more"
# The options of the language menu: /change_language{"language": "quc"}
CHANGE_LANGUAGE = "change_language"
# The option that sends an answer as audio: /listen{"topic": "labour.h2a"} (its "Más información" with
# "part": "details") or /listen{"entry": "<faq slug>"}, and the options that turn "prefer audio" on and off:
# /listen{"prefer": "on"}. Not an intent of the model: a typed
# number, the title or the payload itself (a Telegram button) is resolved by the actions (actions.chosen_option).
LISTEN = "listen"
LISTEN_TARGETS = {"topic": ANSWER, "entry": FAQ}  # the payload's entity -> the kind of audio
PREFER_ON, PREFER_OFF = "on", "off"
AREA_PREFIX = "area_"
# The area intent of each menu area ("area_return" reads better for users writing "retorno").
AREA_INTENTS = {"labour": "area_labour", "risks": "area_risks", "reintegration": "area_return", "help": "area_help"}
INTENT_AREAS = {intent: area for area, intent in AREA_INTENTS.items()}

# Reply kinds recorded in the `reply_kind` slot (read by evaluation and analytics).
KIND_ANSWER, KIND_MENU, KIND_FALLBACK, KIND_OUT_OF_SCOPE = "answer", "menu", "fallback", "out_of_scope"
KIND_ERROR, KIND_SMALL_TALK = "error", "small_talk"
# The offer of a person, and the replies of the handoff (case opened, a danger answer while a case is open).
KIND_HANDOFF_OFFER, KIND_HANDOFF = "handoff_offer", "handoff"
# The entity of the option that accepts the offer of a person; its value is why it was offered.
HANDOFF_ENTITY = "handoff"
HANDOFF_REASONS = (ASKED, FAILED_TWICE, SENSITIVE)


@dataclass
class Reply:
    messages: list[dict[str, Any]] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)

    def say(self, message_text: str, buttons: Optional[list[dict]] = None, **metadata: Any) -> "Reply":
        message: dict[str, Any] = {"text": message_text}
        if buttons:
            message["buttons"] = buttons
            self.slots["last_options"] = [{"title": b["title"], "payload": b["payload"]} for b in buttons]
        message.update(metadata)
        self.messages.append(message)
        return self

    def extend(self, other: "Reply") -> "Reply":
        self.messages.extend(other.messages)
        self.slots.update(other.slots)
        return self


def payload(intent: str, **entities: str) -> str:
    """A button's payload: "/labour.h2a", or with entities "/labour.h2a{"faq": "labour.h2a/family"}"."""
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


def parse_payload(option_payload: str) -> tuple[str, dict[str, Any]]:
    """(intent, entities) of a payload; a plain intent name is its own intent."""
    body = option_payload[1:] if option_payload.startswith("/") else option_payload
    intent, brace, rest = body.partition("{")
    entities: dict[str, Any] = {}
    if brace:
        try:
            parsed = json.loads(brace + rest)
            entities = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            entities = {}
    return intent, entities


def intent_of(option_payload: str) -> str:
    return parse_payload(option_payload)[0]


def _button(title: str, intent: str) -> dict[str, str]:
    return {"title": title, "payload": payload(intent)}


def person_option(reason: str, lang: str, title: Optional[str] = None) -> dict[str, str]:
    """The option that opens a case at once: "Hablar con una persona", /help.human{"handoff": reason}."""
    return {"title": title or text("human_offer", lang), "payload": payload(HUMAN_TOPIC, **{HANDOFF_ENTITY: reason})}


def handoff_reason(option_payload: str) -> Optional[str]:
    """Why a person was offered, when this payload accepts the offer; None for any other payload."""
    intent, entities = parse_payload(option_payload)
    reason = entities.get(HANDOFF_ENTITY)
    return reason if intent == HUMAN_TOPIC and reason in HANDOFF_REASONS else None


def offer_person(reply: Reply, reason: str, lang: str) -> Reply:
    """Put the option of a person first among the options of the reply's last message (once)."""
    last = reply.messages[-1] if reply.messages else None
    if last is None:
        return reply
    buttons = [b for b in last.get("buttons") or []
               if b["payload"] != payload(HUMAN_TOPIC) and handoff_reason(b["payload"]) is None]
    last["buttons"] = [person_option(reason, lang)] + buttons
    reply.slots["last_options"] = [{"title": b["title"], "payload": b["payload"]} for b in last["buttons"]]
    return reply


def static_main_menu_buttons(lang: str) -> list[dict[str, str]]:
    """The main menu: needs no database, so it can follow an apology when the database is down."""
    return [_button(area_label(area, lang), AREA_INTENTS[area]) for area in MAIN_MENU_AREAS]


def main_menu(lang: str) -> Reply:
    return Reply(slots={"reply_kind": KIND_MENU}).say(text("main_menu", lang), static_main_menu_buttons(lang))


def area_menu(repo: ContentRepository, area: str, lang: str) -> Reply:
    buttons = [_button(title, topic_id) for topic_id, title in repo.menu(area, lang)]
    buttons.append(_button(button_label(MAIN_MENU, lang), MAIN_MENU))
    label = area_label(area, lang)
    return Reply(slots={"reply_kind": KIND_MENU}).say(text("area_menu", lang, area=label), buttons)


def unavailable(lang: str) -> Reply:
    """Apology when content cannot be read, followed by the menu: both from the interface texts last read (or
    the seed in code), never asking the database."""
    buttons = [_button(cached_text(f"area.{area}", lang), AREA_INTENTS[area]) for area in MAIN_MENU_AREAS]
    return Reply(slots={"reply_kind": KIND_ERROR}).say(cached_text("unavailable", lang), buttons)


def language_menu(languages: Sequence[LanguageView], lang: Optional[str] = None,
                  not_yet: Sequence[str] = ()) -> Reply:
    """"Idioma / Language / ...": each language's word for "language", then their names in themselves as options.
    `not_yet`: the names of the languages asked for that are not offered yet, said first in `lang`."""
    heading = " / ".join(dict.fromkeys(text("language_menu", language.code) for language in languages))
    if not_yet and lang:
        heading = f"{text('language_not_yet', lang, language=', '.join(not_yet))}\n\n{heading}"
    buttons = [{"title": language.autonym, "payload": payload(CHANGE_LANGUAGE, language=language.code)}
               for language in languages]
    return Reply(slots={"reply_kind": KIND_MENU}).say(heading, buttons)


def language_set(lang: str) -> Reply:
    """Confirm the new language in it, then the main menu in it."""
    return Reply(slots={"language": lang}).say(text("language_set", lang)).extend(main_menu(lang))


def _answer_text(answer: Answer, lang: str, part: str) -> str:
    pieces = []
    if answer.is_fallback and text("translation_missing", lang):
        pieces.append(text("translation_missing", lang))
    pieces.append(answer.title)
    pieces.append((answer.body if part == "body" else answer.details or "").strip())
    source = source_line(answer.sources, lang)
    if source:
        pieces.append(source)
    return "\n\n".join(pieces)


def follow_up_buttons(repo: ContentRepository, answer: Answer, lang: str) -> list[dict[str, str]]:
    """"More information" (when the answer has details), its follow-ups, the main menu: the options an audio
    answer reads aloud in this order (bot/audio/script.py)."""
    buttons = [_button(title, t) for t, title in repo.follow_ups(answer.topic_id, answer.follow_ups, lang)]
    if answer.details:
        buttons.insert(0, _button(button_label(ASK_MORE, lang), ASK_MORE))
    buttons.append(_button(button_label(MAIN_MENU, lang), MAIN_MENU))
    return buttons


def _trace(answer: Answer) -> dict[str, Any]:
    """Which content produced a message: stored in the bot event's metadata and in slots."""
    return {"topic_id": answer.topic_id, "answer_version": answer.version, "answer_lang": answer.lang}


def topic_answer(repo: ContentRepository, topic_id: str, lang: str, part: str = "body") -> Reply:
    """The published answer for a topic (Spanish if not translated), with a way on."""
    answer = repo.get_answer(topic_id, lang)
    if answer is None:
        reply = Reply(slots={"reply_kind": KIND_MENU, "topic_id": None, "answer_version": None})
        return reply.say(text("no_answer", lang), static_main_menu_buttons(lang))
    kind = KIND_OUT_OF_SCOPE if topic_id == OUT_OF_SCOPE else KIND_ANSWER
    reply = Reply(slots={"reply_kind": kind, "topic_id": topic_id, "answer_version": answer.version})
    if part == "details" and not answer.details:
        buttons = [b for b in follow_up_buttons(repo, answer, lang) if b["payload"] != payload(ASK_MORE)]
        return reply.say(text("more_none", lang), buttons, **_trace(answer))
    if kind == KIND_OUT_OF_SCOPE:
        return reply.say(_answer_text(answer, lang, part), static_main_menu_buttons(lang), **_trace(answer))
    buttons = follow_up_buttons(repo, answer, lang)
    if part == "details":
        buttons = [b for b in buttons if b["payload"] != payload(ASK_MORE)]
        if can_listen(repo, topic_id, lang, part=DETAILS):
            buttons.insert(len(buttons) - 1, listen_option(lang, topic=topic_id, part=DETAILS))
    elif can_listen(repo, topic_id, lang):
        buttons.insert(len(buttons) - 1, listen_option(lang, topic=topic_id))  # before the main menu
    return reply.say(_answer_text(answer, lang, part), buttons, **_trace(answer))


# --- audio ----------------------------------------------------------------------------------------------------
def listen_option(lang: str, **target: str) -> dict[str, str]:
    """"Escuchar": /listen{"topic": ...} for an answer, /listen{"entry": ...} for an FAQ entry."""
    return {"title": text("listen_option", lang), "payload": payload(LISTEN, **target)}


def prefer_option(lang: str, prefer_audio: bool) -> dict[str, str]:
    """The option that turns "prefer audio" off when it is on ("Solo texto"), else on ("Siempre con audio")."""
    if prefer_audio:
        return {"title": text("listen_text_only_option", lang), "payload": payload(LISTEN, prefer=PREFER_OFF)}
    return {"title": text("listen_always_option", lang), "payload": payload(LISTEN, prefer=PREFER_ON)}


def listen_target(option_payload: str) -> Optional[tuple[str, str, str]]:
    """(kind, ident, part) of the answer an "Escuchar" payload asks to hear; None for any other payload."""
    intent, entities = parse_payload(option_payload)
    if intent != LISTEN:
        return None
    part = DETAILS if entities.get("part") == DETAILS else BODY
    for entity, kind in LISTEN_TARGETS.items():
        if isinstance(entities.get(entity), str) and entities[entity]:
            return kind, entities[entity], part if kind == ANSWER else BODY
    return None


def preference_of(option_payload: str) -> Optional[bool]:
    """True/False when the payload turns "prefer audio" on/off; None for any other payload."""
    intent, entities = parse_payload(option_payload)
    if intent != LISTEN or entities.get("prefer") not in (PREFER_ON, PREFER_OFF):
        return None
    return entities["prefer"] == PREFER_ON


def can_listen(repo: ContentRepository, ident: str, lang: str, kind: str = ANSWER, part: str = BODY) -> bool:
    """Whether the published answer (or FAQ entry) has audio or can get synthetic audio. Never stops the answer."""
    try:
        return AudioRepository(repo.database_url).available(ident, lang, kind, part)
    except Exception as error:  # noqa: BLE001 - the written answer matters more than the option to hear it
        logger.warning("could not check the audio of an answer (%s)", type(error).__name__)
        return False


def _ensure_audio(repo: ContentRepository, ident: str, lang: str, kind: str, part: str):
    try:
        return AudioRepository(repo.database_url).ensure(ident, lang, kind, part)
    except AudioError as error:  # the voice could not be made: the caller says so, or sends the text alone
        logger.warning("could not make the audio of an answer (%s)", error)
        return None


def listen(repo: ContentRepository, faqs: Optional[FaqRepository], target: Optional[tuple[str, str, str]],
           lang: str, prefer_audio: bool = False) -> Reply:
    """An answer (its body or details) or FAQ entry as audio: a recording, else synthetic audio made now and kept.
    Its options are the ones the voice reads aloud, in that order, then the option to hear every answer (or
    stop), then the menu."""
    kind, ident, part = target if target else (ANSWER, "", BODY)
    if kind == FAQ and faqs is not None:
        faq = faqs.get(ident, lang) if ident else None
        title, trace = (faq.question, _faq_trace(faq)) if faq is not None else (None, {})
        buttons = _faq_listen_buttons(repo, faq, lang) if faq is not None else None
    else:
        answer = repo.get_answer(ident, lang) if ident and ident != OUT_OF_SCOPE else None
        title, trace = (answer.title, _trace(answer)) if answer is not None else (None, {})
        buttons = follow_up_buttons(repo, answer, lang) if answer is not None else None
        if buttons and part == DETAILS:  # after the details, "Más información" is not offered (nor read)
            buttons = [b for b in buttons if b["payload"] != payload(ASK_MORE)]
    audio = _ensure_audio(repo, ident, lang, kind, part) if title is not None else None
    if audio is None:
        return Reply(slots={"reply_kind": KIND_MENU}).say(
            text("listen_none", lang), buttons or static_main_menu_buttons(lang))
    buttons.insert(len(buttons) - 1, prefer_option(lang, prefer_audio))  # after the options read aloud
    slots = {"reply_kind": KIND_ANSWER, "topic_id": trace["topic_id"], "answer_version": trace["answer_version"]}
    if kind == FAQ:
        slots["faq_id"] = ident
    return Reply(slots=slots).say(text("listen_intro", lang, title=title), buttons,
                                  attachment=audio_messages.attachment(audio.key), **trace)


def set_preference(lang: str, prefer_audio: bool) -> Reply:
    """"Prefer audio" on or off, said in one line, then the main menu."""
    reply = Reply(slots={"prefer_audio": prefer_audio, "reply_kind": KIND_MENU})
    return reply.say(text("audio_on" if prefer_audio else "audio_off", lang), static_main_menu_buttons(lang))


def with_audio(repo: ContentRepository, faqs: Optional[FaqRepository], reply: Reply, lang: str) -> Reply:
    """For a person who prefers audio: the answer that offers "Escuchar" is sent as text without options, then its
    audio with the options the voice reads ("Solo texto" in place of "Escuchar"). Unchanged when the audio cannot
    be had (no voice for the language, a tool failing): the written answer still goes, with "Escuchar"."""
    for index in range(len(reply.messages) - 1, -1, -1):
        message = reply.messages[index]
        targets = (listen_target(b["payload"]) for b in message.get("buttons") or [])
        target = next((t for t in targets if t is not None), None)
        if target is None:
            continue
        heard = listen(repo, faqs, target, lang, prefer_audio=True)
        if not any(audio_messages.audio_key(m) for m in heard.messages):
            return reply
        suggest = f"\n\n{text('faq_suggest', lang)}"
        if message["text"].endswith(suggest):  # its suggestions are not among the options heard
            message["text"] = message["text"][: -len(suggest)]
        message.pop("buttons", None)
        reply.messages[index + 1:index + 1] = heard.messages
        if not any(m.get("buttons") for m in reply.messages[index + 2:]):
            reply.slots["last_options"] = heard.slots["last_options"]
        return reply
    return reply


def _faq_trace(faq: Faq) -> dict[str, Any]:
    return {"topic_id": faq.topic_id, "faq_id": faq.slug, "answer_version": faq.version, "answer_lang": faq.lang}


def _faq_listen_buttons(repo: ContentRepository, faq: Faq, lang: str) -> list[dict[str, str]]:
    """The options of an FAQ entry heard as audio, in the order the voice reads them: its topic's overview, then
    the main menu (its related questions depend on how it was asked, so they are not read)."""
    overview = repo.titles([faq.topic_id], lang).get(faq.topic_id)
    buttons = [_button(text("about_topic", lang, title=overview), faq.topic_id)] if overview else []
    return buttons + [_button(button_label(MAIN_MENU, lang), MAIN_MENU)]


def faq_answer(faq: Faq, lang: str, overview_title: Optional[str], related: Sequence[Faq] = (),
               can_hear: bool = False) -> Reply:
    """One FAQ entry: the question, its short answer and source, then related questions, the topic's
    overview, "Escuchar" (`can_hear`: it has audio or can get it) and the main menu as options."""
    pieces = [text("translation_missing", lang)] if faq.is_fallback and text("translation_missing", lang) else []
    pieces += [faq.question, faq.answer.strip()]
    source = source_line(faq.sources, lang)
    if source:
        pieces.append(source)
    buttons = [_faq_button(other) for other in related if other.slug != faq.slug][:2]
    if overview_title:
        buttons.append(_button(text("about_topic", lang, title=overview_title), faq.topic_id))
    if can_hear:
        buttons.append(listen_option(lang, entry=faq.slug))
    buttons.append(_button(button_label(MAIN_MENU, lang), MAIN_MENU))
    reply = Reply(slots={"reply_kind": KIND_ANSWER, "topic_id": faq.topic_id, "answer_version": faq.version,
                         "faq_id": faq.slug})
    return reply.say("\n\n".join(pieces), buttons, **_faq_trace(faq))


def _faq_button(faq: Faq) -> dict[str, str]:
    return {"title": faq.question, "payload": payload(faq.topic_id, faq=faq.slug)}


def with_suggestions(reply: Reply, suggestions: Sequence[Faq], lang: str) -> Reply:
    """An overview followed by "Did you mean...?" and the best-matching questions of its topic as options."""
    if not suggestions or not reply.messages:
        return reply
    last = reply.messages[-1]
    last["text"] = f"{last['text']}\n\n{text('faq_suggest', lang)}"
    kept = [b for b in last.get("buttons") or []
            if b["payload"] in (payload(ASK_MORE), payload(MAIN_MENU)) or intent_of(b["payload"]) == LISTEN]
    buttons = [_faq_button(faq) for faq in suggestions[:3]] + kept
    last["buttons"] = buttons
    reply.slots["last_options"] = [{"title": b["title"], "payload": b["payload"]} for b in buttons]
    return reply


def fallback(
    repo: ContentRepository, lang: str, guesses: Sequence[str], second_time: bool
) -> Reply:
    """Two-stage fallback: first offer the likeliest topics, then the menu and a person (the option opens a
    case at once: actions/handoff.py)."""
    reply = Reply(slots={"reply_kind": KIND_FALLBACK, "topic_id": None, "answer_version": None})
    if second_time:
        buttons = static_main_menu_buttons(lang) + [person_option(FAILED_TWICE, lang)]
        return reply.say(text("fallback_second", lang), buttons)
    topic_guesses = [g for g in guesses if g != OUT_OF_SCOPE]
    titles = repo.titles(topic_guesses, lang)
    buttons = [_button(titles[g], g) for g in topic_guesses if g in titles][:3]
    area_guesses = [g for g in guesses if g in INTENT_AREAS][:1]
    buttons += [_button(area_label(INTENT_AREAS[g], lang), g) for g in area_guesses]
    buttons.append(_button(button_label(MAIN_MENU, lang), MAIN_MENU))
    return reply.say(text("fallback_first", lang), buttons)


MEDIA_KINDS = ("audio", "image", "sticker", "video", "document", "contact")


def media_received(kind: Optional[str], lang: str, hear_last: Optional[dict[str, str]] = None,
                   prefer_audio: bool = False) -> Reply:
    """A kind reply to media we cannot read, with the menu. After a voice note, first the option to hear the last
    answer (`hear_last`: the "Escuchar" option it was shown with) and to hear every answer from now on."""
    key = f"media_{kind}" if kind in MEDIA_KINDS else "media_document"
    buttons: list[dict[str, str]] = []
    if kind == "audio":
        buttons += [hear_last] if hear_last else []
        buttons += [] if prefer_audio else [prefer_option(lang, False)]
    return Reply(slots={"reply_kind": KIND_SMALL_TALK}).say(text(key, lang), buttons + static_main_menu_buttons(lang))


def nearest_services(repo: ContentRepository, latitude: Optional[float], longitude: Optional[float],
                     lang: str, limit: int = 3) -> Reply:
    """The service points nearest to a shared location, or how to share one."""
    reply = Reply(slots={"reply_kind": KIND_ANSWER, "topic_id": CAPMIR_TOPIC, "answer_version": None})
    buttons = _places_buttons(repo, lang)
    if latitude is None or longitude is None:
        return reply.say(text("nearest_ask_location", lang), buttons)
    points = repo.nearest_service_points(latitude, longitude, limit=limit)
    if not points:
        return reply.say(text("nearest_none", lang), buttons)
    lines = [text("nearest_intro", lang)]
    for index, point in enumerate(points, start=1):
        place = ", ".join(p for p in (point.municipality, point.department) if p)
        line = f"{index}) {point.name}" + (f" — {place}" if place else "")
        line += f" ({text('about_km', lang, km=f'{point.distance_km:.0f}')})"
        if point.phone:
            line += f". {text('phone', lang)} {point.phone}"
        if point.address:
            line += f". {point.address}"
        lines.append(line)
    if any(p.needs_review or not p.address for p in points):
        lines.append(text("nearest_unverified", lang))
    sources = sorted({p.source for p in points if p.source})
    lines.append(f"{text('source', lang)}: {'; '.join(sources)}")
    return reply.say("\n".join(lines), buttons, service_points=[p.slug for p in points])


def location_looks_wrong(repo: ContentRepository, lang: str) -> Reply:
    """A shared location whose coordinates are no place on Earth (or unreadable): say so and how to share it."""
    reply = Reply(slots={"reply_kind": KIND_ANSWER, "topic_id": CAPMIR_TOPIC, "answer_version": None})
    return reply.say(text("nearest_location_wrong", lang), _places_buttons(repo, lang))


def _places_buttons(repo: ContentRepository, lang: str) -> list[dict[str, str]]:
    """The list of centres (CAPMiR) when its title is published, and the main menu."""
    capmir_title = repo.titles([CAPMIR_TOPIC], lang).get(CAPMIR_TOPIC)
    return ([_button(capmir_title, CAPMIR_TOPIC)] if capmir_title else []) + [
        _button(button_label(MAIN_MENU, lang), MAIN_MENU)
    ]

"""From what the person wrote to what to answer: the topic, the FAQ entry within it, danger and place.

The classifier names a topic; the FAQ matcher (bot.content.matching) then picks the entry of that topic the
message asks about, or corrects the topic when the classifier was unsure and an entry elsewhere is a close
match. Danger found by the emergency detector comes first, in every state. A place the person names ("estoy
en Huehuetenango") gives the nearest service points and the emergency numbers there.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from actions import recruiters, replies
from actions.replies import Reply
from actions.turn import Turn
from bot.audio.repository import FAQ
from bot.content import matching
from bot.content.faq import Faq
from bot.content.matching import Match
from bot.content.topics import CAPMIR_TOPIC, CRISIS_TOPIC, EMERGENCY_TOPIC, HUMAN_TOPIC, OUT_OF_SCOPE
from bot.handoff.models import SENSITIVE
from bot.language import text, words
from bot.language.places import Place
from bot.observability import metrics

DANGER_TOPICS = {"emergency": EMERGENCY_TOPIC, "crisis": CRISIS_TOPIC}
# The FAQ entry with the numbers of each country, under help.emergency and help.crisis.
COUNTRY_ENTRY = {"GT": "guatemala", "MX": "mexico", "US": "united-states", "CA": "canada"}
SECOND_TOPIC_MIN_CONFIDENCE = 0.25


def answer_topic(turn: Turn, topic_id: str) -> Reply:
    """The answer to a message the classifier filed under `topic_id`, preceded by what the recruiter register
    says when a labour question names an agency (actions.recruiters)."""
    return recruiters.with_register_check(turn, topic_id, _answer_topic(turn, topic_id))


def _answer_topic(turn: Turn, topic_id: str) -> Reply:
    """An FAQ entry when one matches well, else the overview with the questions of the topic that match best."""
    if topic_id in (OUT_OF_SCOPE, EMERGENCY_TOPIC, CRISIS_TOPIC) or turn.is_payload:
        return replies.topic_answer(turn.repo, topic_id, turn.lang)
    if topic_id == CAPMIR_TOPIC and turn.place is not None:
        return place_reply(turn, turn.place, with_numbers=False)
    ranked = turn.matches()
    in_topic = [m for m in ranked if m.topic_id == topic_id]
    best = ranked[0] if ranked else None
    best_here = in_topic[0].score if in_topic else 0.0
    if (best is not None and best.topic_id != topic_id and turn.confidence < matching.UNSURE_CONFIDENCE
            and best.score >= matching.SWITCH_MIN_SCORE and best.score >= best_here + matching.SWITCH_MARGIN
            and best.topic_id not in (EMERGENCY_TOPIC, CRISIS_TOPIC)):
        topic_id, in_topic = best.topic_id, [m for m in ranked if m.topic_id == best.topic_id]
    entries = [m for m in in_topic if m.entry_slug]
    if entries and entries[0].score >= matching.FAQ_MIN_SCORE and len(words(turn.text)) >= matching.FAQ_MIN_WORDS:
        return answer_faq(turn, entries[0].entry_slug, [m.entry_slug for m in entries[1:3]])
    overview = replies.topic_answer(turn.repo, topic_id, turn.lang)
    return replies.with_suggestions(overview, _faqs(turn, [m.entry_slug for m in entries[:3] if m.score > 0]),
                                    turn.lang)


def answer_faq(turn: Turn, slug: str, related: Sequence[str] = ()) -> Reply:
    """One FAQ entry (Spanish when not translated); the topic overview if the entry is gone."""
    faq = turn.faq.get(slug, turn.lang)
    if faq is None:
        return replies.topic_answer(turn.repo, slug.split("/", 1)[0], turn.lang)
    title = turn.repo.titles([faq.topic_id], turn.lang).get(faq.topic_id)
    can_hear = replies.can_listen(turn.repo, faq.slug, turn.lang, FAQ)
    return replies.faq_answer(faq, turn.lang, title, _faqs(turn, related), can_hear=can_hear)


def _faqs(turn: Turn, slugs: Sequence[Optional[str]]) -> list[Faq]:
    found = [turn.faq.get(slug, turn.lang) for slug in slugs if slug]
    return [faq for faq in found if faq is not None]


def rescue(turn: Turn) -> Optional[Reply]:
    """A message the classifier could not place, answered from the FAQ when one entry (or topic) is a
    close match; None otherwise."""
    ranked = turn.matches()
    if not ranked or ranked[0].score < matching.RESCUE_MIN_SCORE:
        return None
    best: Match = ranked[0]
    if best.entry_slug:
        return answer_faq(turn, best.entry_slug, [m.entry_slug for m in ranked[1:3] if m.topic_id == best.topic_id])
    return replies.topic_answer(turn.repo, best.topic_id, turn.lang)


def danger_reply(turn: Turn, kind: str, paused: bool = False) -> Reply:
    """Danger now: first what to do and the numbers where the person is (the country's entry when the place
    is known, else every country and a question about where they are), then what else they asked, then the
    offer of a person. While a caseworker has the conversation (`paused`), only the danger answer, without
    options: the caseworker answers the rest."""
    topic_id = DANGER_TOPICS[kind]
    reply = Reply()
    country = turn.place.country if turn.place is not None else turn.tracker.get_slot("country")
    local = turn.faq.get(f"{topic_id}/{COUNTRY_ENTRY[country]}", turn.lang) if country in COUNTRY_ENTRY else None
    if local is not None:
        reply.extend(replies.faq_answer(local, turn.lang, None))
    overview = replies.topic_answer(turn.repo, topic_id, turn.lang)
    if local is None and overview.messages and not paused:  # while paused, the answer would go unanswered
        overview.messages[-1]["text"] += f"\n\n{text('ask_where', turn.lang)}"
    reply.extend(overview)
    reply.slots.update({"topic_id": topic_id, "reply_kind": replies.KIND_ANSWER})
    metrics.EMERGENCIES.labels(kind).inc()
    if paused:
        for message in reply.messages:
            message.pop("buttons", None)
        reply.slots["last_options"] = []
        if country in COUNTRY_ENTRY:
            reply.slots["country"] = country
        return reply
    other = _second_topic(turn)
    if other is not None:  # what they asked about stays the conversation's topic ("more" continues it)
        reply.extend(answer_topic(turn, other))
    replies.offer_person(reply, SENSITIVE, turn.lang)
    if country in COUNTRY_ENTRY:
        reply.slots["country"] = country
    return reply


def _second_topic(turn: Turn) -> Optional[str]:
    """A topic the message also asks about, beside the danger (the detector keeps the classifier's ranking)."""
    for guess in turn.ranking():
        name, confidence = guess.get("name"), float(guess.get("confidence") or 0)
        if name in (EMERGENCY_TOPIC, CRISIS_TOPIC, OUT_OF_SCOPE, HUMAN_TOPIC) or "." not in str(name):
            continue
        return name if confidence >= SECOND_TOPIC_MIN_CONFIDENCE else None
    return None


def place_reply(turn: Turn, place: Place, with_numbers: bool = True) -> Reply:
    """"Estoy en Huehuetenango": the nearest places that help (in Guatemala) and, unless the person asked only
    for places, the emergency numbers of the country they are in."""
    reply = Reply()
    if place.country == "GT":
        reply.extend(replies.nearest_services(turn.repo, place.latitude, place.longitude, turn.lang))
    numbers = turn.faq.get(f"{EMERGENCY_TOPIC}/{COUNTRY_ENTRY[place.country]}", turn.lang) if with_numbers else None
    if numbers is not None:
        slots = dict(reply.slots)
        reply.extend(replies.faq_answer(numbers, turn.lang, None))
        reply.slots.update({k: v for k, v in slots.items() if k in ("topic_id", "reply_kind")})
    if not reply.messages:
        reply.extend(replies.topic_answer(turn.repo, CAPMIR_TOPIC, turn.lang))
    reply.slots["country"] = place.country
    return reply


def is_place_statement(turn: Turn) -> bool:
    """A short message that mainly says where the person is ("ando en Tapachula")."""
    return turn.place is not None and len(turn.text.split()) <= 7


def entity(turn: Turn, name: str) -> Optional[Any]:
    for found in (turn.tracker.latest_message or {}).get("entities") or []:
        if found.get("entity") == name:
            return found.get("value")
    return None

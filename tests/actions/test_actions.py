"""Custom actions, run as Rasa would: a Tracker built from a dict and a fresh CollectingDispatcher.

Every test asserts the exact messages and events. `run()` fails on an unexpected apology (reply_kind "error")
or error-level log record, because the action base class turns any exception into a kind apology plus the
menu: a test that only checked "a menu came back" would pass with a broken action.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    ActionAnswerTopic,
    ActionChangeLanguage,
    ActionFallback,
    ActionGreet,
    ActionMore,
    ActionNearestServices,
    ActionSelectOption,
    ActionShowMenu,
    ActionSmallTalk,
)
from bot.language import text

H2A_OPTION = {"title": "Visa H-2A", "payload": "/labour.h2a"}
MAIN_MENU_BUTTONS_ES = [
    {"title": "Trabajar o migrar de forma legal", "payload": "/area_labour"},
    {"title": "Riesgos del camino irregular", "payload": "/area_risks"},
    {"title": "Regreso a Guatemala y apoyo", "payload": "/area_return"},
    {"title": "Ayuda urgente o hablar con una persona", "payload": "/area_help"},
]


def make_tracker(
    text: str,
    intent: Optional[str],
    slots: Optional[dict[str, Any]] = None,
    ranking: Optional[list[dict]] = None,
    channel: str = "webchat",
    confidence: Optional[float] = None,
    entities: Optional[list[dict]] = None,
    **parse_data: Any,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": slots or {},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": confidence if confidence is not None else
                           (0.9 if intent else 0.0)},
                "intent_ranking": ranking or [],
                "entities": entities or [],
                **parse_data,
            },
            "events": [{"event": "user", "text": text, "input_channel": channel,
                        "parse_data": {"intent": {"name": intent}}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


@pytest.fixture
def run(caplog):
    """Run an action; fail on an apology or an error log unless the test says it expects one."""

    def run_action(action, tracker: Tracker, expect_error: bool = False):
        caplog.clear()
        dispatcher = CollectingDispatcher()
        with caplog.at_level(logging.ERROR):
            events = action.run(dispatcher, tracker, {})
        slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        if not expect_error:
            assert slots.get("reply_kind") != "error", f"{action.name()} apologised: {errors}"
            assert not errors, f"{action.name()} logged errors: {[r.getMessage() for r in errors]}"
        return dispatcher.messages, events

    return run_action


def slots_of(events: list[dict]) -> dict[str, Any]:
    assert all(e["event"] == "slot" for e in events), events
    return {e["name"]: e["value"] for e in events}


def payloads(message: dict) -> list[str]:
    return [b["payload"] for b in message.get("buttons") or []]


def message(text_: str, buttons: Optional[list[dict]] = None, **metadata: Any) -> dict:
    """A message as CollectingDispatcher records it."""
    return {"text": text_, "buttons": buttons or [], "elements": [], "custom": {}, "template": None,
            "response": None, "image": None, "attachment": None, **metadata}


@pytest.fixture(autouse=True)
def content(sqlite_content):
    return sqlite_content


@pytest.fixture
def known_answer(content):
    """A published H-2A answer with known words, so replies can be compared exactly."""
    fields = {
        "title": "Visa H-2A", "body": "Texto de prueba sobre la H-2A.", "details": "Detalles de prueba.",
        "follow_ups": ["labour.fees", "labour.scams"],
        "sources": [{"name": "U.S. Department of Labor — H-2A", "url": "https://www.dol.gov/"},
                    {"name": "MINTRAB (Guatemala)", "url": None}],
    }
    draft = content.save_draft("labour.h2a", "es", fields)
    return content.publish("labour.h2a", "es", draft.version)


def test_a_pressed_topic_button_gives_title_body_source_and_a_way_on(run, content, known_answer):
    messages, events = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a"))
    titles = content.titles(["labour.fees", "labour.scams"], "es")
    buttons = [{"title": "Más información", "payload": "/ask_more"},
               {"title": titles["labour.fees"], "payload": "/labour.fees"},
               {"title": titles["labour.scams"], "payload": "/labour.scams"},
               {"title": "Escuchar", "payload": '/listen{"topic": "labour.h2a"}'},
               {"title": "Menú principal", "payload": "/main_menu"}]
    expected_text = "Visa H-2A\n\nTexto de prueba sobre la H-2A.\n\nFuente: U.S. Department of Labor; MINTRAB"
    assert messages == [message(expected_text, buttons, topic_id="labour.h2a",
                                answer_version=known_answer.version, answer_lang="es")]
    assert events == [SlotSet("language", "es"), SlotSet("fallback_count", 0.0), SlotSet("reply_kind", "answer"),
                      SlotSet("topic_id", "labour.h2a"), SlotSet("answer_version", known_answer.version),
                      SlotSet("last_options", buttons)]


@pytest.mark.parametrize(
    "text_, intent, lang",
    [
        ("/labour.h2a", "labour.h2a", "en"),
        ("/reintegration.arrival", "reintegration.arrival", "es"),
    ],
)
def test_topic_answer_comes_from_the_database_in_the_conversations_language(run, content, text_, intent, lang):
    messages, events = run(ActionAnswerTopic(), make_tracker(text_, intent, {"language": lang}))
    answer = content.get_answer(intent, lang)
    assert len(messages) == 1
    assert messages[0]["text"].startswith(f"{answer.title}\n\n{answer.body.strip()}\n\n")
    assert slots_of(events)["topic_id"] == intent and slots_of(events)["answer_version"] == answer.version
    assert slots_of(events)["language"] == lang and slots_of(events)["reply_kind"] == "answer"


def test_published_edit_is_served_on_the_next_reply_without_restart(run, content):
    draft = content.save_draft("labour.h2a", "es", {"body": "Texto revisado por el equipo de contenido."})
    content.publish("labour.h2a", "es", draft.version)
    messages, events = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a"))
    assert "\n\nTexto revisado por el equipo de contenido.\n\n" in messages[0]["text"]
    assert slots_of(events)["answer_version"] == draft.version


def test_missing_english_translation_falls_back_to_spanish_with_a_note(run, content):
    from sqlalchemy import update

    from bot.content.models import AnswerVersion
    from bot.db import session_scope

    with session_scope() as session:
        session.execute(update(AnswerVersion).where(AnswerVersion.topic_id == "labour.h2b",
                                                    AnswerVersion.lang == "en").values(status="archived"))
    messages, events = run(ActionAnswerTopic(), make_tracker("/labour.h2b", "labour.h2b", {"language": "en"}))
    spanish = content.get_answer("labour.h2b", "es")
    assert messages[0]["text"].startswith(
        f"{text('translation_missing', 'en')}\n\n{spanish.title}\n\n{spanish.body.strip()}\n\n")
    assert slots_of(events)["language"] == "en"


DANGER = {"kind": "emergency", "score": 1.0, "by": "model"}


@pytest.mark.parametrize("action", [ActionAnswerTopic(), ActionFallback(), ActionSelectOption(), ActionShowMenu()])
def test_danger_found_by_the_detector_gets_the_emergency_answer_first_in_any_action(run, content, action):
    """Whatever the rule chose, danger comes first; then what else was asked; then the offer of a person."""
    ranking = [{"name": "help.emergency", "confidence": 1.0}, {"name": "risks.smugglers", "confidence": 0.6}]
    tracker = make_tracker("el coyote nos dejo encerrados en una bodega", "help.emergency", ranking=ranking,
                           danger=DANGER, slots={"last_options": MAIN_MENU_BUTTONS_ES})
    messages, events = run(action, tracker)
    emergency = content.get_answer("help.emergency", "es")
    assert [m.get("topic_id") for m in messages][:2] == ["help.emergency", "risks.smugglers"]
    assert messages[0]["text"].startswith(f"{emergency.title}\n\n{emergency.body.strip()}")
    assert messages[0]["text"].endswith(text("ask_where", "es")), "the place is unknown: ask where"
    # The option opens a case at once (actions/handoff.py): the danger is why it was offered.
    assert messages[-1]["buttons"][0] == {"title": text("human_offer", "es"),
                                          "payload": '/help.human{"handoff": "sensitive"}'}
    assert slots_of(events)["topic_id"] == "risks.smugglers", "what they asked about stays the topic"


def test_danger_phrases_work_even_without_the_detector(run, content):
    messages, _ = run(ActionAnswerTopic(), make_tracker("auxilio me quieren matar los coyotes", "risks.smugglers"))
    assert messages[0]["topic_id"] == "help.emergency"


def test_danger_where_the_place_is_known_starts_with_that_countrys_numbers(run, content):
    from bot.content.faq import FaqRepository

    tracker = make_tracker("ando en tapachula y nos quieren matar", "help.emergency", danger=DANGER)
    messages, events = run(ActionAnswerTopic(), tracker)
    mexico = FaqRepository(content.database_url).get("help.emergency/mexico", "es")
    assert messages[0]["text"].startswith(f"{mexico.question}\n\n{mexico.answer}")
    assert messages[1]["topic_id"] == "help.emergency" and not messages[1]["text"].endswith(text("ask_where", "es"))
    assert slots_of(events)["country"] == "MX"


def test_a_crisis_gets_the_crisis_answer_never_a_fallback(run, content):
    tracker = make_tracker("ya no quiero vivir", "nlu_fallback", danger={"kind": "crisis", "score": 0.9, "by": "model"})
    messages, events = run(ActionFallback(), tracker)
    crisis = content.get_answer("help.crisis", "es")
    assert messages[0]["text"].startswith(f"{crisis.title}\n\n{crisis.body.strip()}")
    assert slots_of(events)["reply_kind"] == "answer" and content.unanswered() == []


def test_greeting_has_privacy_notice_and_numbered_main_menu(run):
    messages, events = run(ActionGreet(), make_tracker("hola", "greet"))
    assert messages == [message(f"{text('greeting', 'es')}\n{text('consent', 'es', days='180')}"),
                        message(text("main_menu", "es"), MAIN_MENU_BUTTONS_ES)]
    assert events == [SlotSet("language", "es"), SlotSet("fallback_count", 0.0), SlotSet("reply_kind", "menu"),
                      SlotSet("last_options", MAIN_MENU_BUTTONS_ES)]


def test_default_language_setting_is_honoured_when_a_message_shows_none(run, set_env):
    set_env(DEFAULT_LANGUAGE="en")
    messages, events = run(ActionGreet(), make_tracker("/greet", "greet"))
    assert messages[0]["text"] == f"{text('greeting', 'en')}\n{text('consent', 'en', days='180')}"
    assert slots_of(events)["language"] == "en"


def test_area_menu_lists_its_topics(run, content):
    messages, events = run(ActionShowMenu(), make_tracker("riesgos", "area_risks"))
    expected = [{"title": title, "payload": f"/{topic_id}"} for topic_id, title in content.menu("risks", "es")]
    expected.append({"title": "Menú principal", "payload": "/main_menu"})
    assert messages == [message(text("area_menu", "es", area="Riesgos del camino irregular"), expected)]
    assert "/risks.smugglers" in payloads(messages[0])
    assert slots_of(events)["last_options"] == expected


def test_number_picks_the_option_shown_last(run, content):
    messages, events = run(ActionSelectOption(), make_tracker("2", "select_option",
                                                              {"last_options": MAIN_MENU_BUTTONS_ES}))
    assert messages[0]["text"] == text("area_menu", "es", area="Riesgos del camino irregular")
    options = slots_of(events)["last_options"]
    messages, events = run(ActionSelectOption(), make_tracker("opcion 1", "select_option", {"last_options": options}))
    assert slots_of(events)["topic_id"] == options[0]["payload"][1:]
    assert messages[0]["topic_id"] == options[0]["payload"][1:]


def test_zero_goes_back_to_the_main_menu(run):
    messages, events = run(ActionSelectOption(), make_tracker("0", "select_option",
                                                              {"last_options": [H2A_OPTION]}))
    assert messages == [message(text("main_menu", "es"), MAIN_MENU_BUTTONS_ES)]
    assert events == [SlotSet("language", "es"), SlotSet("fallback_count", 0.0), SlotSet("reply_kind", "menu"),
                      SlotSet("last_options", MAIN_MENU_BUTTONS_ES)]


@pytest.mark.parametrize("typed", ["7", "quiero la 9 porfa"])
def test_number_out_of_range_shows_the_same_list_again(run, typed):
    options = [H2A_OPTION, {"title": "Visa H-2B", "payload": "/labour.h2b"},
               {"title": "Menú principal", "payload": "/main_menu"}]
    messages, events = run(ActionSelectOption(), make_tracker(typed, "select_option", {"last_options": options}))
    number = "".join(ch for ch in typed if ch.isdigit())
    assert messages == [message(text("option_unknown", "es", number=number), options)]
    assert slots_of(events)["last_options"] == options and slots_of(events)["reply_kind"] == "menu"


@pytest.mark.parametrize("action, intent", [(ActionFallback(), "nlu_fallback"),
                                            (ActionAnswerTopic(), "pathways.avr")])
def test_typing_an_option_title_picks_it_whatever_the_intent(run, content, action, intent):
    options = [{"title": "Riesgos del camino irregular", "payload": "/area_risks"},
               {"title": "Regreso a Guatemala y apoyo", "payload": "/area_return"}]
    messages, events = run(action, make_tracker("regreso a guatemala y apoyo", intent, {"last_options": options}))
    assert messages[0]["text"] == text("area_menu", "es", area="Regreso a Guatemala y apoyo")
    assert content.unanswered() == []


def test_more_gives_the_details_of_the_last_topic(run, content, known_answer):
    messages, events = run(ActionMore(), make_tracker("mas info", "ask_more", {"topic_id": "labour.h2a"}))
    assert messages[0]["text"] == "Visa H-2A\n\nDetalles de prueba.\n\nFuente: U.S. Department of Labor; MINTRAB"
    assert "/ask_more" not in payloads(messages[0])
    assert slots_of(events)["topic_id"] == "labour.h2a"


def test_more_without_a_topic_asks_which_one(run):
    messages, events = run(ActionMore(), make_tracker("mas", "ask_more"))
    assert messages == [message(text("more_no_topic", "es"), MAIN_MENU_BUTTONS_ES)]


@pytest.mark.parametrize("text_, lang, slots", [("English please", "en", {"language": "es"}),
                                                ("en español", "es", {"language": "en"}),
                                                ("/change_language", "en", {})])
def test_language_switch_is_remembered(run, text_, lang, slots):
    messages, events = run(ActionChangeLanguage(), make_tracker(text_, "change_language", slots))
    assert messages[0] == message(text("language_set", lang))
    assert messages[1]["text"] == text("main_menu", lang)
    assert slots_of(events)["language"] == lang


def test_answers_follow_the_chosen_language_for_language_neutral_messages(run, content):
    messages, events = run(ActionSelectOption(), make_tracker("1", "select_option",
                                                              {"language": "en", "last_options": [H2A_OPTION]}))
    english = content.get_answer("labour.h2a", "en")
    assert messages[0]["text"].startswith(f"{english.title}\n\n{english.body.strip()}\n\n")
    assert slots_of(events)["language"] == "en"


def test_fallback_is_honest_offers_guesses_and_logs_without_personal_data(run, content):
    ranking = [{"name": "nlu_fallback", "confidence": 1.0}, {"name": "labour.canada", "confidence": 0.25},
               {"name": "labour.h2a", "confidence": 0.2}]
    user_text = "mi cel es 5555-1234 y quiero ir pa alla al norte a chambear"
    messages, events = run(ActionFallback(), make_tracker(user_text, "nlu_fallback", ranking=ranking))
    titles = content.titles(["labour.canada", "labour.h2a"], "es")
    assert messages == [message(text("fallback_first", "es"), [
        {"title": titles["labour.canada"], "payload": "/labour.canada"},
        {"title": titles["labour.h2a"], "payload": "/labour.h2a"},
        {"title": "Menú principal", "payload": "/main_menu"}])]
    assert events == [SlotSet("language", "es"), SlotSet("fallback_count", 1.0), SlotSet("reply_kind", "fallback"),
                      SlotSet("topic_id", None), SlotSet("answer_version", None),
                      SlotSet("last_options", messages[0]["buttons"])]
    [logged] = content.unanswered()
    assert logged.text == "mi cel es [teléfono] y quiero ir pa alla al norte a chambear"
    assert logged.channel == "webchat" and logged.top_guesses[0]["name"] == "labour.canada"


def test_second_fallback_in_a_row_offers_menu_and_a_person(run, content):
    messages, events = run(ActionFallback(), make_tracker("asdf qwer", "nlu_fallback", {"fallback_count": 1.0}))
    # The last option opens a case at once (actions/handoff.py), saying why it was offered.
    human = {"title": "Hablar con una persona", "payload": '/help.human{"handoff": "failed_twice"}'}
    assert messages == [message(text("fallback_second", "es"), MAIN_MENU_BUTTONS_ES + [human])]
    assert slots_of(events)["fallback_count"] == 0.0 and slots_of(events)["reply_kind"] == "fallback"


@pytest.mark.parametrize("text_", ["", "   ", "😀😀😀", "¿¿??!!"])
def test_messages_without_words_get_a_clear_reply(run, content, text_):
    messages, events = run(ActionFallback(), make_tracker(text_, "nlu_fallback"))
    assert messages == [message(text("empty_message", "es"), MAIN_MENU_BUTTONS_ES)]
    assert slots_of(events)["reply_kind"] == "fallback"
    assert content.unanswered() == [], "nothing to log for a message without words"


@pytest.mark.parametrize("intent, key", [("thanks", "thanks"), ("goodbye", "goodbye")])
def test_small_talk_replies_in_the_users_language(run, intent, key):
    messages, events = run(ActionSmallTalk(), make_tracker("thank you so much, bye", intent))
    expected_buttons = [] if key == "goodbye" else [
        {"title": "Work or migrate legally", "payload": "/area_labour"},
        {"title": "Risks of the irregular route", "payload": "/area_risks"},
        {"title": "Return to Guatemala and support", "payload": "/area_return"},
        {"title": "Urgent help or talk to a person", "payload": "/area_help"}]
    assert messages == [message(text(key, "en"), expected_buttons)]
    assert slots_of(events)["reply_kind"] == "small_talk"


def test_database_unavailable_gets_an_apology_and_the_menu(run, set_env, tmp_path, caplog):
    from sqlalchemy.exc import OperationalError

    (tmp_path / "missing-dir" / "nothing.db").mkdir(parents=True)  # a directory: SQLite cannot open it
    set_env(DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'nothing.db'}")
    messages, events = run(ActionAnswerTopic(), make_tracker("visa h2a?", "labour.h2a"), expect_error=True)
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert isinstance(record.exc_info[1], OperationalError), "the apology must come from the database failure"
    assert messages == [message(text("unavailable", "es"), MAIN_MENU_BUTTONS_ES)]
    assert events == [SlotSet("language", "es"), SlotSet("fallback_count", 0.0), SlotSet("reply_kind", "error"),
                      SlotSet("last_options", MAIN_MENU_BUTTONS_ES)]


def test_every_answer_message_stays_short_enough_for_a_phone(run, content):
    """Title, body and source line together: one screen-sized message for every topic and language."""
    for topic in content.list_topics():
        if topic.id == "help.human":
            continue  # its option gets the offer of a person, not an answer (tests/actions/test_handoff.py)
        for lang in ("es", "en"):
            messages, _ = run(ActionAnswerTopic(), make_tracker(f"/{topic.id}", topic.id, {"language": lang}))
            assert len(messages[0]["text"]) <= 800, f"{topic.id} [{lang}] is {len(messages[0]['text'])} characters"
            assert messages[0]["text"].count("Fuente:" if lang == "es" else "Source:") == 1


@pytest.fixture
def vacation_entry(content):
    """A FAQ entry of our own under labour.h2a, with one phrasing, so matching is predictable."""
    from bot.content.faq import FaqRepository

    faq = FaqRepository(content.database_url)
    faq.upsert_entry("labour.h2a/test-vacation", "labour.h2a", position=99)
    draft = faq.save_draft("labour.h2a/test-vacation", "es", {
        "question": "¿Hay vacaciones pagadas?", "answer": "Respuesta de prueba sobre vacaciones.",
        "sources": [{"name": "Fuente de prueba — página", "url": None}], "review_status": "ok"})
    faq.publish("labour.h2a/test-vacation", "es", draft.version)
    faq.add_phrasing("labour.h2a/test-vacation", "cuantos dias de vacaciones pagadas da el patron con la h2a", "es")
    return faq


def test_a_question_matching_an_faq_entry_gets_that_entry_not_the_overview(run, content, vacation_entry):
    messages, events = run(ActionAnswerTopic(), make_tracker("¿Cuántos días de vacaciones pagadas da el patrón?",
                                                            "labour.h2a"))
    title = content.titles(["labour.h2a"], "es")["labour.h2a"]
    assert messages[0]["text"] == ("¿Hay vacaciones pagadas?\n\nRespuesta de prueba sobre vacaciones.\n\n"
                                   "Fuente: Fuente de prueba")
    assert messages[0]["buttons"][-3:] == [
        {"title": f"Más sobre: {title}", "payload": "/labour.h2a"},
        {"title": "Escuchar", "payload": '/listen{"entry": "labour.h2a/test-vacation"}'},
        {"title": "Menú principal", "payload": "/main_menu"}]
    assert slots_of(events)["faq_id"] == "labour.h2a/test-vacation"
    assert slots_of(events)["topic_id"] == "labour.h2a"


def test_an_faq_option_answers_that_entry(run, vacation_entry):
    option = {"title": "¿Hay vacaciones pagadas?", "payload": '/labour.h2a{"faq": "labour.h2a/test-vacation"}'}
    messages, events = run(ActionSelectOption(), make_tracker("1", "select_option", {"last_options": [option]}))
    assert messages[0]["text"].startswith("¿Hay vacaciones pagadas?\n\nRespuesta de prueba sobre vacaciones.")
    tracker = make_tracker(option["payload"], "labour.h2a",
                           entities=[{"entity": "faq", "value": "labour.h2a/test-vacation"}])
    messages, _ = run(ActionAnswerTopic(), tracker)
    assert messages[0]["faq_id"] == "labour.h2a/test-vacation"


def test_a_vague_question_gets_the_overview_and_the_best_questions_as_options(run, content):
    messages, events = run(ActionAnswerTopic(), make_tracker("h2a", "labour.h2a"))
    overview = content.get_answer("labour.h2a", "es")
    assert messages[0]["text"].startswith(f"{overview.title}\n\n{overview.body.strip()}")
    assert messages[0]["text"].endswith(text("faq_suggest", "es"))
    payloads_shown = payloads(messages[0])
    assert len(payloads_shown) == 6 and payloads_shown[-2:] == ['/listen{"topic": "labour.h2a"}', "/main_menu"]
    assert all(p.startswith('/labour.h2a{"faq": "labour.h2a/') for p in payloads_shown[:3])


def test_an_unsure_classifier_is_corrected_by_a_close_faq_match(run, vacation_entry):
    tracker = make_tracker("cuantos dias de vacaciones pagadas da el patron con la h2a", "labour.h2b", confidence=0.3)
    messages, events = run(ActionAnswerTopic(), tracker)
    assert slots_of(events)["faq_id"] == "labour.h2a/test-vacation"
    confident = make_tracker("cuantos dias de vacaciones pagadas da el patron con la h2a", "labour.h2b",
                             confidence=0.9)
    messages, events = run(ActionAnswerTopic(), confident)
    assert slots_of(events)["topic_id"] == "labour.h2b", "a confident classifier keeps its topic"


def test_a_phrasing_added_is_used_on_the_next_message_without_retraining(run, content, vacation_entry,
                                                                          monkeypatch):
    from bot.content import matching

    monkeypatch.setattr(matching, "REVISION_CHECK_SECONDS", 0.0)  # in service: checked at most once a second
    question = "me dan dias libres cuando trabajo en el campo en usa"
    before = run(ActionFallback(), make_tracker(question, "nlu_fallback"))[1]
    assert slots_of(before)["reply_kind"] == "fallback"
    vacation_entry.add_phrasing("labour.h2a/test-vacation", "me dan dias libres cuando trabajo en el campo", "es")
    messages, after = run(ActionFallback(), make_tracker(question, "nlu_fallback"))
    assert slots_of(after)["faq_id"] == "labour.h2a/test-vacation"


def test_a_message_saying_where_the_person_is_gets_places_nearby_and_the_numbers_there(run, content):
    from bot.content.faq import FaqRepository

    messages, events = run(ActionFallback(), make_tracker("ando en Huehuetenango", "nlu_fallback"))
    assert messages[0]["text"].startswith(text("nearest_intro", "es"))
    guatemala = FaqRepository(content.database_url).get("help.emergency/guatemala", "es")
    assert messages[1]["text"].startswith(f"{guatemala.question}\n\n{guatemala.answer}")
    assert slots_of(events)["country"] == "GT" and content.unanswered() == []


def location(latitude: Any = None, longitude: Any = None) -> list[dict]:
    """The entities of a shared location as Rasa reads them from "/shared_location{...}" (absent when None)."""
    return [{"entity": name, "value": value} for name, value in (("latitude", latitude), ("longitude", longitude))
            if value is not None]


def test_a_shared_location_gets_the_nearest_service_points(run, content):
    messages, _ = run(ActionNearestServices(), make_tracker("/shared_location", "shared_location",
                                                            entities=location(15.33, -91.48)))
    nearest = content.nearest_service_points(15.33, -91.48)
    assert messages[0]["text"].startswith(f"{text('nearest_intro', 'es')}\n1) {nearest[0].name}")


def test_without_a_location_the_person_is_told_how_to_share_one(run):
    messages, _ = run(ActionNearestServices(), make_tracker("/shared_location", "shared_location"))
    assert messages[0]["text"] == text("nearest_ask_location", "es")


@pytest.mark.parametrize("latitude, longitude", [
    (10**400, -91.48),  # too large for a float: was an OverflowError and an apology
    ("1" + "0" * 400, "5"), (1e999, 5), (float("nan"), 5), (90.5, -91.48), (15.33, 180.5), ("invalid", -91.48),
    (15.33, "invalid"), ({"a": 1}, [5]), (True, 5), (15.33, None), (None, -91.48),
], ids=lambda value: repr(value)[:12])
def test_a_location_that_is_no_place_on_earth_is_said_to_look_wrong(run, latitude, longitude):
    messages, events = run(ActionNearestServices(), make_tracker("/shared_location", "shared_location",
                                                                 slots={"language": "en"},
                                                                 entities=location(latitude, longitude)))
    assert messages[0]["text"] == text("nearest_location_wrong", "en")
    assert "Main menu" in [b["title"] for b in messages[0]["buttons"]]
    assert slots_of(events)["reply_kind"] == "answer"


@pytest.mark.postgres
def test_a_connection_lost_while_the_database_was_away_costs_no_apology(run, postgres_url, set_env, content_pack,
                                                                        monkeypatch):
    """PostgreSQL restarts between two messages: the action's pooled connection is dead, and the reply is still the
    menu, not the apology (answered again on a new connection)."""
    from bot.db import dispose_engines
    from bot.staff import stats
    from tests.conftest import load_content
    from tests.e2e.tcp_proxy import TcpProxy

    load_content(postgres_url, content_pack)
    # The interface texts are read once here, so the action's own query is the first on the dead connection
    # (a catalog check would meet it first and, failing quietly, renew the pool).
    monkeypatch.setattr("bot.content.interface.CHECK_SECONDS", 3600.0)
    proxy = TcpProxy("127.0.0.1", 5432).start()
    try:
        set_env(DATABASE_URL=postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"))
        dispose_engines()
        first, _ = run(ActionShowMenu(), make_tracker("/main_menu", "main_menu"))
        assert stats.flush()  # the dashboard's row of that turn is written before the outage, not into it
        proxy.stop()  # the database goes away and comes back at once: the pooled connection is dead
        proxy.start()
        second, events = run(ActionShowMenu(), make_tracker("/main_menu", "main_menu"))
        assert second == first == [message(text("main_menu", "es"), MAIN_MENU_BUTTONS_ES)]
        assert slots_of(events)["reply_kind"] == "menu"
    finally:
        dispose_engines()
        proxy.stop()

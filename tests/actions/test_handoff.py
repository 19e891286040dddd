"""The bot's side of the handoff (actions/handoff.py), run as Rasa would: the offer of a person, accepting it,
silence while a caseworker has the conversation, danger and "menú" during the pause, and the way back.

Exact messages and events, as in test_actions.py; cases are read back from the database the actions use.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.actions import (
    ActionAnswerTopic,
    ActionChangeLanguage,
    ActionFallback,
    ActionGreet,
    ActionMediaReceived,
    ActionMore,
    ActionNearestServices,
    ActionSelectOption,
    ActionShowMenu,
    ActionSmallTalk,
)
from bot.handoff.cases import PERSON_LEFT_NOTE, CaseRepository
from bot.handoff.models import ASKED, BOT, SYSTEM, USER
from bot.language import text
from tests.actions.test_actions import MAIN_MENU_BUTTONS_ES, message

SENDER = "person-1"
UTC = dt.timezone.utc
SATURDAY_AFTERNOON = dt.datetime(2026, 11, 28, 20, 0, tzinfo=UTC)  # 14:00 in Guatemala: closed until Monday
TUESDAY_MORNING = dt.datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 10:00 in Guatemala: open
HOURS_ES = "de lunes a viernes, de 8:00 a 17:00, hora de Guatemala"
OFFER_ES = ("Una persona del equipo de Brújula puede leer esta conversación y responderle aquí. Atendemos de lunes a "
            "viernes, de 8:00 a 17:00, hora de Guatemala. ¿Quiere hablar con una persona? Escriba el número:")
YES = {"title": "Sí, hablar con una persona", "payload": '/help.human{"handoff": "asked"}'}
NO = {"title": "No, seguir con el menú", "payload": "/main_menu"}
OPENED_ON_SATURDAY = (
    "Listo. Una persona del equipo de Brújula leerá esta conversación y le responderá aquí, en este chat.\n"
    "Ahora estamos fuera del horario de atención (de lunes a viernes, de 8:00 a 17:00, hora de Guatemala). "
    "Espere una respuesta el lunes desde las 8:00.\n"
    "Mientras espera, yo no contestaré: puede seguir escribiendo y la persona leerá sus mensajes.\n"
    "Si está en peligro, escríbalo: le doy los números de emergencia al momento.\n"
    "Si ya no quiere esperar, escriba menú.")
DANGER = {"kind": "emergency", "score": 1.0, "by": "model"}


@pytest.fixture(autouse=True)
def content(sqlite_content, monkeypatch):
    monkeypatch.setattr(handoff, "now", lambda: SATURDAY_AFTERNOON)
    return sqlite_content


@pytest.fixture
def cases(content) -> CaseRepository:
    return CaseRepository(content.database_url)


def user(said: str) -> dict:
    return {"event": "user", "text": said, "input_channel": "webchat", "parse_data": {"intent": {"name": None}}}


def bot(said: str, buttons: Optional[list[dict]] = None) -> dict:
    return {"event": "bot", "text": said, "data": {"buttons": buttons or []}}


def tracker(said: str, intent: Optional[str], slots: Optional[dict[str, Any]] = None, history: tuple = (),
            channel: str = "webchat", **parse_data: Any) -> Tracker:
    return Tracker.from_dict({
        "sender_id": SENDER,
        "slots": slots or {},
        "latest_message": {"text": said, "intent": {"name": intent, "confidence": 0.9 if intent else 0.0},
                           "intent_ranking": [], "entities": [], **parse_data},
        "events": [*history, {"event": "user", "text": said, "input_channel": channel,
                              "parse_data": {"intent": {"name": intent}}}],
        "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
    })


@pytest.fixture
def run(caplog):
    """Run an action; fail on an apology or an error log."""

    def run_action(action, tracker_: Tracker):
        caplog.clear()
        dispatcher = CollectingDispatcher()
        with caplog.at_level(logging.ERROR):
            events = action.run(dispatcher, tracker_, {})
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, f"{action.name()} logged errors: {errors}"
        assert all(e.get("value") != "error" for e in events), f"{action.name()} apologised"
        return dispatcher.messages, events

    return run_action


def slots_of(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def lines(case) -> list[tuple[str, str]]:
    return [(m.author, m.text) for m in case.messages]


def open_case(cases: CaseRepository):
    return cases.open_case(SENDER, "webchat", "es", None, ASKED, [(USER, "quiero hablar con una persona")])


# --- the offer ------------------------------------------------------------------------------------------------
def test_asking_for_a_person_gets_the_offer_with_office_hours_and_two_numbered_options(run, cases):
    messages, events = run(ActionAnswerTopic(), tracker("quiero hablar con una persona", "help.human"))
    assert messages == [message(OFFER_ES, [YES, NO])]
    assert events == [SlotSet("language", "es"), SlotSet("fallback_count", 0.0),
                      SlotSet("reply_kind", "handoff_offer"), SlotSet("topic_id", "help.human"),
                      SlotSet("last_options", [YES, NO])]
    assert cases.active_case(SENDER) is None, "an offer opens nothing"


def test_the_person_option_of_a_menu_gets_the_offer_too(run):
    options = [{"title": "Hablar con una persona", "payload": "/help.human"}]
    messages, _ = run(ActionSelectOption(), tracker("1", "select_option", {"last_options": options}))
    assert messages == [message(OFFER_ES, [YES, NO])]


def test_no_thanks_goes_back_to_the_menu(run, cases):
    messages, _ = run(ActionSelectOption(), tracker("2", "select_option", {"last_options": [YES, NO]}))
    assert messages == [message(text("main_menu", "es"), MAIN_MENU_BUTTONS_ES)]
    assert cases.active_case(SENDER) is None


def test_two_failed_understandings_offer_a_person_and_choosing_it_opens_a_case(run, cases):
    messages, events = run(ActionFallback(), tracker("asdf qwer", "nlu_fallback", {"fallback_count": 1.0}))
    person = {"title": "Hablar con una persona", "payload": '/help.human{"handoff": "failed_twice"}'}
    assert messages == [message(text("fallback_second", "es"), MAIN_MENU_BUTTONS_ES + [person])]
    shown = slots_of(events)["last_options"]
    messages, _ = run(ActionSelectOption(), tracker("5", "select_option", {"last_options": shown}))
    assert messages == [message(OPENED_ON_SATURDAY)]
    case = cases.active_case(SENDER)
    assert (case.reason, case.status, case.topic_id) == ("failed_twice", "new", None)


def test_a_sensitive_topic_offers_a_person_first_and_choosing_it_opens_a_case_about_it(run, cases, content):
    messages, events = run(ActionAnswerTopic(), tracker("/risks.trafficking", "risks.trafficking"))
    person = {"title": "Hablar con una persona", "payload": '/help.human{"handoff": "sensitive"}'}
    assert messages[-1]["buttons"][0] == person
    assert slots_of(events)["last_options"][0] == person
    slots = slots_of(events)
    messages, _ = run(ActionSelectOption(), tracker("1", "select_option", slots))
    assert messages == [message(OPENED_ON_SATURDAY)]
    case = cases.active_case(SENDER)
    assert (case.reason, case.topic_id) == ("sensitive", "risks.trafficking")


def test_an_ordinary_topic_offers_no_person(run):
    messages, _ = run(ActionAnswerTopic(), tracker("/labour.h2a", "labour.h2a"))
    assert all("handoff" not in b["payload"] and b["payload"] != "/help.human" for b in messages[-1]["buttons"])


# --- accepting ------------------------------------------------------------------------------------------------
def test_choosing_yes_opens_exactly_one_case_with_the_recent_conversation(run, cases):
    answer = "Visa H-2A\n\n" + "Texto de prueba. " * 30
    history = (user("hola"), bot("Hola, soy Brújula.", MAIN_MENU_BUTTONS_ES), user("2"),
               bot(answer, [{"title": "Menú principal", "payload": "/main_menu"}]),
               user("quiero hablar con una persona"), bot(OFFER_ES, [YES, NO]))
    slots = {"last_options": [YES, NO], "reply_kind": "handoff_offer", "topic_id": "labour.h2a"}
    messages, events = run(ActionSelectOption(), tracker("1", "select_option", slots, history))

    assert messages == [message(OPENED_ON_SATURDAY)]
    assert events == [SlotSet("language", "es"), SlotSet("fallback_count", 0.0), SlotSet("reply_kind", "handoff"),
                      SlotSet("last_options", [])]
    [case] = cases.queue()
    assert (case.channel, case.lang, case.topic_id, case.reason, case.status) == (
        "webchat", "es", "labour.h2a", "asked", "new")
    assert lines(cases.get(case.id)) == [
        (USER, "hola"), (BOT, "Hola, soy Brújula."), (USER, "2 (Riesgos del camino irregular)"),
        (BOT, answer[:299].rstrip() + "…"), (USER, "quiero hablar con una persona"), (BOT, OFFER_ES),
        (USER, "1 (Sí, hablar con una persona)"), (BOT, OPENED_ON_SATURDAY)]

    messages, events = run(ActionSelectOption(), tracker("1", "select_option", slots, history))
    assert (messages, events) == ([], []), "the case is open: the bot is silent"
    assert len(cases.queue()) == 1


@pytest.mark.parametrize("said, intent, slots", [
    ("sí, hablar con una persona", "help.human", {"last_options": [YES, NO]}),  # the title typed out
    ('/help.human{"handoff": "asked"}', "help.human", {}),  # the button (Telegram sends the payload)
    ("hablar con una persona", "help.human", {"last_options": [YES, NO]}),  # asking again after the offer
    ("Sí", "greet", {"last_options": [YES, NO], "reply_kind": "handoff_offer"}),  # "yes" to the offer
])
def test_the_offer_is_accepted_by_title_button_asking_again_or_yes(run, cases, said, intent, slots):
    messages, _ = run(ActionAnswerTopic(), tracker(said, intent, slots))
    assert messages == [message(OPENED_ON_SATURDAY)]
    assert cases.active_case(SENDER).reason == "asked"


def test_yes_means_nothing_when_no_person_was_offered(run, cases):
    run(ActionSmallTalk(), tracker("sí", "thanks", {"last_options": MAIN_MENU_BUTTONS_ES}))
    assert cases.active_case(SENDER) is None


def test_in_office_hours_the_person_is_told_someone_is_at_work(run, cases, monkeypatch):
    monkeypatch.setattr(handoff, "now", lambda: TUESDAY_MORNING)
    messages, _ = run(ActionSelectOption(), tracker("1", "select_option", {"last_options": [YES, NO]}))
    assert messages[0]["text"].split("\n")[1] == f"Ahora estamos en horario de atención: {HOURS_ES}."


def test_office_hours_come_from_the_settings_and_the_reply_from_the_persons_language(run, set_env, monkeypatch):
    set_env(HANDOFF_OFFICE_DAYS="6,7", HANDOFF_OFFICE_HOURS="09:30-13:00")
    messages, _ = run(ActionSelectOption(), tracker("1", "select_option",
                                                    {"last_options": [YES, NO], "language": "en"}))
    assert messages[0]["text"].split("\n")[:2] == [
        "Done. A person from the Brújula team will read this conversation and answer you here, in this chat.",
        "We are outside office hours now (Saturday and Sunday, 9:30 to 13:00, Guatemala time). "
        "Expect an answer tomorrow (Sunday) from 9:30."]


# --- while a caseworker has the conversation ------------------------------------------------------------------
PAUSED_TURNS = [
    (ActionGreet(), "hola", "greet"),
    (ActionAnswerTopic(), "visa h2a?", "labour.h2a"),
    (ActionAnswerTopic(), "quiero hablar con una persona", "help.human"),
    (ActionFallback(), "asdf qwer", "nlu_fallback"),
    (ActionSelectOption(), "2", "select_option"),
    (ActionSelectOption(), "0", "select_option"),
    (ActionShowMenu(), "/area_labour", "area_labour"),
    (ActionSmallTalk(), "gracias", "thanks"),
    (ActionMore(), "más", "ask_more"),
    (ActionChangeLanguage(), "English", "change_language"),
    (ActionMediaReceived(), '/media_received{"media_kind": "audio"}', "media_received"),
    (ActionNearestServices(), "/shared_location", "shared_location"),
]


def test_while_a_case_is_open_no_action_sends_anything_and_every_message_reaches_the_transcript(run, cases):
    case = open_case(cases)
    slots = {"last_options": MAIN_MENU_BUTTONS_ES, "topic_id": "labour.h2a"}
    for action, said, intent in PAUSED_TURNS:
        messages, events = run(action, tracker(said, intent, slots))
        assert (messages, events) == ([], []), f"{action.name()} spoke during the pause"
    expected = [(USER, "quiero hablar con una persona")] + [(USER, said) for _, said, _ in PAUSED_TURNS]
    expected[5] = (USER, "2 (Riesgos del camino irregular)")
    expected[7] = (USER, "[Trabajar o migrar de forma legal]")
    expected[-2] = (USER, '[/media_received{"media_kind": "audio"}]')
    expected[-1] = (USER, "[/shared_location]")
    assert lines(cases.get(case.id)) == expected
    assert cases.active_case(SENDER).id == case.id


def test_an_emergency_during_the_pause_gets_the_emergency_answer_at_once(run, cases, content):
    case = open_case(cases)
    said = "el coyote nos dejo encerrados en una bodega"
    messages, events = run(ActionFallback(), tracker(said, "nlu_fallback", danger=DANGER))
    emergency = content.get_answer("help.emergency", "es")
    [answer] = messages
    assert answer["text"].startswith(f"{emergency.title}\n\n{emergency.body.strip()}")
    assert not answer["text"].endswith(text("ask_where", "es")), "a question now would go unanswered"
    assert answer["buttons"] == [] and answer["topic_id"] == "help.emergency"
    assert slots_of(events)["last_options"] == [] and slots_of(events)["topic_id"] == "help.emergency"
    assert lines(cases.get(case.id))[-2:] == [(USER, said), (SYSTEM, handoff.DANGER_NOTES["emergency"])]
    assert cases.active_case(SENDER).id == case.id, "the case stays open"


def test_a_crisis_during_the_pause_gets_the_crisis_answer(run, cases, content):
    case = open_case(cases)
    messages, _ = run(ActionAnswerTopic(), tracker("ya no quiero vivir", "help.crisis",
                                                   danger={"kind": "crisis", "score": 0.9, "by": "model"}))
    crisis = content.get_answer("help.crisis", "es")
    assert len(messages) == 1 and messages[0]["text"].startswith(f"{crisis.title}\n\n{crisis.body.strip()}")
    assert lines(cases.get(case.id))[-1] == (SYSTEM, handoff.DANGER_NOTES["crisis"])


@pytest.mark.parametrize("said, intent", [("menú", "main_menu"), ("Menu principal", "main_menu"),
                                          ("/main_menu", "main_menu")])
def test_menu_during_the_pause_stops_waiting_and_shows_the_menu(run, cases, said, intent):
    case = open_case(cases)
    messages, events = run(ActionShowMenu(), tracker(said, intent))
    assert messages == [message(text("handoff_left", "es")),
                        message(text("main_menu", "es"), MAIN_MENU_BUTTONS_ES)]
    assert slots_of(events)["reply_kind"] == "menu"
    closed = cases.get(case.id)
    assert closed.status == "closed" and lines(closed)[-1] == (SYSTEM, PERSON_LEFT_NOTE)
    messages, _ = run(ActionGreet(), tracker("hola", "greet"))
    assert messages[0]["text"] == f"{text('greeting', 'es')}\n{text('consent', 'es', days='180')}"


def test_after_the_caseworker_closes_the_case_the_bot_answers_again(run, cases):
    case = open_case(cases)
    assert run(ActionGreet(), tracker("hola", "greet")) == ([], [])
    cases.reply(case.id, "rosa", "Hola, soy Rosa. ¿En qué le ayudo?")
    cases.close(case.id, "rosa")
    messages, events = run(ActionGreet(), tracker("hola", "greet"))
    assert messages == [message(f"{text('greeting', 'es')}\n{text('consent', 'es', days='180')}"),
                        message(text("main_menu", "es"), MAIN_MENU_BUTTONS_ES)]
    assert slots_of(events)["reply_kind"] == "menu"
    assert lines(cases.get(case.id))[-1] == ("staff", "Hola, soy Rosa. ¿En qué le ayudo?"), "nothing more added"


def test_another_persons_case_does_not_silence_this_person(run, cases):
    cases.open_case("someone-else", "webchat", "es", None, ASKED)
    messages, _ = run(ActionGreet(), tracker("hola", "greet"))
    assert len(messages) == 2


def test_the_database_down_during_a_pause_gets_the_apology_as_before(set_env, tmp_path, caplog):
    (tmp_path / "gone" / "nothing.db").mkdir(parents=True)  # a directory: SQLite cannot open it
    set_env(DATABASE_URL=f"sqlite:///{tmp_path / 'gone' / 'nothing.db'}")
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.ERROR):
        ActionGreet().run(dispatcher, tracker("hola", "greet"), {})
    assert dispatcher.messages == [message(text("unavailable", "es"), MAIN_MENU_BUTTONS_ES)]

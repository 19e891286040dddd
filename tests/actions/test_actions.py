"""Custom actions, run as Rasa would: a Tracker built from a dict and a fresh CollectingDispatcher."""
from __future__ import annotations

from typing import Any, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    ActionAnswerTopic,
    ActionChangeLanguage,
    ActionFallback,
    ActionGreet,
    ActionMore,
    ActionSelectOption,
    ActionShowMenu,
    ActionSmallTalk,
)


def make_tracker(
    text: str,
    intent: Optional[str],
    slots: Optional[dict[str, Any]] = None,
    ranking: Optional[list[dict]] = None,
    channel: str = "webchat",
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": slots or {},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9 if intent else 0.0},
                "intent_ranking": ranking or [],
                "entities": [],
            },
            "events": [{"event": "user", "text": text, "input_channel": channel,
                        "parse_data": {"intent": {"name": intent}}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, slots


def payloads(message: dict) -> list[str]:
    return [b["payload"] for b in message.get("buttons") or []]


@pytest.fixture(autouse=True)
def content(sqlite_content):
    return sqlite_content


@pytest.mark.parametrize(
    "text, intent, lang",
    [
        ("como saco la visa h2a para trabajar en el campo", "labour.h2a", "es"),
        ("how do I get the h2a farm work visa", "labour.h2a", "en"),
        ("que hago si llego deportado al aeropuerto", "reintegration.arrival", "es"),
        ("is it legal for the recruiter to charge me", "labour.fees", "en"),
    ],
)
def test_topic_answer_comes_from_the_database_in_the_users_language(content, text, intent, lang):
    messages, slots = run(ActionAnswerTopic(), make_tracker(text, intent))
    answer = content.get_answer(intent, lang)
    assert answer.body.strip() in messages[0]["text"]
    assert slots["topic_id"] == intent and slots["answer_version"] == answer.version
    assert slots["language"] == lang and slots["reply_kind"] == "answer"
    assert messages[0]["topic_id"] == intent  # traceable in the bot event metadata too


def test_every_answer_names_its_source_and_offers_a_way_on(content):
    messages, slots = run(ActionAnswerTopic(), make_tracker("visa h2a?", "labour.h2a"))
    assert "Fuente:" in messages[0]["text"]
    options = payloads(messages[0])
    assert options[-1] == "/main_menu"
    assert len(options) >= 2
    assert slots["last_options"] == options


def test_published_edit_is_served_on_the_next_reply_without_restart(content):
    draft = content.save_draft("labour.h2a", "es", {"body": "Texto revisado por el equipo de contenido."})
    content.publish("labour.h2a", "es", draft.version)
    messages, slots = run(ActionAnswerTopic(), make_tracker("visa h2a?", "labour.h2a"))
    assert "Texto revisado por el equipo de contenido." in messages[0]["text"]
    assert slots["answer_version"] == draft.version


def test_missing_english_translation_falls_back_to_spanish_with_a_note(content):
    from sqlalchemy import update

    from bot.db import session_scope
    from bot.models import AnswerVersion

    with session_scope() as session:
        session.execute(update(AnswerVersion).where(AnswerVersion.topic_id == "labour.h2b",
                                                    AnswerVersion.lang == "en").values(status="archived"))
    messages, _ = run(ActionAnswerTopic(), make_tracker("what about the h2b visa for hotels", "labour.h2b"))
    assert "not yet available in English" in messages[0]["text"]
    assert content.get_answer("labour.h2b", "es").body.strip() in messages[0]["text"]


def test_danger_in_any_message_gets_the_emergency_answer_first(content):
    messages, slots = run(ActionAnswerTopic(), make_tracker("auxilio me quieren matar los coyotes", "risks.smugglers"))
    emergency = content.get_answer("help.emergency", "es")
    assert emergency.body.strip() in messages[0]["text"]
    assert content.get_answer("risks.smugglers", "es").body.strip() in messages[1]["text"]


def test_greeting_has_privacy_notice_and_numbered_main_menu():
    messages, slots = run(ActionGreet(), make_tracker("hola", "greet"))
    assert "Privacidad" in messages[0]["text"]
    assert payloads(messages[-1]) == ["/area_labour", "/area_risks", "/area_return", "/area_help"]
    assert slots["last_options"] == payloads(messages[-1])


def test_area_menu_lists_its_topics(content):
    messages, _ = run(ActionShowMenu(), make_tracker("riesgos", "area_risks"))
    options = payloads(messages[0])
    assert "/risks.smugglers" in options and "/risks.trafficking" in options
    assert options[-1] == "/main_menu"
    assert not any(p.startswith("/labour") for p in options)


def test_number_picks_the_option_shown_last(content):
    slots = {"last_options": ["/area_labour", "/area_risks", "/area_return", "/area_help"]}
    messages, new_slots = run(ActionSelectOption(), make_tracker("2", "select_option", slots))
    assert "/risks.smugglers" in payloads(messages[0])
    options = new_slots["last_options"]
    first_topic = options[0]
    tracker = make_tracker("opcion 1", "select_option", {"last_options": options})
    messages, new_slots = run(ActionSelectOption(), tracker)
    assert new_slots["topic_id"] == first_topic[1:]


def test_zero_goes_back_to_the_main_menu():
    messages, _ = run(ActionSelectOption(), make_tracker("0", "select_option", {"last_options": ["/labour.h2a"]}))
    assert payloads(messages[0])[0] == "/area_labour"


def test_number_out_of_range_shows_the_same_list_again(content):
    options = ["/labour.h2a", "/labour.h2b", "/main_menu"]
    messages, slots = run(ActionSelectOption(), make_tracker("7", "select_option", {"last_options": options}))
    assert "7" in messages[0]["text"]
    assert payloads(messages[0]) == options


def test_more_gives_the_details_of_the_last_topic(content):
    with_details = [t for t in content.list_topics() if (content.get_answer(t.id, "es").details)]
    assert with_details, "the content pack should have at least one answer with details"
    topic = with_details[0].id
    messages, slots = run(ActionMore(), make_tracker("mas info", "ask_more", {"topic_id": topic}))
    assert content.get_answer(topic, "es").details.strip() in messages[0]["text"]


@pytest.mark.parametrize("text, lang", [("English please", "en"), ("en español", "es")])
def test_language_switch_is_remembered(text, lang):
    messages, slots = run(ActionChangeLanguage(), make_tracker(text, "change_language", {"language": "es"}))
    assert slots["language"] == lang
    assert ("English" in messages[0]["text"]) == (lang == "en")


def test_answers_follow_the_chosen_language_for_language_neutral_messages(content):
    messages, slots = run(ActionSelectOption(), make_tracker("1", "select_option",
                                                             {"language": "en", "last_options": ["/labour.h2a"]}))
    assert content.get_answer("labour.h2a", "en").body.strip() in messages[0]["text"]


def test_fallback_is_honest_offers_guesses_and_logs_without_personal_data(content):
    ranking = [{"name": "nlu_fallback", "confidence": 1.0}, {"name": "labour.canada", "confidence": 0.25},
               {"name": "labour.h2a", "confidence": 0.2}]
    text = "mi cel es 5555-1234 y quiero ir pa alla al norte a chambear"
    messages, slots = run(ActionFallback(), make_tracker(text, "nlu_fallback", ranking=ranking))
    assert "no entendí" in messages[0]["text"].lower()
    assert payloads(messages[0])[:2] == ["/labour.canada", "/labour.h2a"]
    assert slots["reply_kind"] == "fallback" and slots["fallback_count"] == 1.0
    [logged] = content.unanswered()
    assert "5555" not in logged.text and logged.channel == "webchat"
    assert logged.top_guesses[0]["name"] == "labour.canada"


def test_second_fallback_in_a_row_offers_menu_and_a_person(content):
    messages, slots = run(ActionFallback(), make_tracker("asdf qwer", "nlu_fallback", {"fallback_count": 1.0}))
    assert "/help.human" in payloads(messages[0])
    assert "/area_labour" in payloads(messages[0])
    assert slots["fallback_count"] == 0.0


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "¿¿??!!"])
def test_messages_without_words_get_a_clear_reply(text):
    messages, slots = run(ActionFallback(), make_tracker(text, "nlu_fallback"))
    assert messages and messages[0]["text"]
    assert payloads(messages[0])


def test_small_talk_replies_in_the_users_language():
    messages, _ = run(ActionSmallTalk(), make_tracker("thank you so much", "thanks"))
    assert messages[0]["text"].startswith("You are welcome")


def test_database_unavailable_gets_an_apology_and_the_menu(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-dir' / 'nothing.db'}")
    (tmp_path / "missing-dir").mkdir()
    (tmp_path / "missing-dir" / "nothing.db").mkdir()  # a directory: SQLite cannot open it
    messages, slots = run(ActionAnswerTopic(), make_tracker("visa h2a?", "labour.h2a"))
    assert "Lo siento" in messages[0]["text"]
    assert payloads(messages[0])[0] == "/area_labour"
    assert slots["reply_kind"] == "error"


def test_every_answer_message_stays_short_enough_for_a_phone(content):
    """Title, body and source line together: one screen-sized message for every topic and language."""
    for topic in content.list_topics():
        for lang in ("es", "en"):
            messages, _ = run(ActionAnswerTopic(), make_tracker(f"/{topic.id}", topic.id, {"language": lang}))
            assert len(messages[0]["text"]) <= 800, f"{topic.id} [{lang}] is {len(messages[0]['text'])} characters"
            assert messages[0]["text"].count("Fuente:" if lang == "es" else "Source:") == 1

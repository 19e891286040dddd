"""Audio answers in the actions: "Escuchar" after an answer or an FAQ entry (a number, the typed word or the pressed
button) sends it as audio whose voice reads the options shown; "Siempre con audio" sends every answer with its
audio until "Solo texto"; a voice note offers both."""
from __future__ import annotations

import pytest

from actions.actions import ActionAnswerTopic, ActionFallback, ActionMediaReceived, ActionSelectOption
from bot.audio.repository import FAQ, AudioRepository
from bot.language import text
from tests.actions.test_actions import make_tracker, run, vacation_entry  # noqa: F401 - fixtures

LISTEN = {"title": "Escuchar", "payload": '/listen{"topic": "labour.h2a"}'}
LISTEN_ENTRY = {"title": "Escuchar", "payload": '/listen{"entry": "labour.h2a/test-vacation"}'}
ALWAYS = {"title": "Siempre con audio", "payload": '/listen{"prefer": "on"}'}
TEXT_ONLY = {"title": "Solo texto", "payload": '/listen{"prefer": "off"}'}
MENU = {"title": "Menú principal", "payload": "/main_menu"}


@pytest.fixture(autouse=True)
def content(sqlite_content):
    return sqlite_content


def slots_of(events) -> dict:
    return {e["name"]: e["value"] for e in events}


def h2a_options(content) -> list[dict]:
    """The options after the H-2A answer, before "Escuchar": more information, then its follow-ups."""
    answer = content.get_answer("labour.h2a", "es")
    assert answer.details and len(answer.follow_ups) >= 2  # the pack's answer, so the lists below are not empty
    titles = content.titles(answer.follow_ups, "es")
    return [{"title": "Más información", "payload": "/ask_more"}] + [
        {"title": titles[t], "payload": f"/{t}"} for t in answer.follow_ups if t in titles]


@pytest.mark.parametrize("message, action", [("1", ActionSelectOption()), ("escuchar", ActionFallback()),
                                             (LISTEN["payload"], ActionFallback())])
def test_choosing_escuchar_sends_the_answer_as_audio_with_the_options_it_reads(run, content, message, action):  # noqa: F811
    messages, events = run(action, make_tracker(message, "select_option", {"last_options": [LISTEN, MENU]}))
    answer = content.get_answer("labour.h2a", "es")
    audio = AudioRepository(content.database_url).for_answer("labour.h2a", "es")
    assert audio is not None and audio.synthetic  # made now, kept for the next person
    assert messages == [{"text": f"Escuche la respuesta: {answer.title}", "buttons": h2a_options(content) + [
        ALWAYS, MENU], "attachment": {"audio": audio.key}, "topic_id": "labour.h2a",
        "answer_version": answer.version, "answer_lang": "es", "elements": [], "custom": {}, "template": None,
        "response": None, "image": None}]
    assert slots_of(events)["reply_kind"] == "answer" and slots_of(events)["topic_id"] == "labour.h2a"


def test_the_voice_reads_the_answer_then_the_options_shown_by_number(content):
    audio = AudioRepository(content.database_url)
    answer = content.get_answer("labour.h2a", "es")
    from bot.content.models import AnswerVersion
    from bot.db import session_scope
    with session_scope(content.database_url) as s:
        version = s.query(AnswerVersion).filter_by(topic_id="labour.h2a", lang="es", status="published").one()
        spoken = audio.spoken_text(version)
    options = "\n".join(f"Opción {n}: {o['title']}." for n, o in enumerate(h2a_options(content), start=1))
    assert spoken == (f"{answer.title}.\n\n{answer.body.strip()}\n\nPara seguir, escriba el número de una opción."
                      f"\n\n{options}\nOpción 0: Menú principal.")


def test_escuchar_without_an_answer_to_hear_says_so(run):  # noqa: F811
    option = {"title": "Escuchar", "payload": '/listen{"topic": "no.such-topic"}'}
    messages, _ = run(ActionSelectOption(), make_tracker("1", "select_option", {"last_options": [option, MENU]}))
    assert messages[0]["text"] == text("listen_none", "es") and messages[0]["attachment"] is None


def test_an_faq_entry_offers_escuchar_and_is_heard_with_its_topic_and_the_menu(run, content, vacation_entry):  # noqa: F811
    messages, events = run(ActionSelectOption(), make_tracker("1", "select_option",
                                                              {"last_options": [LISTEN_ENTRY, MENU]}))
    audio = AudioRepository(content.database_url).for_answer("labour.h2a/test-vacation", "es", FAQ)
    assert audio is not None and audio.synthetic and audio.kind == FAQ
    title = content.titles(["labour.h2a"], "es")["labour.h2a"]
    [sent] = messages
    assert sent["text"] == "Escuche la respuesta: ¿Hay vacaciones pagadas?"
    assert sent["attachment"] == {"audio": audio.key}
    assert sent["buttons"] == [{"title": f"Más sobre: {title}", "payload": "/labour.h2a"}, ALWAYS, MENU]
    assert slots_of(events)["faq_id"] == "labour.h2a/test-vacation"


def test_a_voice_note_after_an_answer_offers_to_hear_it_and_every_answer(run):  # noqa: F811
    tracker = make_tracker('/media_received{"media_kind": "audio"}', "media_received",
                           {"topic_id": "labour.h2a", "last_options": [LISTEN, MENU]},
                           entities=[{"entity": "media_kind", "value": "audio"}])
    messages, _ = run(ActionMediaReceived(), tracker)
    assert messages[0]["text"] == text("media_audio", "es")
    assert messages[0]["buttons"][:2] == [LISTEN, ALWAYS]


@pytest.mark.parametrize("option, prefer, said", [(ALWAYS, True, "audio_on"), (TEXT_ONLY, False, "audio_off")])
def test_siempre_con_audio_and_solo_texto_set_the_preference(run, option, prefer, said):  # noqa: F811
    messages, events = run(ActionSelectOption(), make_tracker("1", "select_option", {"last_options": [option]}))
    assert messages[0]["text"] == text(said, "es")
    assert slots_of(events)["prefer_audio"] is prefer


def test_who_prefers_audio_gets_the_answer_then_its_audio_with_the_options(run, content):  # noqa: F811
    messages, events = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a", {"prefer_audio": True}))
    answer = content.get_answer("labour.h2a", "es")
    audio = AudioRepository(content.database_url).for_answer("labour.h2a", "es")
    written, heard = messages
    assert written["text"].startswith(f"{answer.title}\n\n") and written["buttons"] == []
    assert heard["attachment"] == {"audio": audio.key}
    assert heard["buttons"] == h2a_options(content) + [TEXT_ONLY, MENU]
    assert slots_of(events)["last_options"] == heard["buttons"]


def test_who_prefers_audio_gets_an_faq_entry_heard_too(run, content, vacation_entry):  # noqa: F811
    tracker = make_tracker("¿Cuántos días de vacaciones pagadas da el patrón?", "labour.h2a", {"prefer_audio": True})
    messages, _ = run(ActionAnswerTopic(), tracker)
    written, heard = messages
    assert written["text"].startswith("¿Hay vacaciones pagadas?") and written["buttons"] == []
    audio = AudioRepository(content.database_url).for_answer("labour.h2a/test-vacation", "es", FAQ)
    assert heard["attachment"] == {"audio": audio.key} and heard["buttons"][-2:] == [TEXT_ONLY, MENU]


def test_without_the_preference_an_answer_comes_as_text_with_escuchar(run, content):  # noqa: F811
    messages, _ = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a", {"prefer_audio": False}))
    [written] = messages
    assert written["attachment"] is None and LISTEN in written["buttons"]


def test_mas_informacion_can_be_heard_too_with_the_options_it_reads(run, content):  # noqa: F811
    from actions.actions import ActionMore

    messages, _ = run(ActionMore(), make_tracker("/ask_more", "ask_more", {"topic_id": "labour.h2a"}))
    follow_ups = h2a_options(content)[1:]  # no "Más información" after the details
    listen_details = {"title": "Escuchar", "payload": '/listen{"topic": "labour.h2a", "part": "details"}'}
    assert messages[0]["buttons"] == follow_ups + [listen_details, MENU]
    messages, _ = run(ActionSelectOption(), make_tracker(str(len(follow_ups) + 1), "select_option",
                                                         {"last_options": messages[0]["buttons"]}))
    details = AudioRepository(content.database_url).for_answer("labour.h2a", "es", part="details")
    body = AudioRepository(content.database_url).for_answer("labour.h2a", "es")
    assert details is not None and details.synthetic and details.part == "details" and body is None
    [sent] = messages
    assert sent["attachment"] == {"audio": details.key} and sent["buttons"] == follow_ups + [ALWAYS, MENU]


def test_the_details_voice_reads_the_details_then_the_options_after_them(content):
    from bot.content.models import AnswerVersion
    from bot.db import session_scope

    answer = content.get_answer("labour.h2a", "es")
    with session_scope(content.database_url) as s:
        version = s.query(AnswerVersion).filter_by(topic_id="labour.h2a", lang="es", status="published").one()
        spoken = AudioRepository(content.database_url).spoken_text(version, part="details")
    options = "\n".join(f"Opción {n}: {o['title']}." for n, o in enumerate(h2a_options(content)[1:], start=1))
    assert spoken == (f"{answer.title}.\n\n{answer.details.strip()}\n\nPara seguir, escriba el número de una opción."
                      f"\n\n{options}\nOpción 0: Menú principal.")

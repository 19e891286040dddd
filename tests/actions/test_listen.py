"""The "Escuchar" option: after an answer, a number, the typed word or the pressed button sends the answer as audio
(synthetic on first request when there is no recording, then kept); a voice note offers it too."""
from __future__ import annotations

import pytest

from actions.actions import ActionFallback, ActionMediaReceived, ActionSelectOption
from bot.audio.repository import AudioRepository
from bot.language import text
from tests.actions.test_actions import make_tracker, run  # noqa: F401 - `run` is a fixture

LISTEN = {"title": "Escuchar", "payload": "/listen"}
MENU = {"title": "Menú principal", "payload": "/main_menu"}


@pytest.fixture(autouse=True)
def content(sqlite_content):
    return sqlite_content


def after_the_answer(**slots) -> dict:
    return {"topic_id": "labour.h2a", "last_options": [LISTEN, MENU], **slots}


@pytest.mark.parametrize("message, action", [("1", ActionSelectOption()), ("escuchar", ActionFallback()),
                                             ("/listen", ActionFallback())])
def test_choosing_escuchar_sends_the_answer_as_audio_with_its_options(run, content, message, action):  # noqa: F811
    messages, events = run(action, make_tracker(message, "select_option", after_the_answer()))
    answer = content.get_answer("labour.h2a", "es")
    audio = AudioRepository(content.database_url).for_answer("labour.h2a", "es")
    assert audio is not None and audio.synthetic  # made now, kept for the next person
    [sent] = messages
    assert sent["text"] == f"Escuche la respuesta: {answer.title}"
    assert sent["attachment"] == {"audio": audio.key}
    assert sent["buttons"][-1] == MENU and LISTEN not in sent["buttons"]
    slots = {e["name"]: e["value"] for e in events}
    assert slots["reply_kind"] == "answer" and slots["topic_id"] == "labour.h2a"


def test_escuchar_without_an_answer_to_hear_says_so(run):  # noqa: F811
    messages, _ = run(ActionSelectOption(), make_tracker("1", "select_option", {"last_options": [LISTEN, MENU]}))
    assert messages[0]["text"] == text("listen_none", "es") and messages[0]["attachment"] is None


def test_a_voice_note_after_an_answer_offers_to_hear_it(run):  # noqa: F811
    tracker = make_tracker('/media_received{"media_kind": "audio"}', "media_received", {"topic_id": "labour.h2a"},
                           entities=[{"entity": "media_kind", "value": "audio"}])
    messages, _ = run(ActionMediaReceived(), tracker)
    assert messages[0]["text"] == text("media_audio", "es")
    assert messages[0]["buttons"][0] == LISTEN

"""The web chat's checks of what a caller sends, without servers (tests/channels/test_fuzz.py runs them against
the real server)."""
from __future__ import annotations

import pytest

from channels.webchat import sign, valid_token
from channels.webchat.channel import message_text

SECRET = "unit-test-webchat-secret-0123"
SENDER = "web-0123456789abcdef01234567"


def test_a_sender_with_its_own_token_is_valid():
    assert valid_token(SENDER, sign(SENDER, SECRET), SECRET)
    assert not valid_token(SENDER, sign(SENDER, "another-secret-0123456789"), SECRET)


@pytest.mark.parametrize("sender, token", [
    (SENDER, "é" * 64),  # non-ASCII token: hmac.compare_digest refuses such strings (was a 500)
    (SENDER, sign(SENDER, SECRET).upper()),
    (SENDER, sign(SENDER, SECRET) + "0"),
    ("web-\ud800", "0" * 64),  # lone surrogate: the sender could not be encoded to sign it (was a 500)
    ("web-abc\u200f", "0" * 64),
    ("web-abc\udc89", "0" * 64),  # a header byte that is not UTF-8, as Sanic hands it over
    ("a" * 65, "0" * 64),
    ("", "0" * 64),
    (None, None),
    (123, sign("123", SECRET)),
    (SENDER, {"token": sign(SENDER, SECRET)}),
])
def test_anything_else_is_refused_without_an_error(sender, token):
    assert valid_token(sender, token, SECRET) is False


@pytest.mark.parametrize("message, expected", [
    ("  hola\x00 ", "hola"), (None, ""), (12345, "12345"), ("\ud800", ""),
    (True, None), (1.5, None), ({"text": "hola"}, None), (["hola"], None),
])
def test_a_message_is_text_a_whole_number_or_absent(message, expected):
    assert message_text(message) == expected


def test_an_audio_answer_is_played_under_its_words_before_the_options(set_env):
    """Rasa sends an utterance's attachment as a message of its own; the page gets it back on the words."""
    from channels.webchat.channel import with_audio_links

    set_env(BRUJULA_ENV="test", AUDIO_URL_SECRET="audio-url-secret-for-the-tests-0123")
    key = "labour.h2a-es-v2-0123456789abcdef.ogg"
    words = {"recipient_id": "u", "text": "Escuche la respuesta: Visa H-2A",
             "buttons": [{"title": "Menú principal", "payload": "/main_menu"}]}
    shown = with_audio_links([dict(words), {"recipient_id": "u", "attachment": {"audio": key}},
                              {"recipient_id": "u", "text": "otra"}])
    assert [m.get("text") for m in shown] == ["Escuche la respuesta: Visa H-2A", "otra"]
    assert shown[0]["buttons"] == words["buttons"]
    assert shown[0]["audio"].startswith(f"/webhooks/audio/{key}?exp=") and "audio" not in shown[1]

"""Telegram pieces without servers: callback data within 64 bytes, which updates are a conversation, what counts
as text, replies to parts, and the admin commands (set-webhook, poll) against the fake Bot API."""
from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from telegram import Update

from bot.settings import get_settings
from channels.telegram import TelegramInput, callback_data, outgoing_parts, resolve_callback
from channels.telegram.admin import poll, set_webhook
from channels.telegram.channel import not_a_conversation
from tests.channels.fake_telegram import FakeTelegram

TOKEN = "42:unit-test-token"
SECRET = "unit-test-webhook-secret-0123"


def test_callback_data_fits_in_64_bytes_and_maps_back():
    long_payload = '/shared_location{"latitude": 14.123456789, "longitude": -91.123456789, "x": "ñññññ"}'
    short = "/labour.h2a"
    assert callback_data(short, 1) == short, "a short payload works even from an old keyboard"
    assert callback_data(long_payload, 3) == "3", "a long one becomes its option number"
    assert resolve_callback(short) == short and resolve_callback("3") == "3"


@pytest.mark.parametrize("data", [None, "", "k:unknown", {"a": 1}, ["/x"], True, 7, 1.5, "/main_menu\x00",
                                  "/\ud800", "/" + "x" * 70, "١", "\u200f/main_menu"])
def test_callback_data_that_is_not_a_payload_or_number_is_ignored(data):
    assert resolve_callback(data) is None


def update(**fields) -> Update:
    message = {"message_id": 1, "date": 1_700_000_000, "chat": {"id": 7_000_000_001, "type": "private"},
               "from": {"id": 7_000_000_001, "is_bot": False, "first_name": "Rosa"}, "text": "hola"}
    return Update.de_json({"update_id": 1, "message": {**message, **fields}}, None)


@pytest.mark.parametrize("chat, reason", [
    ({"id": 7_000_000_001, "type": "private"}, None),
    ({"id": "7000000001", "type": "private"}, "invalid chat id"),
    ({"id": 7_000_000_001.0, "type": "private"}, "invalid chat id"),
    ({"id": True, "type": "private"}, "invalid chat id"),
    ({"id": 2**60, "type": "private"}, "invalid chat id"),
    ({"id": -7_000_000_001, "type": "private"}, "invalid chat id"),
    ({"id": {"id": 1}, "type": "private"}, "invalid chat id"),
    ({"id": -1_001_234_567_890, "type": "group"}, "group chat"),
    ({"id": 7_000_000_001, "type": ["private"]}, "group chat"),
])
def test_only_a_private_chat_with_an_integer_id_is_a_conversation(set_env, chat, reason):
    set_env(TELEGRAM_BOT_TOKEN=TOKEN)
    assert not_a_conversation(get_settings(), update(chat=chat)) == reason


def test_an_update_with_two_messages_is_not_a_conversation():
    both = update()
    data = {"update_id": 1, "message": both.message.to_dict(), "edited_message": both.message.to_dict()}
    assert not_a_conversation(get_settings(), Update.de_json(data, None)) == "not one message"


@pytest.mark.parametrize("fields, expected", [
    ({"text": {"a": 1}, "caption": "visa h2a"}, "visa h2a"),
    ({"text": ["hola"]}, ""),
    ({"text": 12345}, ""),
    ({"text": "\u202e/menu\u200b"}, "/main_menu"),
    ({"text": None, "location": {"latitude": 10**400, "longitude": -90.5}},
     '/shared_location{"latitude": "invalid", "longitude": -90.5}'),
    ({"text": None, "location": {"latitude": "14.6", "longitude": [1]}},
     '/shared_location{"latitude": 14.6, "longitude": "invalid"}'),
])
def test_only_strings_count_as_text_and_odd_locations_stay_locations(fields, expected):
    assert TelegramInput()._user_text(update(**fields).message)[0] == expected


@pytest.mark.parametrize("command, expected", [
    ("/language en", '/change_language{"language": "en"}'),
    ("/idioma QUC", '/change_language{"language": "quc"}'),
    ("/language English", '/change_language{"language": "en"}'),
    ("/idioma español", '/change_language{"language": "es"}'),
    ("/idioma k'iche'", "idioma k'iche'"),
    ("/idioma", "/change_language"),
    ("/language /menu", "/change_language"),
])
def test_the_language_command_asks_for_any_language_by_code_or_name(command, expected):
    assert TelegramInput()._user_text(update(text=command).message)[0] == expected


def test_replies_become_parts_with_numbered_keyboard_on_the_last():
    messages = [{"text": "x" * 5000, "buttons": [{"title": "Visa H-2A", "payload": "/labour.h2a"},
                                                 {"title": "Menú principal", "payload": "/main_menu"}]}]
    parts = outgoing_parts(messages)
    assert [len(p["body"]) for p in parts] == [4096, 904]
    assert parts[0]["buttons"] == []
    assert parts[1]["buttons"] == [{"text": "1. Visa H-2A", "callback_data": "/labour.h2a"},
                                   {"text": "2. Menú principal", "callback_data": "/main_menu"}]


@pytest.fixture
def fake(set_env):
    server = FakeTelegram(TOKEN)
    set_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_API_BASE_URL=server.base_url,
            PUBLIC_BASE_URL="https://brujula.example.org")
    yield server
    server.close()


def test_set_webhook_registers_url_secret_and_update_types(fake):
    url = asyncio.run(set_webhook(get_settings()))
    [(method, params)] = [c for c in fake.calls if c[0] == "setWebhook"]
    assert url == params["url"] == "https://brujula.example.org/webhooks/telegram/webhook"
    assert params["secret_token"] == SECRET
    assert params["allowed_updates"] == ["message", "edited_message", "callback_query"]


def test_poll_forwards_updates_to_the_local_webhook_with_the_secret(fake):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.pending_updates = [{"update_id": 5, "message": {"message_id": 1, "date": 1, "text": "hola",
                                                         "chat": {"id": 99, "type": "private"}}}]
    try:
        asyncio.run(poll(get_settings(), f"http://127.0.0.1:{server.server_address[1]}/webhook", rounds=1))
    finally:
        server.shutdown()
    assert "deleteWebhook" in [c[0] for c in fake.calls]
    [(secret, update)] = received
    assert secret == SECRET and update["update_id"] == 5 and update["message"]["text"] == "hola"

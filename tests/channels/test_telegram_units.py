"""Telegram pieces without servers: callback data within 64 bytes, replies to parts, and the admin commands
(set-webhook, poll) against the fake Bot API."""
from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.settings import get_settings
from channels.telegram import callback_data, outgoing_parts, resolve_callback
from channels.telegram.admin import poll, set_webhook
from tests.channels.fake_telegram import FakeTelegram

TOKEN = "42:unit-test-token"
SECRET = "unit-test-webhook-secret-0123"


def test_callback_data_fits_in_64_bytes_and_maps_back():
    long_payload = '/shared_location{"latitude": 14.123456789, "longitude": -91.123456789, "x": "ñññññ"}'
    short = "/labour.h2a"
    assert callback_data(short, 1) == short, "a short payload works even from an old keyboard"
    assert callback_data(long_payload, 3) == "3", "a long one becomes its option number"
    assert resolve_callback(short) == short and resolve_callback("3") == "3"


@pytest.mark.parametrize("data", [None, "", "k:unknown", {"a": 1}, ["/x"], True, 7, 1.5])
def test_callback_data_that_is_not_a_payload_or_number_is_ignored(data):
    assert resolve_callback(data) is None


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

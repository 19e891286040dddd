"""WhatsApp and Telegram while the database is away: the person still gets the apology and the menu, sent
inside the webhook response (no outbox needed); once the database is back, replies flow normally."""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
import uuid

import pytest
from twilio.request_validator import RequestValidator

from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.servers import servers_with
from tests.conftest import load_content, postgres_databases, postgres_url_of
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.model, pytest.mark.postgres]

SID, AUTH = "AC" + "3" * 32, "outage-auth-token-0123456789"
TOKEN, SECRET = "5555:outage-test-token", "outage-webhook-secret-0123456789"
PUBLIC = "https://brujula.example.org"


class _Fakes:
    def __init__(self):
        self.twilio, self.telegram = FakeTwilio(SID, AUTH), FakeTelegram(TOKEN)

    def close(self):
        self.twilio.close()
        self.telegram.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, content_pack):
    with postgres_databases("brujula_outage") as (name,):
        direct = postgres_url_of(name)
        load_content(direct, content_pack)
        yield from _servers(tmp_path_factory, name, direct)


def _servers(tmp_path_factory, name: str, direct: str):
    proxy = TcpProxy("127.0.0.1", 5432).start()
    fakes = _Fakes()
    env = {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}", "PUBLIC_BASE_URL": PUBLIC,
           "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH, "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
           "TWILIO_API_BASE_URL": fakes.twilio.base_url, "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": fakes.telegram.base_url}
    try:
        with servers_with(fakes, tmp_path_factory.mktemp("outage"), None, env, "/webhooks/whatsapp/",
                          database_url=direct) as servers:
            yield servers, proxy, fakes
    finally:
        proxy.stop()


def whatsapp(base: str, number: str, body: str) -> tuple[int, str]:
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": number, "Body": body, "NumMedia": "0"}
    path = "/webhooks/whatsapp/webhook"
    signature = RequestValidator(AUTH).compute_signature(PUBLIC + path, form)
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(form).encode(), method="POST",
                                     headers={"X-Twilio-Signature": signature,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read().decode()


def telegram(base: str, user_id: int, text: str) -> dict:
    update = {"update_id": int(time.time() * 1000) % 10**9, "message": {
        "message_id": 1, "date": int(time.time()), "text": text,
        "chat": {"id": user_id, "type": "private"}, "from": {"id": user_id, "is_bot": False, "first_name": "A"}}}
    request = urllib.request.Request(base + "/webhooks/telegram/webhook", data=json.dumps(update).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "X-Telegram-Bot-Api-Secret-Token": SECRET})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_whatsapp_answers_inline_while_the_database_is_down_and_normally_after(stack):
    servers, proxy, fakes = stack
    number = "whatsapp:+50255000111"
    proxy.stop()
    try:
        status, body = whatsapp(servers.base, number, "visa h2a?")
    finally:
        proxy.start()
    assert status == 200
    assert "<Message>" in body and "Lo siento" in body and "1. Trabajar o migrar de forma legal" in body
    whatsapp(servers.base, number, "hola")
    assert "Privacidad" in fakes.twilio.wait_for(number, 2)[0]["Body"]


def test_telegram_answers_inline_while_the_database_is_down_and_normally_after(stack):
    servers, proxy, fakes = stack
    user_id = 8_100_000_001
    proxy.stop()
    try:
        answer = telegram(servers.base, user_id, "visa h2a?")
    finally:
        proxy.start()
    assert answer["method"] == "sendMessage" and answer["chat_id"] == user_id
    assert "Lo siento" in answer["text"]
    assert answer["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("1. Trabajar")
    telegram(servers.base, user_id, "/menu")
    assert fakes.telegram.wait_for(user_id, 1)[0]["reply_markup"]

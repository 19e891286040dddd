"""A caseworker's replies reach the person through the real channel senders, against the fake Telegram and Twilio
APIs: in order, retried, the close notice last; WhatsApp after 24 hours as the approved template; the staff
group alert with the case number and topic only; and the web chat taking its waiting messages once."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import update

from bot.db import session_scope, utcnow
from bot.handoff.delivery import STAFF_GROUP_SENDER, close_case, run_due, send_reply
from bot.messaging.delivery import Deliverer
from bot.messaging.models import ChannelContact
from bot.messaging.store import ChannelStore
from bot.settings import get_settings
from channels.telegram import TelegramSender
from channels.webchat.channel import take_updates
from channels.whatsapp import TwilioSender
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio

TOKEN = "42:handoff-test-token"
PERSON_CHAT, STAFF_CHAT = 777001, -100900
SID, AUTH = "AC" + "3" * 32, "handoff-test-token-0123456789"
NUMBER = "whatsapp:+50255500001"
TEMPLATE_SID = "HX" + "b" * 32


@pytest.fixture
def telegram_api(set_env):
    server = FakeTelegram(TOKEN)
    set_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, TELEGRAM_TIMEOUT_SECONDS="2",
            TELEGRAM_STAFF_CHAT_ID=str(STAFF_CHAT))
    yield server
    server.close()


@pytest.fixture
async def telegram(telegram_api, db):
    store = ChannelStore(db)
    store.touch_contact("telegram-p1", "telegram", str(PERSON_CHAT))
    sender = TelegramSender(get_settings(), store)
    yield Deliverer(store, sender.send, "telegram", attempts=3, backoff_seconds=0.01, retry_interval_seconds=60)
    await sender.bot.shutdown()


@pytest.fixture
def twilio_api(set_env):
    server = FakeTwilio(SID, AUTH)
    set_env(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=AUTH, TWILIO_API_BASE_URL=server.base_url,
            TWILIO_WHATSAPP_FROM="whatsapp:+14155238886", TWILIO_TIMEOUT_SECONDS="2",
            TWILIO_TEMPLATE_CONTENT_SID=TEMPLATE_SID)
    yield server
    server.close()


@pytest.fixture
async def whatsapp(twilio_api, db):
    store = ChannelStore(db)
    store.touch_contact("whatsapp-p1", "whatsapp", NUMBER)
    sender = TwilioSender(get_settings(), store)
    yield Deliverer(store, sender.send, "whatsapp", attempts=3, backoff_seconds=0.01, retry_interval_seconds=60)
    if sender.client.http_client.session is not None:
        await sender.client.http_client.session.close()


async def test_telegram_replies_arrive_in_order_with_a_retry_and_the_close_notice_last(telegram, telegram_api,
                                                                                      cases):
    case = cases.open_case("telegram-p1", "telegram", "es", "risks.trafficking", "asked", [("user", "ayuda")])
    telegram_api.plan = ["429"]  # the first attempt is refused with retry_after: it waits, then goes first
    send_reply(cases, case.id, "eva", "Hola, soy Eva, del equipo.")
    send_reply(cases, case.id, "eva", "¿Está en un lugar seguro?")
    close_case(cases, case.id, "eva")
    await telegram.retry_due()  # what the Telegram channel's outbox loop does in the Rasa server
    assert [m["text"] for m in telegram_api.sent_to(PERSON_CHAT)] == [
        "Hola, soy Eva, del equipo.",
        "¿Está en un lugar seguro?",
        "La persona del equipo cerró esta conversación. Desde ahora le contesto yo, Brújula, el asistente "
        "automático. Escriba su pregunta o menú.",
    ]
    assert telegram_api.sent_to(STAFF_CHAT) == []


async def test_the_staff_group_gets_the_case_number_and_topic_only(telegram, telegram_api, cases, db):
    case = cases.open_case("telegram-p1", "telegram", "es", "risks.trafficking", "sensitive",
                           [("user", "me tienen encerrada")])
    assert run_due(db)["alerted"] == 1
    await telegram.retry_due()
    [alert] = telegram_api.sent_to(STAFF_CHAT)
    assert alert["text"] == (f"Brújula: caso nuevo #{case.id} · tema: risks.trafficking. "
                             "Tómelo y responda desde la consola.")
    assert telegram_api.sent_to(PERSON_CHAT) == []
    assert ChannelStore(db).contact(STAFF_GROUP_SENDER).address == str(STAFF_CHAT)


def _last_wrote(db: str, hours: float) -> None:
    with session_scope(db) as s:
        s.execute(update(ChannelContact).where(ChannelContact.sender_id == "whatsapp-p1")
                  .values(last_inbound_at=utcnow() - dt.timedelta(hours=hours)))


async def test_whatsapp_replies_arrive_in_order_inside_the_window(whatsapp, twilio_api, cases, db):
    _last_wrote(db, 2)
    case = cases.open_case("whatsapp-p1", "whatsapp", "es", None, "asked")
    twilio_api.plan = ["500"]
    send_reply(cases, case.id, "eva", "Hola, soy Eva.")
    send_reply(cases, case.id, "eva", "Le escribo por su caso.")
    await whatsapp.deliver("whatsapp-p1")
    sent = twilio_api.to(NUMBER)
    assert [m["Body"] for m in sent] == ["Hola, soy Eva.", "Le escribo por su caso."]
    assert all("ContentSid" not in m for m in sent)


async def test_whatsapp_after_24_hours_the_reply_goes_as_the_approved_template(whatsapp, twilio_api, cases, db):
    _last_wrote(db, 25)
    case = cases.open_case("whatsapp-p1", "whatsapp", "es", None, "asked")
    send_reply(cases, case.id, "eva", "Hola, soy Eva. ¿Sigue necesitando ayuda?")
    await whatsapp.deliver("whatsapp-p1")
    [sent] = twilio_api.to(NUMBER)
    assert sent["ContentSid"] == TEMPLATE_SID and "Body" not in sent
    assert json.loads(sent["ContentVariables"]) == {"1": "Hola, soy Eva. ¿Sigue necesitando ayuda?"}


def test_the_web_chat_takes_its_waiting_messages_once_in_order(cases, db):
    case = cases.open_case("web-0123", "webchat", "es", None, "asked")
    send_reply(cases, case.id, "eva", "Hola, soy Eva.")
    send_reply(cases, case.id, "eva", "¿En qué le ayudo?")
    store = ChannelStore(db)
    assert take_updates(store, "web-0123") == [{"recipient_id": "web-0123", "text": "Hola, soy Eva."},
                                               {"recipient_id": "web-0123", "text": "¿En qué le ayudo?"}]
    assert take_updates(store, "web-0123") == []
    assert take_updates(store, "web-other") == []
    assert [m.status for m in store.messages(["sent"], sender_id="web-0123")] == ["sent", "sent"]

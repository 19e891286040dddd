"""Sending through the real twilio Client to the fake API, in-process: the 24-hour window and permanent errors."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bot.cli import db_upgrade
from bot.db import session_scope, utcnow
from bot.messaging.delivery import Deliverer
from bot.messaging.models import ChannelContact
from bot.messaging.store import ChannelStore
from bot.settings import get_settings
from channels.whatsapp import TwilioSender, inbound_text, media_kind
from tests.channels.fake_twilio import FakeTwilio

SID, TOKEN = "AC" + "2" * 32, "sender-test-token-0123456789"
NUMBER = "whatsapp:+50255500001"


@pytest.fixture
def fake():
    server = FakeTwilio(SID, TOKEN)
    yield server
    server.close()


@pytest.fixture
async def deliverer(fake, sqlite_url, set_env):
    set_env(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_API_BASE_URL=fake.base_url,
            TWILIO_WHATSAPP_FROM="whatsapp:+14155238886", TWILIO_TIMEOUT_SECONDS="1",
            TWILIO_TEMPLATE_CONTENT_SID="HX" + "a" * 32, DATABASE_URL=sqlite_url)
    db_upgrade(sqlite_url)
    store = ChannelStore(sqlite_url)
    store.touch_contact("whatsapp-p1", "whatsapp", NUMBER)
    sender = TwilioSender(get_settings(), store)
    yield Deliverer(store, sender.send, "whatsapp", attempts=3, backoff_seconds=0.01, retry_interval_seconds=60)
    if sender.client.http_client.session is not None:
        await sender.client.http_client.session.close()


def _last_wrote(hours: float) -> None:
    with session_scope() as session:
        session.execute(update(ChannelContact).values(last_inbound_at=utcnow() - dt.timedelta(hours=hours)))


async def test_inside_the_24_hour_window_free_text_is_sent(deliverer, fake):
    _last_wrote(23)
    deliverer.store.enqueue("whatsapp", "whatsapp-p1", [{"body": "Su caso fue revisado."}])
    await deliverer.deliver("whatsapp-p1")
    [sent] = fake.to(NUMBER)
    assert sent["Body"] == "Su caso fue revisado." and "ContentSid" not in sent


async def test_after_24_hours_the_content_template_is_used(deliverer, fake):
    _last_wrote(25)
    deliverer.store.enqueue("whatsapp", "whatsapp-p1", [{"body": "Su caso fue revisado."}])
    await deliverer.deliver("whatsapp-p1")
    [sent] = fake.to(NUMBER)
    assert sent["ContentSid"].startswith("HX") and "Su caso fue revisado." in sent["ContentVariables"]
    assert "Body" not in sent


async def test_outside_the_window_without_a_template_the_failure_is_visible(deliverer, fake, set_env):
    set_env(TWILIO_TEMPLATE_CONTENT_SID="")
    store = deliverer.store
    sender = TwilioSender(get_settings(), store)
    deliverer = Deliverer(store, sender.send, "whatsapp", 3, 0.01, 60)
    _last_wrote(30)
    store.enqueue("whatsapp", "whatsapp-p1", [{"body": "Hola"}])
    await deliverer.deliver("whatsapp-p1")
    [row] = store.messages(["failed"])
    assert row.error_code == "no-template" and fake.to(NUMBER) == []


async def test_a_permanent_api_error_is_marked_failed_and_the_next_reply_still_goes(deliverer, fake):
    fake.plan = ["400"]
    deliverer.store.enqueue("whatsapp", "whatsapp-p1", [{"body": "uno"}, {"body": "dos"}])
    await deliverer.deliver("whatsapp-p1")
    assert [m["Body"] for m in fake.to(NUMBER)] == ["dos"]
    assert deliverer.store.messages(["failed"])[0].body == "uno"


async def test_media_goes_out_with_media_url(deliverer, fake):
    deliverer.store.enqueue("whatsapp", "whatsapp-p1", [{"body": "", "media_url": "https://example.org/mapa.png"}])
    await deliverer.deliver("whatsapp-p1")
    assert fake.to(NUMBER)[0]["MediaUrl"] == "https://example.org/mapa.png"


async def test_replies_to_a_deleted_person_are_not_sent(deliverer, fake):
    deliverer.store.enqueue("whatsapp", "whatsapp-p1", [{"body": "hola"}])
    deliverer.store.forget("whatsapp-p1")
    deliverer.store.enqueue("whatsapp", "whatsapp-p1", [{"body": "otra"}])
    await deliverer.deliver("whatsapp-p1")
    assert fake.to(NUMBER) == [] and deliverer.store.messages(["failed"])[0].error_code == "no-contact"


@pytest.mark.parametrize(
    "form, expected",
    [
        ({"NumMedia": "1", "MediaContentType0": "audio/ogg"}, '/media_received{"media_kind": "audio"}'),
        ({"Latitude": "14.6", "Longitude": "-90.5"}, '/shared_location{"latitude": 14.6, "longitude": -90.5}'),
        ({"Latitude": "nan", "Longitude": "-90.5", "Body": "hola"},
         '/shared_location{"latitude": "invalid", "longitude": -90.5}'),
        ({"Latitude": "1" + "0" * 400, "Longitude": "١٥"},
         '/shared_location{"latitude": "invalid", "longitude": "invalid"}'),
        ({"Latitude": "14.6"}, '/shared_location{"latitude": 14.6, "longitude": "invalid"}'),
        ({"NumMedia": "١", "MediaContentType0": "audio/ogg", "Body": "hola"}, "hola"),
        ({"NumMedia": "1_0", "Body": "hola"}, "hola"),
        ({"Body": "2"}, "2"),
        ({"Body": "  visa\x00 h2a  "}, "visa h2a"),
    ],
)
def test_inbound_message_becomes_text_or_payload(form, expected):
    assert inbound_text(form) == expected


def test_media_kinds():
    assert [media_kind(t) for t in ("audio/ogg", "image/webp", "image/png", "video/mp4", "text/x-vcard", "x/y")] == [
        "audio", "sticker", "image", "video", "contact", "document"]


async def test_a_burst_longer_than_the_timeout_sends_each_reply_once(deliverer, fake):
    """80 replies at once through 8 connections, each answered in 0.15 s: the burst takes 1.5 s, more than the
    1 s timeout. A send waits for its connection outside its timeout, so none is given up while Twilio is
    answering it (and sent again)."""
    import asyncio

    fake.reply_delay_seconds = 0.15
    people = [(f"whatsapp-b{n}", f"whatsapp:+5025560{n:04d}") for n in range(80)]
    for sender_id, address in people:
        deliverer.store.touch_contact(sender_id, "whatsapp", address)
        deliverer.store.enqueue("whatsapp", sender_id, [{"body": f"Hola {sender_id}"}])
    await asyncio.gather(*(deliverer.deliver(sender_id) for sender_id, _ in people))
    assert [[m["Body"] for m in fake.to(address)] for _, address in people] == [
        [f"Hola {sender_id}"] for sender_id, _ in people]
    assert fake.attempts == 80 and deliverer.store.messages(["pending", "sending", "failed"]) == []

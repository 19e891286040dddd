"""The outbox through the real senders (PTB's Bot, the twilio Client) against the fake APIs, in-process: a reply that
can never be sent fails at its first try with the reason; errors that may pass are retried, and fail at the
ceiling; and a burst of sends, against an API that closes every connection or one that keeps them alive, never
leaves the sender stuck."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Union

import pytest

from bot.messaging.delivery import Deliverer
from bot.messaging.store import ChannelStore
from bot.settings import get_settings
from channels.telegram import TelegramSender
from channels.whatsapp import TwilioSender
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio

TOKEN = "42:outbox-test-token"
SID, AUTH = "AC" + "4" * 32, "outbox-test-token-0123456789"
TIMEOUT_SECONDS = 1.0


@dataclass
class Channel:
    name: str
    fake: Union[FakeTelegram, FakeTwilio]
    store: ChannelStore
    sender: Union[TelegramSender, TwilioSender]

    def person(self, number: int) -> tuple[str, Any]:
        """A person the store can reach: (sender id, what the fake API records the replies under)."""
        sender_id = f"{self.name}-p{number}"
        if self.name == "telegram":
            self.store.touch_contact(sender_id, self.name, str(7_000_000 + number))
            return sender_id, 7_000_000 + number
        address = f"whatsapp:+50255{number:06d}"
        self.store.touch_contact(sender_id, self.name, address)
        return sender_id, address

    def texts(self, recipient: Any) -> list[str]:
        key = "text" if self.name == "telegram" else "Body"
        return [message[key] for message in self.fake.sent_to(recipient)]

    def deliverer(self, attempts: int = 3, max_attempts: int = 60) -> Deliverer:
        return Deliverer(self.store, self.sender.send, self.name, attempts, backoff_seconds=0.01,
                         retry_interval_seconds=0.01, max_attempts=max_attempts)


@pytest.fixture(params=["telegram", "whatsapp"])
async def channel(request, db, set_env):
    if request.param == "telegram":
        fake = FakeTelegram(TOKEN)
        set_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url,
                TELEGRAM_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS))
        sender = TelegramSender(get_settings(), ChannelStore(db))
    else:
        fake = FakeTwilio(SID, AUTH)
        set_env(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=AUTH, TWILIO_API_BASE_URL=fake.base_url,
                TWILIO_WHATSAPP_FROM="whatsapp:+14155238886", TWILIO_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS))
        sender = TwilioSender(get_settings(), ChannelStore(db))
    fake.timeout_seconds = TIMEOUT_SECONDS * 1.5
    yield Channel(request.param, fake, sender.store, sender)
    if request.param == "telegram":
        await sender.bot.shutdown()
    elif sender.client.http_client.session is not None:
        await sender.client.http_client.session.close()
    fake.close()


async def test_a_malformed_recipient_fails_at_once_and_the_next_person_still_gets_replies(channel):
    broken = f"{channel.name}-broken"
    channel.store.touch_contact(broken, channel.name, "@rosa_q" if channel.name == "telegram" else "50255500001")
    channel.store.enqueue(channel.name, broken, [{"body": "Hola"}])
    sender_id, recipient = channel.person(1)
    channel.store.enqueue(channel.name, sender_id, [{"body": "Bienvenida"}])
    deliverer = channel.deliverer()
    await deliverer.retry_due()
    [failed] = channel.store.messages(["failed"])
    expected = ("the contact's Telegram chat id is not a number" if channel.name == "telegram"
                else "the contact's address is not a whatsapp:+ number")
    assert (failed.sender_id, failed.attempts, failed.error_code, failed.last_error) == (
        broken, 1, "bad-address", expected)
    assert channel.texts(recipient) == ["Bienvenida"] and channel.fake.attempts == 1
    await deliverer.retry_due()
    assert channel.store.messages(["pending", "sending"]) == [] and channel.fake.attempts == 1, "never tried again"


async def test_a_400_answer_fails_after_one_try_with_its_reason_and_the_next_reply_goes(channel):
    sender_id, recipient = channel.person(1)
    channel.fake.plan = ["400"]
    channel.store.enqueue(channel.name, sender_id, [{"body": "uno"}, {"body": "dos"}])
    await channel.deliverer().deliver(sender_id)
    [failed] = channel.store.messages(["failed"])
    expected = ("Telegram refused: BadRequest (Chat not found)" if channel.name == "telegram"
                else "Twilio answered 400 (code 20500)")
    assert (failed.body, failed.attempts, failed.last_error) == ("uno", 1, expected)
    assert channel.texts(recipient) == ["dos"] and channel.fake.attempts == 2


LAST_ERRORS = {
    ("telegram", "500"): "network error: NetworkError",
    ("telegram", "429"): "Telegram asked to wait 1s",
    ("telegram", "timeout"): "network error: TimedOut",
    ("whatsapp", "500"): "Twilio answered 500 (code 20500)",
    ("whatsapp", "429"): "Twilio answered 429 (code 20429)",
    ("whatsapp", "timeout"): "Twilio did not answer in time",
}


@pytest.mark.parametrize("failure", ["500", "429", "timeout"])
async def test_passing_errors_are_retried_across_rounds_until_the_ceiling_then_failed(channel, failure):
    sender_id, recipient = channel.person(1)
    channel.fake.fail_always = failure
    channel.store.enqueue(channel.name, sender_id, [{"body": "Hola"}])
    deliverer = channel.deliverer(attempts=2, max_attempts=3)  # two tries a round: the ceiling is in round two
    await deliverer.deliver(sender_id)
    [waiting] = channel.store.messages(["pending"])
    assert waiting.attempts == 2 and channel.fake.attempts == 2, "kept for the next round"
    deadline = time.monotonic() + 15
    while channel.store.messages(["pending", "sending"]) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        await deliverer.retry_due()
    [failed] = channel.store.messages(["failed"])
    assert (failed.attempts, failed.error_code) == (3, "gave-up") and channel.fake.attempts == 3
    assert failed.last_error == f"gave up after 3 tries in 0 min; last: {LAST_ERRORS[channel.name, failure]}"
    channel.fake.reset()
    channel.store.enqueue(channel.name, sender_id, [{"body": "¿Sigue ahí?"}])
    await deliverer.deliver(sender_id)
    assert channel.texts(recipient) == ["¿Sigue ahí?"], "the failed reply does not hold back the next one"


@pytest.mark.parametrize("keep_alive", [False, True], ids=["closes every connection", "keeps connections alive"])
async def test_a_burst_of_sends_all_arrive_and_the_next_reply_goes_at_once(channel, keep_alive):
    """100 people get two replies each, all sending at once as the server's background tasks do. Before the
    request was bounded, Telegram's sender was left failing every send with TimedOut."""
    channel.fake.keep_alive = keep_alive
    people = [channel.person(number) for number in range(100)]
    for sender_id, _ in people:
        channel.store.enqueue(channel.name, sender_id, [{"body": "Hola"}, {"body": "Menú"}])
    deliverer = channel.deliverer()
    await asyncio.gather(*(deliverer.deliver(sender_id) for sender_id, _ in people))
    assert [channel.texts(recipient) for _, recipient in people] == [["Hola", "Menú"]] * 100
    assert channel.store.messages(["pending", "sending", "failed"]) == []
    newcomer, recipient = channel.person(100)
    channel.store.enqueue(channel.name, newcomer, [{"body": "Hola"}])
    started = time.monotonic()
    await deliverer.deliver(newcomer)
    assert channel.texts(recipient) == ["Hola"] and time.monotonic() - started < 2

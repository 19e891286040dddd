"""The outbox's Deliverer with a scripted send: nothing is retried forever (a sender's bug fails at once, a reply
too old fails at its next failed try), the ceilings come from the settings, and `bot outbox` lists what failed and
why without a phone number, chat id or reply text."""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from bot.cli import main
from bot.db import session_scope, utcnow
from bot.messaging.delivery import Deliverer, SendError
from bot.messaging.models import OutboxMessage
from bot.messaging.store import ChannelStore, Outgoing
from bot.settings import get_settings

NUMBER = "whatsapp:+50255500001"


@pytest.fixture
def store(db) -> ChannelStore:
    return ChannelStore(db)


class ScriptedSend:
    """Raises the given errors in turn, then succeeds; counts the tries."""

    def __init__(self, *errors: Exception):
        self.errors = list(errors)
        self.tries = 0

    async def __call__(self, row: Outgoing) -> str:
        self.tries += 1
        if self.errors:
            raise self.errors.pop(0)
        return f"id-{row.id}"


def deliverer(store: ChannelStore, send: ScriptedSend, **ceilings) -> Deliverer:
    return Deliverer(store, send, "whatsapp", attempts=3, backoff_seconds=0.01, retry_interval_seconds=60,
                     **ceilings)


async def test_an_unexpected_exception_in_a_sender_fails_at_once_without_its_message(store, caplog):
    store.enqueue("whatsapp", "whatsapp-p1", [{"body": "uno"}, {"body": "dos"}])
    send = ScriptedSend(ValueError(f"invalid literal for int() with base 10: '{NUMBER}'"))
    with caplog.at_level(logging.INFO):
        await deliverer(store, send).deliver("whatsapp-p1")
    [failed] = store.messages(["failed"])
    assert (failed.body, failed.attempts, failed.error_code) == ("uno", 1, "sender-bug")
    assert failed.last_error.startswith("unexpected ValueError at test_outbox.py:")
    assert send.tries == 2 and [m.body for m in store.messages(["sent"])] == ["dos"]
    assert "50255500001" not in failed.last_error + caplog.text


async def test_our_database_away_while_sending_is_retried_not_failed(store):
    store.enqueue("whatsapp", "whatsapp-p1", [{"body": "hola"}])
    send = ScriptedSend(*[OperationalError("SELECT", {}, ConnectionError("server closed")) for _ in range(3)])
    await deliverer(store, send).deliver("whatsapp-p1")
    [waiting] = store.messages(["pending"])
    assert (waiting.attempts, waiting.last_error) == (3, "database unavailable: ConnectionError")


async def test_a_reply_older_than_the_age_ceiling_fails_at_its_next_failed_try(store):
    store.enqueue("whatsapp", "whatsapp-p1", [{"body": "ayer"}])
    with session_scope(store.database_url) as session:
        session.execute(update(OutboxMessage).values(created_at=utcnow() - dt.timedelta(hours=25)))
    send = ScriptedSend(SendError("Twilio answered 503 (code 20503)", retryable=True))
    await deliverer(store, send, max_age=dt.timedelta(hours=24)).deliver("whatsapp-p1")
    [failed] = store.messages(["failed"])
    assert send.tries == 1 and failed.error_code == "gave-up"
    assert failed.last_error == "gave up after 1 try in 25 h; last: Twilio answered 503 (code 20503)"


async def test_tries_add_up_across_rounds_and_a_success_within_the_ceiling_is_sent(store):
    [message_id] = store.enqueue("whatsapp", "whatsapp-p1", [{"body": "hola"}])
    passing = [SendError("Twilio did not answer in time", retryable=True) for _ in range(4)]
    send = ScriptedSend(*passing)
    sending = deliverer(store, send, max_attempts=5)
    await sending.deliver("whatsapp-p1")
    assert store.messages(["pending"])[0].attempts == 3
    with session_scope(store.database_url) as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    await sending.deliver("whatsapp-p1")
    [sent] = store.messages(["sent"])
    assert (sent.id, sent.attempts, sent.provider_id, send.tries) == (message_id, 5, f"id-{message_id}", 5)


def test_the_ceilings_come_from_the_settings(store, set_env):
    set_env(OUTBOX_MAX_ATTEMPTS="7", OUTBOX_MAX_AGE_HOURS="1.5")
    sending = Deliverer.from_settings(store, ScriptedSend(), "telegram", get_settings())
    assert (sending.max_attempts, sending.max_age) == (7, dt.timedelta(minutes=90))


async def test_bot_outbox_lists_failures_with_why_and_counts_what_waits(store, capsys):
    store.touch_contact("whatsapp-p1", "whatsapp", NUMBER)
    store.touch_contact("telegram-p2", "telegram", "7770001")
    store.enqueue("whatsapp", "whatsapp-p1", [{"body": "Su caso está abierto"}, {"body": "Espera"}])
    store.enqueue("telegram", "telegram-p2", [{"body": "Hola Rosa"}])
    send = ScriptedSend(SendError("Twilio answered 400 (code 21211)", retryable=False, code="21211"))
    await deliverer(store, send, max_attempts=1).deliver("whatsapp-p1")  # the first fails, the second is sent
    [failed] = store.messages(["failed"])
    assert main(["outbox"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "whatsapp: 0 waiting (0 being sent), 1 failed",
        "telegram: 1 waiting (0 being sent), 0 failed",
        "",
        "failed, newest first:",
        f"#{failed.id} whatsapp whatsapp-p1 attempts=1 created={failed.created_at:%Y-%m-%d %H:%M} code=21211 "
        "Twilio answered 400 (code 21211)",
    ]
    output = "\n".join(lines)
    assert all(secret not in output for secret in ("50255500001", "7770001", "Su caso", "Hola Rosa"))
    assert main(["outbox", "--channel", "telegram"]) == 0
    assert capsys.readouterr().out.splitlines() == ["telegram: 1 waiting (0 being sent), 0 failed"]


def test_the_store_counts_by_channel_and_status_and_keeps_the_tries(database_url):
    from bot.cli import db_upgrade

    db_upgrade(database_url)
    store = ChannelStore(database_url)
    store.enqueue("whatsapp", "whatsapp-p1", [{"body": "uno"}, {"body": "dos"}])
    store.enqueue("telegram", "telegram-p2", [{"body": "hola"}])
    row = store.claim_next("whatsapp-p1")
    store.mark_failed(row.id, "Twilio answered 400 (code 21211)", "21211", attempts=1)
    retried = store.claim_next("telegram-p2")
    store.mark_retry(retried.id, "network error: TimedOut", utcnow(), attempts=3)
    assert store.counts(["pending", "sending", "failed"]) == {
        ("whatsapp", "pending"): 1, ("whatsapp", "failed"): 1, ("telegram", "pending"): 1}
    assert store.claim_next("telegram-p2").attempts == 4, "the next round's first try counts on from 3"

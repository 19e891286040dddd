"""The channel store on SQLite and PostgreSQL: contacts, duplicate detection, the outbox's order and retries."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.cli import db_upgrade
from bot.db import utcnow
from bot.messaging.store import ChannelStore


@pytest.fixture
def store(database_url):
    db_upgrade(database_url)
    return ChannelStore(database_url)


def test_a_platform_message_id_is_accepted_once(store):
    assert store.record_inbound("whatsapp", "SM1") is True
    assert store.record_inbound("whatsapp", "SM1") is False
    assert store.record_inbound("telegram", "SM1") is True


def test_contact_keeps_the_address_until_forgotten(store):
    store.touch_contact("whatsapp-abc", "whatsapp", "whatsapp:+50255550000")
    contact = store.contact("whatsapp-abc")
    assert contact.address == "whatsapp:+50255550000" and contact.channel == "whatsapp"
    store.enqueue("whatsapp", "whatsapp-abc", [{"body": "hola"}])
    assert store.forget("whatsapp-abc") == 2
    assert store.contact("whatsapp-abc") is None and store.messages(sender_id="whatsapp-abc") == []


def test_outbox_gives_replies_in_order_and_never_overtakes(store):
    store.enqueue("whatsapp", "p1", [{"body": "uno"}, {"body": "dos"}])
    first = store.claim_next("p1")
    assert first.body == "uno"
    assert store.claim_next("p1") is None, "while 'uno' is being sent, 'dos' waits"
    store.mark_retry(first.id, "429", utcnow() + dt.timedelta(seconds=60))
    assert store.claim_next("p1") is None, "'dos' waits for 'uno' to be retried"
    store.mark_retry(first.id, "429", utcnow() - dt.timedelta(seconds=1))
    assert store.senders_due() == ["p1"]
    again = store.claim_next("p1")
    assert again.id == first.id and again.attempts == 2
    store.mark_sent(again.id, "SM-uno")
    assert store.claim_next("p1").body == "dos"


def test_delivery_reports_only_move_forward(store):
    [message_id] = store.enqueue("whatsapp", "p1", [{"body": "hola"}])
    store.claim_next("p1")
    store.mark_sent(message_id, "SM-x")
    assert store.update_status("SM-x", "read") is True
    store.update_status("SM-x", "delivered")
    assert store.messages(["read"])[0].id == message_id
    assert store.update_status("SM-unknown", "delivered") is False


def test_failed_delivery_is_listed_with_its_code(store):
    [message_id] = store.enqueue("whatsapp", "p1", [{"body": "hola"}])
    store.claim_next("p1")
    store.mark_sent(message_id, "SM-y")
    store.update_status("SM-y", "failed", "63016")
    [row] = store.messages()
    assert row.status == "failed" and row.error_code == "63016"


def test_replies_left_sending_by_a_stopped_process_are_released(store):
    store.enqueue("whatsapp", "p1", [{"body": "hola"}])
    store.claim_next("p1")
    assert store.release_stale(dt.timedelta(seconds=0)) == 1
    assert store.claim_next("p1").body == "hola"


def test_pruning_forgets_delivered_replies_and_old_ids_but_keeps_open_ones(store):
    from sqlalchemy import update

    from bot.db import session_scope
    from bot.messaging.models import InboundMessage, OutboxMessage

    store.record_inbound("whatsapp", "SM-old")
    delivered, waiting = store.enqueue("whatsapp", "p1", [{"body": "ya llegó"}, {"body": "pendiente"}])
    store.claim_next("p1")
    store.mark_sent(delivered, "SM-d")
    store.update_status("SM-d", "delivered")
    long_ago = utcnow() - dt.timedelta(days=40)
    with session_scope(store.database_url) as session:
        session.execute(update(InboundMessage).values(received_at=long_ago))
        session.execute(update(OutboxMessage).values(updated_at=long_ago))
    assert store.prune() == 2
    assert store.record_inbound("whatsapp", "SM-old") is True
    assert [m.body for m in store.messages(["pending"])] == ["pendiente"]


def test_replies_being_sent_at_shutdown_are_released_for_the_next_start(store):
    first, second = store.enqueue("whatsapp", "p1", [{"body": "uno"}, {"body": "dos"}])
    store.claim_next("p1")
    assert store.release([first, second]) == 1, "only the one being sent changes"
    assert store.claim_next("p1").id == first


def test_each_channel_sender_takes_only_its_own_rows(store):
    """A web chat reply (shown by the page's poll) or a Telegram alert is never taken by the WhatsApp sender."""
    store.enqueue("webchat", "web-1", [{"body": "hola web"}])
    store.enqueue("telegram", "telegram-staff-group", [{"body": "caso nuevo"}])
    store.enqueue("whatsapp", "whatsapp-2", [{"body": "hola wa"}])
    assert store.senders_due(channel="whatsapp") == ["whatsapp-2"]
    assert store.claim_next("web-1", "whatsapp") is None
    assert store.claim_next("telegram-staff-group", "whatsapp") is None
    assert store.claim_next("telegram-staff-group", "telegram").body == "caso nuevo"

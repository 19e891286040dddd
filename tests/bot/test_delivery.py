"""bot.handoff.delivery: what staff say reaches the person's outbox, split for the channel, in order; the WhatsApp
24-hour window; holding messages once, after the configured time; the staff group alert (number and topic only);
the audited contact reveal."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bot.db import session_scope, utcnow
from bot.handoff.cases import CaseError, CaseView
from bot.handoff.delivery import (
    NO_TEMPLATE,
    OPEN,
    STAFF_GROUP_SENDER,
    TEMPLATE,
    close_case,
    parts_for,
    reply_window,
    reveal_contact,
    run_due,
    send_reply,
)
from bot.handoff.models import Case
from bot.messaging.models import ChannelContact
from bot.messaging.store import ChannelStore
from bot.staff.audit import AuditLog

NUMBER = "whatsapp:+50255500001"
STAFF_CHAT = "-100900"


@pytest.fixture
def store(db) -> ChannelStore:
    return ChannelStore(db)


def view(channel: str, sender_id: str = "whatsapp-p1") -> CaseView:
    now = utcnow()
    return CaseView(1, sender_id, channel, "es", None, "asked", "new", None, now, now, None, None, None, None, None)


def bodies(store: ChannelStore, sender_id: str) -> list[str]:
    return [m.body for m in store.messages(["pending"], sender_id=sender_id)]


def opened_minutes_ago(db: str, case_id: int, minutes: float) -> None:
    with session_scope(db) as s:
        s.execute(update(Case).where(Case.id == case_id).values(
            created_at=utcnow() - dt.timedelta(minutes=minutes)))


def test_long_replies_are_split_at_the_channels_limit_in_order():
    text = " ".join(f"frase{i:04d}." for i in range(400))  # 4,399 characters
    for channel, limit in (("whatsapp", 1600), ("telegram", 4096)):
        parts = [p["body"] for p in parts_for(channel, text)]
        assert all(len(p) <= limit for p in parts) and " ".join(parts) == text
    assert [p["body"] for p in parts_for("webchat", text)] == [text]
    assert parts_for("telegram", "  ") == []


def test_the_whatsapp_window(store, set_env):
    assert reply_window(view("telegram", "telegram-p1")) == OPEN
    assert reply_window(view("whatsapp")) == NO_TEMPLATE, "no message from the person at all"
    store.touch_contact("whatsapp-p1", "whatsapp", NUMBER)
    assert reply_window(view("whatsapp")) == OPEN
    with session_scope() as s:
        s.execute(update(ChannelContact).values(last_inbound_at=utcnow() - dt.timedelta(hours=24, minutes=1)))
    assert reply_window(view("whatsapp")) == NO_TEMPLATE
    set_env(TWILIO_TEMPLATE_CONTENT_SID="HX" + "a" * 32)
    assert reply_window(view("whatsapp")) == TEMPLATE


def test_a_reply_is_kept_in_the_transcript_and_queued_on_the_persons_channel(cases, store):
    case = cases.open_case("telegram-p1", "telegram", "es", "risks.trafficking", "asked", [("user", "ayuda")])
    send_reply(cases, case.id, "eva", "Hola, soy Eva.")
    send_reply(cases, case.id, "eva", "¿Dónde está ahora?")
    assert [(m.channel, m.body) for m in store.messages(["pending"], sender_id="telegram-p1")] == [
        ("telegram", "Hola, soy Eva."), ("telegram", "¿Dónde está ahora?")]
    with pytest.raises(CaseError):
        send_reply(cases, case.id, "eva", "  \n ")
    assert len(bodies(store, "telegram-p1")) == 2


def test_closing_tells_the_person_in_their_language_and_the_bot_is_back(cases, store):
    case = cases.open_case("web-abc", "webchat", "es", None, "failed_twice")
    closed = close_case(cases, case.id, "eva")
    assert closed.status == "closed" and cases.active_case("web-abc") is None
    assert bodies(store, "web-abc") == [
        "La persona del equipo cerró esta conversación. Desde ahora le contesto yo, Brújula, el asistente "
        "automático. Escriba su pregunta o menú."]
    assert cases.get(case.id).messages[-1].text == bodies(store, "web-abc")[0], "the notice is in the transcript"
    tg = cases.open_case("telegram-p2", "telegram", "en", None, "asked")
    close_case(cases, tg.id, "eva")
    assert bodies(store, "telegram-p2") == [
        "The person from the team closed this conversation. From now on I, Brújula, the automated assistant, "
        "answer you. Write your question or menu."]


def test_the_holding_message_goes_once_after_the_configured_time(cases, store, db, set_env):
    set_env(HANDOFF_HOLDING_MINUTES="10")
    waiting = cases.open_case("web-waiting", "webchat", "es", "risks.trafficking", "asked")
    recent = cases.open_case("web-recent", "webchat", "en", None, "asked")
    opened_minutes_ago(db, waiting.id, 11)
    opened_minutes_ago(db, recent.id, 5)
    assert run_due(db)["holding"] == 1
    assert bodies(store, "web-waiting") == [
        "Perdón, todavía nadie del equipo ha podido responderle. Su pedido sigue abierto: una persona le escribirá "
        "aquí. Si no quiere esperar, escriba menú. Si está en peligro, escríbalo y le doy los números de "
        "emergencia."]
    assert bodies(store, "web-recent") == []
    assert cases.get(waiting.id).holding_sent_at is not None
    assert run_due(db)["holding"] == 0
    assert len(bodies(store, "web-waiting")) == 1, "once per case"


def test_a_case_answered_in_time_gets_no_holding_message(cases, store, db):
    case = cases.open_case("web-answered", "webchat", "es", None, "asked")
    send_reply(cases, case.id, "eva", "Hola, aquí estoy.")
    opened_minutes_ago(db, case.id, 90)
    run_due(db)
    assert bodies(store, "web-answered") == ["Hola, aquí estoy."]


def test_the_staff_group_is_alerted_once_with_the_case_number_and_topic_only(cases, store, db, set_env):
    store.touch_contact("telegram-p1", "telegram", "777001")
    case = cases.open_case("telegram-p1", "telegram", "es", "risks.trafficking", "sensitive",
                           [("user", "me tienen encerrada")])
    assert run_due(db)["alerted"] == 0, "no staff group configured"
    set_env(TELEGRAM_BOT_TOKEN="42:test-token", TELEGRAM_STAFF_CHAT_ID=STAFF_CHAT)
    assert run_due(db)["alerted"] == 1
    assert store.contact(STAFF_GROUP_SENDER).address == STAFF_CHAT
    [alert] = store.messages(["pending"], sender_id=STAFF_GROUP_SENDER)
    assert (alert.channel, alert.body) == (
        "telegram", f"Brújula: caso nuevo #{case.id} · tema: risks.trafficking. Tómelo y responda desde la consola.")
    assert "777001" not in alert.body and "encerrada" not in alert.body
    assert run_due(db)["alerted"] == 0 and cases.get(case.id).alerted_at is not None


def test_revealing_a_contact_needs_a_reason_and_audits_who_and_why_not_the_contact(cases, store, db):
    store.touch_contact("whatsapp-p1", "whatsapp", NUMBER)
    case = cases.open_case("whatsapp-p1", "whatsapp", "es", None, "asked")
    with pytest.raises(CaseError):
        reveal_contact(case.id, "ada", "  ", db)
    assert reveal_contact(case.id, "ada", "Peligro inmediato: llamar", db) == NUMBER
    [entry] = AuditLog(db).entries(action="case.reveal_contact")
    assert (entry.actor, entry.target_id, entry.note) == ("ada", str(case.id), "Peligro inmediato: llamar")
    assert "50255500001" not in repr(entry)
    web = cases.open_case("web-abc", "webchat", "es", None, "asked")
    assert reveal_contact(web.id, "ada", "Peligro inmediato: llamar", db) is None

"""Privacy operations on PostgreSQL: "borrar mis datos" leaves no trace of the person in any table (content
database and Rasa's SQL tracker store), "mis datos" summarises what is held, and the retention job deletes what
is older than RETENTION_DAYS and is harmless the second time."""
from __future__ import annotations

import asyncio
import datetime as dt
import types

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.cli import db_upgrade
from bot.content.repository import ContentRepository
from bot.db import session_scope, utcnow
from bot.handoff.cases import CaseRepository
from bot.messaging.store import ChannelStore
from bot.privacy import pseudonym
from bot.privacy_ops import delete_person, person_summary, privacy_command, retention_run
from bot.staff import audit

SECRET = "test-pseudonym-secret"
ANA_NUMBER, BETO_NUMBER = "whatsapp:+50255501234", "whatsapp:+50255509876"
ANA = pseudonym(SECRET, "whatsapp", ANA_NUMBER)
BETO = pseudonym(SECRET, "whatsapp", BETO_NUMBER)


@pytest.fixture
def db(postgres_url, set_env):
    set_env(DATABASE_URL=postgres_url)
    db_upgrade(postgres_url)
    return postgres_url


@pytest.fixture
def tracker_store(db):
    """Rasa's own SQL tracker store, on the same PostgreSQL database (its `events` table)."""
    return SQLTrackerStore(dialect="postgresql", host=db)


def save_conversation(store, sender_id: str, said: str, at: float | None = None) -> None:
    events = [ActionExecuted("action_listen"), UserUttered(said, {"name": "greet", "confidence": 1.0}),
              SlotSet("language", "es"), BotUttered("Hola, soy Brújula."), ActionExecuted("action_listen")]
    if at is not None:
        for event in events:
            event.timestamp = at
    asyncio.run(store.save(DialogueStateTracker.from_events(sender_id, events)))


def populate(db: str, store, sender_id: str, number: str) -> None:
    """Everything Brújula can hold about one person."""
    save_conversation(store, sender_id, f"hola, mi número es {number.split(':')[1]}")
    channels = ChannelStore(db)
    channels.touch_contact(sender_id, "whatsapp", number)
    channels.enqueue("whatsapp", sender_id, [{"body": "Hola"}, {"body": "Menú"}])
    ContentRepository(db).log_unanswered("¿dónde queda la embajada?", "es", "whatsapp",
                                         [{"name": "labour.h2a", "confidence": 0.1}], sender_id=sender_id)
    cases = CaseRepository(db)
    case = cases.open_case(sender_id, "whatsapp", "es", "risks.trafficking", "asked",
                           [("user", "necesito ayuda"), ("bot", "Le paso con una persona")])
    cases.add_message(case.id, "user", "sigo aquí")
    with session_scope(db) as session:  # a staff action that names the conversation
        audit.record(session, "ada", "case.reveal", "case", sender_id, None, {"contact": number},
                     note=f"reveal {sender_id} for a call back")


def rows_mentioning(urls: list[str], needles: list[str]) -> dict[str, int]:
    """For every table of these databases, how many rows hold one of the needles in any string or JSON
    column: found by inspection, so tables added later are covered without changing this test."""
    found: dict[str, int] = {}
    for url in urls:
        engine = sa.create_engine(url)
        try:
            inspector = sa.inspect(engine)
            with engine.connect() as connection:
                for table in inspector.get_table_names():
                    columns = [c["name"] for c in inspector.get_columns(table)
                               if isinstance(c["type"], (sa.String, sa.Text, sa.JSON))
                               or c["type"].__class__.__name__.upper() in ("JSON", "JSONB")]
                    for column in columns:
                        for needle in needles:
                            count = connection.execute(
                                sa.text(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE :n'),
                                {"n": f"%{needle}%"}).scalar()
                            if count:
                                key = f"{table}.{column}"
                                found[key] = found.get(key, 0) + count
        finally:
            engine.dispose()
    return found


def test_deleting_a_person_leaves_no_row_with_their_pseudonym_or_number_in_any_table(db, tracker_store):
    populate(db, tracker_store, ANA, ANA_NUMBER)
    populate(db, tracker_store, BETO, BETO_NUMBER)
    ana_needles = [ANA, ANA_NUMBER, ANA_NUMBER.split("+")[1]]
    before = rows_mentioning([db], ana_needles)
    for table in ("events.sender_id", "cases.sender_id", "outbox.sender_id", "unanswered_questions.sender_id",
                  "channel_contacts.address", "audit_log.target_id"):
        assert before.get(table), f"the setup put Ana in {table}"

    deleted = delete_person(ANA, tracker_store)

    assert rows_mentioning([db], ana_needles) == {}
    assert (deleted.cases, deleted.outbox, deleted.unanswered, deleted.contacts) == (1, 2, 1, 1)
    assert deleted.conversation_events > 0 and deleted.audit_entries_blanked == 1
    # Beto is untouched, and the audit entry stays (who did what), with Ana's pseudonym and number blanked.
    beto = rows_mentioning([db], [BETO])
    assert {"events.sender_id", "cases.sender_id", "outbox.sender_id", "unanswered_questions.sender_id",
            "channel_contacts.sender_id"} <= set(beto)
    assert len(audit.AuditLog(db).entries(action="case.reveal")) == 2
    # Asking twice is harmless.
    again = delete_person(ANA, tracker_store)
    assert (again.conversation_events, again.cases, again.outbox, again.unanswered, again.contacts) == (0,) * 5


def test_deletion_through_the_tracker_store_url_as_the_bot_command_does(db, tracker_store):
    populate(db, tracker_store, ANA, ANA_NUMBER)
    delete_person(ANA, db)
    assert rows_mentioning([db], [ANA, ANA_NUMBER]) == {}


def test_my_data_lists_what_is_held_without_the_contents(db, tracker_store):
    populate(db, tracker_store, ANA, ANA_NUMBER)
    summary = person_summary(ANA, tracker_store, "es", retention_days=180)
    today = utcnow().strftime("%Y-%m-%d")
    assert summary.splitlines() == [
        "Esto es lo que guardo sobre usted:",
        f"- su contacto de WhatsApp, para responderle (desde el {today})",
        f"- esta conversación: 5 registros, desde el {today}",
        "- casos con el equipo: 1 (1 abiertos), con 3 mensajes",
        "- preguntas que no supe responder, sin datos personales: 1",
        "- respuestas por enviar o enviadas hace poco: 2",
        "Todo se borra solo después de 180 días. Escriba BORRAR para borrarlo ahora.",
    ]
    assert ANA_NUMBER.split("+")[1] not in summary and ANA not in summary
    delete_person(ANA, tracker_store)
    assert person_summary(ANA, tracker_store, "en", retention_days=30).splitlines() == [
        "This is what I keep about you:", "- nothing for now",
        "Everything is deleted automatically after 30 days. Write DELETE to delete it now."]


def age(db: str, sender_id: str, days: int) -> None:
    """Make everything of this person `days` old (as if written then), closing their case that long ago."""
    then = utcnow() - dt.timedelta(days=days)
    stamp = then.replace(tzinfo=dt.timezone.utc).timestamp()
    with session_scope(db) as s:
        s.execute(sa.text("UPDATE events SET timestamp = :t WHERE sender_id = :s"), {"t": stamp, "s": sender_id})
        s.execute(sa.text("UPDATE outbox SET created_at = :t, updated_at = :t WHERE sender_id = :s"),
                  {"t": then, "s": sender_id})
        s.execute(sa.text("UPDATE unanswered_questions SET created_at = :t WHERE sender_id = :s"),
                  {"t": then, "s": sender_id})
        s.execute(sa.text("UPDATE channel_contacts SET created_at = :t, last_inbound_at = :t WHERE sender_id = :s"),
                  {"t": then, "s": sender_id})
        s.execute(sa.text("UPDATE cases SET status = 'closed', created_at = :t, closed_at = :t, updated_at = :t "
                          "WHERE sender_id = :s"), {"t": then, "s": sender_id})


def test_retention_deletes_what_is_older_than_the_limit_and_a_second_run_does_nothing(db, tracker_store):
    populate(db, tracker_store, ANA, ANA_NUMBER)
    populate(db, tracker_store, BETO, BETO_NUMBER)
    age(db, ANA, 200)
    age(db, BETO, 100)

    first = retention_run(180, tracker_store)

    assert (first.conversation_events, first.cases, first.outbox, first.unanswered, first.contacts) == (5, 1, 2, 1, 1)
    assert rows_mentioning([db], [ANA]) == {"audit_log.target_id": 1, "audit_log.note": 1}, \
        "only the staff audit trail outlives the retention period"
    assert {"events.sender_id", "cases.sender_id", "outbox.sender_id", "unanswered_questions.sender_id",
            "channel_contacts.sender_id"} <= set(rows_mentioning([db], [BETO]))
    second = retention_run(180, tracker_store)
    assert (second.conversation_events, second.cases, second.outbox, second.unanswered, second.contacts) == (0,) * 5
    assert {"events.sender_id", "cases.sender_id"} <= set(rows_mentioning([db], [BETO]))


def test_retention_keeps_the_contact_of_a_person_with_an_open_case(db, tracker_store):
    populate(db, tracker_store, ANA, ANA_NUMBER)
    with session_scope(db) as s:
        s.execute(sa.text("UPDATE channel_contacts SET created_at = :t, last_inbound_at = :t"),
                  {"t": utcnow() - dt.timedelta(days=400)})
    assert retention_run(180, tracker_store).contacts == 0
    assert ChannelStore(db).contact(ANA) is not None


def test_retention_of_in_memory_conversations_drops_whole_old_ones():
    store = InMemoryTrackerStore(None)
    old = (utcnow() - dt.timedelta(days=200)).replace(tzinfo=dt.timezone.utc).timestamp()
    save_conversation(store, "webchat-old", "hola", at=old)
    save_conversation(store, "webchat-new", "hola")
    from bot.privacy_ops import _conversations_purge

    assert _conversations_purge(store, utcnow() - dt.timedelta(days=180)) == 1
    assert set(store.store) == {"webchat-new"}


@pytest.mark.parametrize("message, expected", [
    ("BORRAR", ("delete", "es")), ("/borrar", ("delete", "es")), ("Borrar mis datos", ("delete", "es")),
    ("delete my data", ("delete", "en")), ("mis datos", ("summary", "es")), ("/mis_datos", ("summary", "es")),
    ("My data", ("summary", "en")), ("privacidad", ("notice", "es")), ("/privacidad@BrujulaBot", ("notice", "es")),
    ("PRIVACY", ("notice", "en")),
    ("quiero borrar mis datos de la visa", None), ("datos de la embajada", None), ("hola", None), ("", None),
])
def test_privacy_commands_are_exact_messages(message, expected):
    assert privacy_command(message) == expected


def test_the_web_chat_answer_deletes_the_conversation_and_confirms(db):
    """`channels.base.privacy_answer`, which the web chat calls before Rasa (no contact on that channel)."""
    from channels.base import privacy_answer

    store = InMemoryTrackerStore(None)
    save_conversation(store, "web-abc", "hola")
    ContentRepository(db).log_unanswered("una pregunta", "es", "webchat", [], sender_id="web-abc")
    app = types.SimpleNamespace(ctx=types.SimpleNamespace(agent=types.SimpleNamespace(tracker_store=store)))

    summary = asyncio.run(privacy_answer(app, "web-abc", "mis datos"))
    assert summary[0]["text"].splitlines()[1].startswith("- esta conversación: 5 registros")
    [answer] = asyncio.run(privacy_answer(app, "web-abc", "borrar mis datos"))
    assert answer == {"recipient_id": "web-abc", "text": "Listo. Borré sus datos: la conversación, sus casos, sus "
                      "preguntas y su contacto. Si vuelve a escribir, empezamos de cero."}
    assert store.store == {} and rows_mentioning([db], ["web-abc"]) == {}
    assert asyncio.run(privacy_answer(app, "web-abc", "hola")) is None

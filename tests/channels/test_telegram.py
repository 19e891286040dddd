"""Telegram end to end: updates posted to the real Rasa and action servers with the secret token, replies
sent by PTB's Bot to a local fake Bot API (tests/channels/fake_telegram.py)."""
from __future__ import annotations

import itertools
import json
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.repository import ContentRepository
from bot.language import text as interface_text
from bot.messaging.store import ChannelStore
from bot.privacy import pseudonym
from bot.settings import LOCAL_DEFAULT_SECRET
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.servers import Servers, servers_with

pytestmark = [pytest.mark.e2e, pytest.mark.model]

TOKEN = "123456789:TEST-token-for-the-fake-bot-api"
SECRET = "telegram-webhook-secret-0123456789"
WEBHOOK = "/webhooks/telegram/webhook"
_update_ids = itertools.count(int(time.time()))


@dataclass
class Stack:
    servers: Servers
    fake: FakeTelegram
    users: list[dict] = field(default_factory=list)

    def user(self, language: str = "es") -> dict:
        user = {"id": 7_000_000_000 + uuid.uuid4().int % 10**9, "is_bot": False, "first_name": "Rosalinda",
                "last_name": "Quixtan", "username": f"rosa_{uuid.uuid4().hex[:6]}", "language_code": language}
        self.users.append(user)
        return user

    def post(self, update, secret: str | None = SECRET, raw: bytes | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        data = raw if raw is not None else json.dumps(update).encode()
        request = urllib.request.Request(self.servers.base + WEBHOOK, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def send(self, user: dict, text: str | None = None, kind: str = "message", chat_type: str = "private",
             **fields) -> dict:
        chat = {"id": user["id"], "type": chat_type, "first_name": user["first_name"], "username": user["username"]}
        if chat_type != "private":
            chat = {"id": -1_001_234_567_890, "type": chat_type, "title": "Grupo"}
        message = {"message_id": next(_update_ids) % 100000, "date": int(time.time()), "chat": chat, "from": user,
                   **({"text": text} if text is not None else {}), **fields}
        if kind == "edited_message":
            message["edit_date"] = int(time.time())
        update = {"update_id": next(_update_ids), kind: message}
        status, _ = self.post(update)
        assert status == 200
        return update

    def press(self, user: dict, data: str) -> str:
        callback_id = uuid.uuid4().hex[:16]
        update = {"update_id": next(_update_ids), "callback_query": {
            "id": callback_id, "from": user, "chat_instance": "ci", "data": data,
            "message": {"message_id": 1, "date": int(time.time()), "text": "menu",
                        "chat": {"id": user["id"], "type": "private"}}}}
        assert self.post(update)[0] == 200
        return callback_id


@pytest.fixture(scope="module")
def stack(tmp_path_factory, loaded_sqlite_template):
    fake = FakeTelegram(TOKEN)
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": fake.base_url,
           "TELEGRAM_TIMEOUT_SECONDS": "1", "INBOUND_CHECK_SECONDS": "1"}
    with servers_with(fake, tmp_path_factory.mktemp("telegram"), loaded_sqlite_template, env,
                      "/webhooks/telegram/") as servers:
        yield Stack(servers, fake)


@pytest.fixture(autouse=True)
def _healthy_api(stack):
    stack.fake.reset()
    yield
    stack.fake.reset()


def keyboard(message: dict) -> list[dict]:
    return [row[0] for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])]


def test_start_with_deep_link_greets_with_an_inline_keyboard(stack):
    user = stack.user()
    stack.send(user, "/start campana_radio_huehue")
    greeting, menu = stack.fake.wait_for(user["id"], 2)[:2]
    assert "Privacidad" in greeting["text"]
    buttons = keyboard(menu)
    expected = ["1. Trabajar o migrar de forma legal", "2. Riesgos del camino irregular"]
    assert [b["text"] for b in buttons][:2] == expected
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert "parse_mode" not in menu  # plain text: nothing to escape wrongly


def test_pressing_a_button_is_answered_and_reaches_rasa(stack):
    user = stack.user()
    stack.send(user, "/menu")
    [menu] = stack.fake.wait_for(user["id"], 1)
    callback_id = stack.press(user, keyboard(menu)[2]["callback_data"])  # return and reintegration
    submenu = stack.fake.wait_for(user["id"], 2)[1]
    assert callback_id in stack.fake.answered_callbacks()
    arrival = ContentRepository(stack.servers.database_url).get_answer("reintegration.arrival", "es")
    assert any(arrival.title in b["text"] for b in keyboard(submenu))
    stack.press(user, next(b["callback_data"] for b in keyboard(submenu) if arrival.title in b["text"]))
    answer = stack.fake.wait_for(user["id"], 3)[2]
    assert arrival.body.strip()[:60] in answer["text"]


def test_typing_the_option_number_works_like_pressing(stack):
    user = stack.user()
    stack.send(user, "/menu")
    stack.fake.wait_for(user["id"], 1)
    stack.send(user, "2")
    assert "Riesgos del camino irregular" in stack.fake.wait_for(user["id"], 2)[1]["text"]


def test_an_old_or_unknown_button_is_still_answered(stack):
    user = stack.user()
    callback_id = stack.press(user, "k:0123456789abcdef01234567")
    [menu] = stack.fake.wait_for(user["id"], 1)
    assert callback_id in stack.fake.answered_callbacks()
    assert keyboard(menu)[0]["text"].startswith("1. Trabajar")


@pytest.mark.parametrize("data", [{"a": 1}, ["/main_menu"], True, 7, 1.5, "/\ud800", "/" + "x" * 100])
def test_a_button_whose_data_is_not_ours_is_answered_with_the_menu(stack, data):
    user = stack.user()
    callback_id = stack.press(user, data)
    [menu] = stack.fake.wait_for(user["id"], 1)
    assert callback_id in stack.fake.answered_callbacks()
    assert keyboard(menu)[0]["text"].startswith("1. Trabajar")


def test_a_location_that_is_no_place_on_earth_gets_a_kind_reply(stack):
    user = stack.user()
    stack.send(user, None, location={"latitude": 10**400, "longitude": -91.48})
    [reply] = stack.fake.wait_for(user["id"], 1)
    assert reply["text"] == interface_text("nearest_location_wrong", "es")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-0123456789", SECRET + "x", "contraseña"])
def test_forged_or_missing_secret_is_rejected(stack, secret):
    user = stack.user()
    update = {"update_id": next(_update_ids), "message": {"message_id": 1, "date": 1, "text": "hola", "from": user,
                                                          "chat": {"id": user["id"], "type": "private"}}}
    assert stack.post(update, secret=secret)[0] == 403
    # Definite signal: a genuine message from the same person is answered, and it is the only answer.
    stack.send(user, "/menu")
    [menu] = stack.fake.wait_for(user["id"], 1)
    assert [b["callback_data"] for b in keyboard(menu)][:1] == ["/area_labour"]
    assert len(stack.fake.sent_to(user["id"])) == 1


def test_the_same_update_is_processed_once(stack):
    user = stack.user()
    update = stack.send(user, "/menu")
    stack.fake.wait_for(user["id"], 1)
    assert stack.post(update) == (200, {"ok": True, "duplicate": True})
    # Definite signal: the next message's answer arrives second (a reprocessed duplicate would come first).
    stack.send(user, "/ayuda")
    first, second = stack.fake.wait_for(user["id"], 2)
    assert keyboard(first)[0]["callback_data"] == "/area_labour"
    assert keyboard(second)[0]["callback_data"] != "/area_labour"
    assert len(stack.fake.sent_to(user["id"])) == 2


def test_long_answer_is_split_at_4096_in_order_with_the_keyboard_last(stack):
    repo = ContentRepository(stack.servers.database_url)
    before = repo.get_answer("labour.canada", "es")
    paragraphs = [f"Bloque {i:02d}. " + "Información de prueba para un texto largo. " * 12 for i in range(20)]
    draft = repo.save_draft("labour.canada", "es", {"body": "\n\n".join(p.strip() for p in paragraphs)}, "test")
    repo.publish("labour.canada", "es", draft.version, "test")
    try:
        user = stack.user()
        stack.send(user, "/labour.canada")
        parts = stack.fake.wait_for(user["id"], 3)
        assert all(len(p["text"]) <= 4096 for p in parts)
        joined = "\n".join(p["text"] for p in parts)
        positions = [joined.index(f"Bloque {i:02d}.") for i in range(20)]
        assert positions == sorted(positions)
        assert keyboard(parts[-1]) and not any(keyboard(p) for p in parts[:-1])
    finally:
        repo.rollback("labour.canada", "es", before.version, "test")


@pytest.mark.parametrize(
    "fields, words",
    [({"voice": {"file_id": "v1", "file_unique_id": "u1", "duration": 3}}, "escuchar audios"),
     ({"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 1, "height": 1}]}, "ver fotos"),
     ({"sticker": {"file_id": "s1", "file_unique_id": "u3", "width": 1, "height": 1, "is_animated": False,
                   "is_video": False, "type": "regular"}}, "sticker"),
     ({"document": {"file_id": "d1", "file_unique_id": "u4"}}, "abrir documentos")],
)
def test_media_gets_a_kind_reply_and_the_menu(stack, fields, words):
    user = stack.user()
    stack.send(user, None, **fields)
    [reply] = stack.fake.wait_for(user["id"], 1)
    assert words in reply["text"] and keyboard(reply)


def test_shared_location_lists_the_nearest_service_points(stack):
    user = stack.user()
    stack.send(user, None, location={"latitude": 14.84, "longitude": -91.52})  # Quetzaltenango
    [reply] = stack.fake.wait_for(user["id"], 1)
    nearest = ContentRepository(stack.servers.database_url).nearest_service_points(14.84, -91.52)
    assert reply["text"].splitlines()[1].startswith(f"1) {nearest[0].name}")


def test_edited_message_is_answered(stack):
    user = stack.user()
    stack.send(user, "visa h2a para trabajar en el campo", kind="edited_message")
    [reply] = stack.fake.wait_for(user["id"], 1)
    assert "H-2A" in reply["text"]


def test_group_chats_are_ignored(stack):
    user = stack.user()
    update = {"update_id": next(_update_ids), "message": {
        "message_id": 1, "date": int(time.time()), "from": user, "text": "hola",
        "chat": {"id": -1_001_234_567_890, "type": "group", "title": "Grupo"}}}
    assert stack.post(update) == (200, {"ok": True, "ignored": "group chat"})
    stack.send(user, "/menu")
    stack.fake.wait_for(user["id"], 1)
    assert stack.fake.sent_to(-1_001_234_567_890) == []


def test_language_command_switches_to_english(stack):
    user = stack.user()
    stack.send(user, "/language en")
    first = stack.fake.wait_for(user["id"], 1)[0]
    assert "English" in first["text"]


def test_rate_limit_with_retry_after_and_server_errors_are_retried(stack):
    user = stack.user()
    stack.fake.plan = ["429", "500"]
    stack.send(user, "/menu")
    [menu] = stack.fake.wait_for(user["id"], 1)
    assert keyboard(menu)


def test_a_timed_out_send_is_retried(stack):
    user = stack.user()
    stack.fake.timeout_seconds = 1.5  # longer than TELEGRAM_TIMEOUT_SECONDS=1
    stack.fake.plan = ["timeout"]
    stack.send(user, "/menu")
    [menu] = stack.fake.wait_for(user["id"], 1)
    assert keyboard(menu)


def test_a_reply_that_keeps_failing_waits_in_the_outbox_and_is_sent_later(stack):
    user = stack.user()
    stack.fake.fail_always = "500"
    stack.send(user, "/menu")
    store = ChannelStore(stack.servers.database_url)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not [m for m in store.messages(["pending"]) if m.last_error]:
        time.sleep(0.1)
    assert [m for m in store.messages(["pending"]) if m.channel == "telegram" and m.last_error]
    stack.fake.fail_always = None
    assert keyboard(stack.fake.wait_for(user["id"], 1)[0])


def test_a_message_processed_before_a_crash_is_answered_from_the_tracker_not_processed_again(stack):
    import datetime as dt

    from sqlalchemy import update

    from bot.db import session_scope
    from bot.messaging.models import InboundMessage

    user = stack.user()
    sent = stack.send(user, "/menu")
    [menu] = stack.fake.wait_for(user["id"], 1)
    sender_id = pseudonym(LOCAL_DEFAULT_SECRET, "telegram", str(user["id"]))
    # The crash window: Rasa saved the conversation, then the server died before queueing the replies. The
    # message is pending again, claimed long ago by the dead server.
    with session_scope(stack.servers.database_url) as session:
        session.execute(update(InboundMessage).where(InboundMessage.channel == "telegram",
                                                     InboundMessage.external_id == str(sent["update_id"]))
                        .values(state="pending", sender_id=sender_id, body="/menu",
                                claimed_at=dt.datetime(1970, 1, 1), attempts=1))
    again = stack.fake.wait_for(user["id"], 2, timeout=20)[1]
    assert (again["text"], keyboard(again)) == (menu["text"], keyboard(menu))  # the replies Rasa gave then
    with sqlite3.connect(stack.servers.tracker_db) as db:
        user_events = db.execute("select count(*) from events where sender_id = ? and type_name = 'user'",
                                 (sender_id,)).fetchone()[0]
    assert user_events == 1  # not processed a second time


def test_borrar_deletes_the_conversation_and_the_chat_id_then_confirms(stack):
    user = stack.user()
    stack.send(user, "/menu")
    stack.fake.wait_for(user["id"], 1)
    sender_id = pseudonym(LOCAL_DEFAULT_SECRET, "telegram", str(user["id"]))
    with sqlite3.connect(stack.servers.tracker_db) as db:
        assert db.execute("select count(*) from events where sender_id = ?", (sender_id,)).fetchone()[0] > 0
    assert ChannelStore(stack.servers.database_url).contact(sender_id) is not None
    stack.send(user, "/borrar")
    confirmation = stack.fake.wait_for(user["id"], 2)[1]
    assert "Borré sus datos" in confirmation["text"]
    with sqlite3.connect(stack.servers.tracker_db) as db:
        assert db.execute("select count(*) from events where sender_id = ?", (sender_id,)).fetchone()[0] == 0
    assert ChannelStore(stack.servers.database_url).contact(sender_id) is None


@pytest.mark.parametrize("word", ["BORRAR", "/borrar"])
def test_a_redelivered_borrar_is_not_processed_again(stack, word):
    user = stack.user()
    update = stack.send(user, word)
    [confirmation] = stack.fake.wait_for(user["id"], 1)
    assert "Borré sus datos" in confirmation["text"]
    assert stack.post(update) == (200, {"ok": True, "duplicate": True})
    # Definite signal: the next message's answer comes second (a second deletion would confirm again first).
    stack.send(user, "/menu")
    assert keyboard(stack.fake.wait_for(user["id"], 2)[1])
    assert len(stack.fake.sent_to(user["id"])) == 2


update_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=50)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10,
)
update_keys = st.sampled_from(["update_id", "message", "edited_message", "callback_query", "chat", "from", "text",
                               "location", "voice", "data", "id", "date", "message_id", "type"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(update_keys, update_values, max_size=6))
def test_fuzzed_updates_never_cause_a_server_error(stack, update):
    status, _ = stack.post(update)
    assert status < 500


def test_fuzzed_bodies_that_are_not_json_objects_are_answered(stack):
    for raw in (b"", b"[]", b"{not json", b"\xff\xfe", b'{"update_id": "x"}', b"null"):
        assert stack.post(None, raw=raw)[0] == 200


def test_no_telegram_id_or_name_in_tracker_store_or_logs(stack):
    """A scripted conversation (and any run before it in this module): no id or name in conversations or logs."""
    user = stack.user()
    # Each message is answered before the next is sent.
    for text, replies_so_far in [("/start", 2), ("/menu", 3), ("visa h2a", 4)]:
        stack.send(user, text)
        stack.fake.wait_for(user["id"], replies_so_far)
    haystacks = {"tracker store": stack.servers.tracker_db.read_bytes().decode("utf-8", errors="replace")}
    haystacks.update(stack.servers.logs_text())
    for user in stack.users:
        for value in (str(user["id"]), user["username"], "Quixtan", "Rosalinda"):
            for name, text in haystacks.items():
                assert value not in text, f"{value} found in {name}"
    assert TOKEN.split(":")[1] not in "".join(haystacks.values()), "the bot token is not logged"

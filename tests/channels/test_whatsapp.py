"""WhatsApp end to end: signed Twilio webhooks into the real Rasa and action servers, replies out through
the real `twilio` Client to a local fake Twilio API (tests/channels/fake_twilio.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.content.repository import ContentRepository
from bot.language import text as interface_text
from bot.messaging.store import ChannelStore
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.servers import Servers, servers_with
from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.model]

ACCOUNT_SID, AUTH_TOKEN = "AC" + "1" * 32, "test-auth-token-0123456789abcdef"
FROM = "whatsapp:+14155238886"
PUBLIC = "https://brujula.example.org"
WEBHOOK = "/webhooks/whatsapp/webhook"
STATUS = "/webhooks/whatsapp/status"


@dataclass
class Stack:
    servers: Servers
    fake: FakeTwilio
    used_numbers: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.servers.base

    @property
    def database_url(self) -> str:
        return self.servers.database_url

    def number(self) -> str:
        number = f"whatsapp:+5025{uuid.uuid4().int % 10**7:07d}"
        self.used_numbers.append(number)
        return number

    def post(self, path: str, form: dict, sign_url: str | None = None, signature: str | None = None,
             sign_form: dict | None = None) -> tuple[int, str]:
        if signature is None:
            signature = RequestValidator(AUTH_TOKEN).compute_signature(sign_url or PUBLIC + path, sign_form or form)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature:
            headers["X-Twilio-Signature"] = signature
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(form).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def message(self, number: str, body: str = "", **extra) -> tuple[int, str]:
        form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID, "From": number, "To": FROM,
                "Body": body, "NumMedia": "0", "ProfileName": "Maria Ejemplo", **extra}
        return self.post(WEBHOOK, form)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, loaded_sqlite_template):
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": FROM,
           "TWILIO_API_BASE_URL": fake.base_url, "PUBLIC_BASE_URL": PUBLIC, "TWILIO_TIMEOUT_SECONDS": "1"}
    with servers_with(fake, tmp_path_factory.mktemp("whatsapp"), loaded_sqlite_template, env,
                      "/webhooks/whatsapp/") as servers:
        yield Stack(servers, fake)


@pytest.fixture(autouse=True)
def _healthy_api(stack):
    stack.fake.reset()
    yield
    stack.fake.reset()


def bodies(messages: list[dict]) -> list[str]:
    return [m.get("Body", "") for m in messages]


def test_signed_message_gets_the_greeting_and_menu_in_order(stack):
    number = stack.number()
    started = time.monotonic()
    status, twiml = stack.message(number, "hola")
    assert (status, twiml) == (200, '<?xml version="1.0" encoding="UTF-8"?><Response />'), "empty TwiML"
    assert time.monotonic() - started < 2, "Twilio gets its answer at once"
    greeting, menu = stack.fake.wait_for(number, 2)[:2]
    assert "Privacidad" in greeting["Body"] and greeting["From"] == FROM
    assert "1. Trabajar o migrar de forma legal" in menu["Body"] and "4. Ayuda urgente" in menu["Body"]
    assert menu["StatusCallback"] == f"{PUBLIC}/webhooks/whatsapp/status"


def test_numbered_options_round_trip(stack):
    number = stack.number()
    stack.message(number, "hola")
    stack.fake.wait_for(number, 2)
    stack.message(number, "2")
    submenu = stack.fake.wait_for(number, 3)[2]["Body"]
    assert "Riesgos del camino irregular" in submenu
    smugglers = ContentRepository(stack.database_url).get_answer("risks.smugglers", "es")
    line = next(line for line in submenu.splitlines() if smugglers.title in line)
    stack.message(number, line.split(".")[0])  # the number in front of the title
    answer = stack.fake.wait_for(number, 4)[3]["Body"]
    assert smugglers.body.strip()[:80] in answer


def test_option_words_work_like_the_number(stack):
    number = stack.number()
    stack.message(number, "hola")
    stack.fake.wait_for(number, 2)
    stack.message(number, "Regreso a Guatemala y apoyo")
    assert "Regreso a Guatemala y apoyo" in stack.fake.wait_for(number, 3)[2]["Body"]


@pytest.mark.parametrize("case", ["missing", "wrong-token", "wrong-url", "other-body", "garbage"])
def test_forged_requests_are_rejected(stack, case):
    number = stack.number()
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": number, "Body": "hola", "NumMedia": "0"}
    if case == "missing":
        status, _ = stack.post(WEBHOOK, form, signature="")
    elif case == "wrong-token":
        forged = RequestValidator("other").compute_signature(PUBLIC + WEBHOOK, form)
        status, _ = stack.post(WEBHOOK, form, signature=forged)
    elif case == "wrong-url":
        status, _ = stack.post(WEBHOOK, form, sign_url="https://evil.example.com" + WEBHOOK)
    elif case == "other-body":
        status, _ = stack.post(WEBHOOK, {**form, "Body": "mensaje cambiado"}, sign_form=form)
    else:
        status, _ = stack.post(WEBHOOK, form, signature="c2lnbmF0dXJl")
    assert status == 403
    # Definite signal: a genuine message from the same number is answered, and it is the only answer.
    stack.message(number, "menu")
    [menu] = stack.fake.wait_for(number, 1)
    assert "1. " in menu["Body"]
    assert len(stack.fake.to(number)) == 1


def test_the_same_message_sid_is_processed_once(stack):
    number = stack.number()
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": number, "Body": "hola", "NumMedia": "0"}
    assert stack.post(WEBHOOK, form)[0] == 200
    greeting = stack.fake.wait_for(number, 2)
    assert stack.post(WEBHOOK, form)[0] == 200
    # Definite signal: the next message's answer comes third (a reprocessed duplicate would come first).
    stack.message(number, "visa h2b")
    third = stack.fake.wait_for(number, 3)[2]
    assert third["Body"] != greeting[0]["Body"] and "H-2B" in third["Body"]
    assert len(stack.fake.to(number)) == 3


@pytest.mark.parametrize(
    "content_type, words",
    [("audio/ogg", "escuchar audios"), ("image/jpeg", "ver fotos"), ("image/webp", "sticker"),
     ("application/pdf", "abrir documentos"), ("text/vcard", "contactos")],
)
def test_media_gets_a_kind_reply_and_the_menu(stack, content_type, words):
    number = stack.number()
    stack.message(number, "", NumMedia="1", MediaContentType0=content_type,
                  MediaUrl0="https://api.twilio.com/media/ME1")
    [reply] = stack.fake.wait_for(number, 1)
    voice = content_type.startswith("audio/")
    first = "1. Siempre con audio\n2. Trabajar o migrar" if voice else "1. Trabajar o migrar"
    assert words in reply["Body"] and first in reply["Body"]  # a voice note: the offer of answers heard, first


def test_voice_note_reply_follows_the_persons_language(stack):
    number = stack.number()
    stack.message(number, "hi, how can i work legally in the us?")
    first = len(stack.fake.wait_for(number, 1))
    stack.message(number, "", NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0="https://api.twilio.com/m/1")
    assert "can't listen to audio" in stack.fake.wait_for(number, first + 1)[-1]["Body"]


def test_shared_location_lists_the_nearest_service_points(stack):
    number = stack.number()
    stack.message(number, "", Latitude="15.33", Longitude="-91.48")  # near Huehuetenango
    [reply] = stack.fake.wait_for(number, 1)
    nearest = ContentRepository(stack.database_url).nearest_service_points(15.33, -91.48)
    first_place = reply["Body"].splitlines()[1]
    assert first_place.startswith(f"1) {nearest[0].name}") and "km" in first_place
    assert "Fuente" in reply["Body"]


@pytest.mark.parametrize("latitude, longitude", [("1" + "0" * 400, "-91.48"), ("nan", "-91.48"), ("15.33", "")])
def test_a_location_that_is_no_place_on_earth_gets_a_kind_reply(stack, latitude, longitude):
    number = stack.number()
    stack.message(number, "", Latitude=latitude, Longitude=longitude)
    [reply] = stack.fake.wait_for(number, 1)
    assert reply["Body"].startswith(interface_text("nearest_location_wrong", "es"))


def test_long_reply_is_split_at_1600_characters_in_order(stack):
    repo = ContentRepository(stack.database_url)
    before = repo.get_answer("labour.h2b", "es")
    paragraphs = [f"Parte {i:02d}. " + "Texto de prueba para una respuesta larga. " * 8 for i in range(12)]
    draft = repo.save_draft("labour.h2b", "es", {"body": "\n\n".join(p.strip() for p in paragraphs)}, "test")
    repo.publish("labour.h2b", "es", draft.version, "test")
    try:
        number = stack.number()
        stack.message(number, "/labour.h2b")
        parts = bodies(stack.fake.wait_for(number, 3))
        assert all(len(p) <= 1600 for p in parts)
        joined = "\n".join(parts)
        positions = [joined.index(f"Parte {i:02d}.") for i in range(12)]
        assert positions == sorted(positions), "parts arrive in order"
    finally:
        repo.rollback("labour.h2b", "es", before.version, "test")


def test_rate_limits_and_server_errors_are_retried(stack):
    number = stack.number()
    stack.fake.plan = ["429", "500"]
    attempts_before = stack.fake.attempts
    stack.message(number, "hola")
    greeting = stack.fake.wait_for(number, 2)
    assert "Privacidad" in greeting[0]["Body"]
    assert stack.fake.attempts - attempts_before >= 4  # 2 failures + 2 messages


def test_a_reply_that_fails_three_times_is_kept_and_sent_when_the_api_recovers(stack):
    number = stack.number()
    stack.fake.fail_always = "500"
    stack.message(number, "visa h2a?")
    store = ChannelStore(stack.database_url)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not [m for m in store.messages(["pending"]) if m.last_error]:
        time.sleep(0.1)
    waiting = [m for m in store.messages(["pending"]) if m.last_error]
    assert waiting and "500" in waiting[0].last_error
    assert stack.fake.to(number) == []
    listing = subprocess.run([str(Path(sys.executable).with_name("bot")), "outbox"], capture_output=True,
                             text=True, env={**os.environ, "DATABASE_URL": stack.database_url}, cwd=PROJECT_ROOT)
    # Counted as waiting (pending, or already being retried by the outbox loop, every second in these tests).
    assert re.search(r"^whatsapp: [1-9][0-9]* waiting", listing.stdout, re.MULTILINE), listing.stdout
    assert number.split("+")[1] not in listing.stdout
    stack.fake.fail_always = None
    [answer] = stack.fake.wait_for(number, 1)[:1]
    assert "H-2A" in answer["Body"]


def test_replies_cut_off_by_a_restart_are_sent_after_it(stack):
    number = stack.number()
    stack.fake.fail_always = "timeout"
    stack.fake.timeout_seconds = 1.5  # longer than TWILIO_TIMEOUT_SECONDS=1: each attempt times out
    stack.message(number, "hola")
    store = ChannelStore(stack.database_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not store.messages(["sending"]):
        time.sleep(0.05)
    assert store.messages(["sending"]), "a reply is being sent when the server stops"
    stack.servers.stop_rasa()
    assert not store.messages(["sending"]), "the stopping server put its reply back in the outbox"
    stack.fake.fail_always = None
    stack.servers.start_rasa("/webhooks/whatsapp/")
    messages = stack.fake.wait_for(number, 2, timeout=20)
    assert "Privacidad" in messages[0]["Body"] and "1. Trabajar" in messages[1]["Body"]


def test_status_callbacks_record_delivery_and_failures(stack):
    number = stack.number()
    stack.message(number, "visa h2b?")
    [sent] = stack.fake.wait_for(number, 1)[:1]
    store = ChannelStore(stack.database_url)
    for _ in range(50):
        if any(m.provider_id == sent["sid"] for m in store.messages(["sent"])):
            break
        time.sleep(0.1)
    form = {"MessageSid": sent["sid"], "MessageStatus": "failed", "ErrorCode": "63016", "To": number}
    assert stack.post(STATUS, form)[0] == 204
    assert stack.post(STATUS, form, signature="forged")[0] == 403
    [failed] = [m for m in store.messages(["failed"]) if m.provider_id == sent["sid"]]
    assert failed.error_code == "63016"


def test_borrar_deletes_the_conversation_and_the_number_then_confirms(stack):
    import sqlite3

    from bot.privacy import pseudonym
    from bot.settings import LOCAL_DEFAULT_SECRET

    number = stack.number()
    stack.message(number, "hola")
    stack.fake.wait_for(number, 2)
    sender_id = pseudonym(LOCAL_DEFAULT_SECRET, "whatsapp", number)
    with sqlite3.connect(stack.servers.tracker_db) as db:
        assert db.execute("select count(*) from events where sender_id = ?", (sender_id,)).fetchone()[0] > 0
    stack.message(number, "BORRAR")
    confirmation = stack.fake.wait_for(number, 3)[2]["Body"]
    assert "Borré sus datos" in confirmation
    with sqlite3.connect(stack.servers.tracker_db) as db:
        assert db.execute("select count(*) from events where sender_id = ?", (sender_id,)).fetchone()[0] == 0
    assert ChannelStore(stack.database_url).contact(sender_id) is None


twilio_fields = st.sampled_from(["MessageSid", "From", "Body", "NumMedia", "MediaContentType0", "MediaUrl0",
                                 "Latitude", "Longitude", "To", "ButtonPayload", "ProfileName", "WaId"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(twilio_fields, st.one_of(st.text(max_size=300), st.integers().map(str),
                                                st.sampled_from(["whatsapp:+50255512345", "nan", "inf", "-91.5",
                                                                 "1e999", "/greet", "audio/ogg", "99"])),
                       max_size=8))
def test_fuzzed_signed_forms_never_cause_a_server_error(stack, form):
    status, _ = stack.post(WEBHOOK, form)
    assert status < 500


def test_no_phone_number_in_tracker_store_or_logs(stack):
    """A scripted conversation (and any run before it in this module): no number in conversations or logs."""
    number = stack.number()
    # Each message is answered before the next is sent; the last reply confirms the deletion.
    for body, replies_so_far in [("hola", 2), ("2", 3), ("visa h2a", 4), ("BORRAR", 5)]:
        stack.message(number, body)
        stack.fake.wait_for(number, replies_so_far)
    assert "Borré sus datos" in stack.fake.to(number)[-1]["Body"]
    haystacks = {"tracker store": stack.servers.tracker_db.read_bytes().decode("utf-8", errors="replace")}
    haystacks.update(stack.servers.logs_text())
    for number in stack.used_numbers:
        digits = number.split("+")[1]
        for name, text in haystacks.items():
            assert digits not in text, f"{number} found in {name}"
    assert "Maria Ejemplo" not in "".join(haystacks.values()), "profile names are not kept"

"""The Rasa server's operations routes (channels/ops) on a running stack, its content database on PostgreSQL behind a
proxy the test can cut and WhatsApp on a fake Twilio: readiness follows the model and the database, a message is
counted and timed exactly once (web chat in its response, WhatsApp when the reply reached Twilio), a failed send is
counted, the action server counts the fallback, the emergency and the handoff it decided, the outbox depth is read
at every scrape, and the logs are JSON lines without what people wrote."""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid

import pytest

from bot.db import session_scope
from bot.messaging.models import OutboxMessage
from tests.channels import test_whatsapp as whatsapp
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.servers import start_servers
from tests.conftest import load_content, postgres_databases, postgres_url_of
from tests.e2e.tcp_proxy import TcpProxy
from tests.prometheus import changes, get_json, scrape, value

pytestmark = [pytest.mark.e2e, pytest.mark.model, pytest.mark.postgres]

OPS = "/webhooks/ops"
WEBCHAT = "/webhooks/webchat"
EMERGENCY = "me quieren matar"
NONSENSE = "zzkq vlorp wibble"
ASK_FOR_A_PERSON = "quiero hablar con una persona por favor"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, content_pack):
    with postgres_databases("brujula_ops") as (name,):
        direct = postgres_url_of(name)
        load_content(direct, content_pack)
        yield from _servers(tmp_path_factory, name, direct)


def _servers(tmp_path_factory, name: str, direct: str):
    proxy = TcpProxy("127.0.0.1", 5432).start()
    twilio = FakeTwilio(whatsapp.ACCOUNT_SID, whatsapp.AUTH_TOKEN)
    servers = None
    try:
        servers = start_servers(tmp_path_factory.mktemp("ops"), None, {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}", "LOG_FORMAT": "json",
            "TWILIO_ACCOUNT_SID": whatsapp.ACCOUNT_SID, "TWILIO_AUTH_TOKEN": whatsapp.AUTH_TOKEN,
            "TWILIO_WHATSAPP_FROM": whatsapp.FROM, "TWILIO_API_BASE_URL": twilio.base_url,
            "PUBLIC_BASE_URL": whatsapp.PUBLIC}, f"{OPS}/health", database_url=direct)
        yield servers, proxy, direct, whatsapp.Stack(servers, twilio)
    finally:
        if servers is not None:
            servers.stop_all()
        twilio.close()
        proxy.stop()


def post(url: str, body: dict) -> tuple[int, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class WebChat:
    def __init__(self, base: str):
        self.base = base
        self.session = post(f"{base}{WEBCHAT}/session", {})[1]

    def say(self, message: str) -> list[dict]:
        status, replies = post(f"{self.base}{WEBCHAT}/webhook", {**self.session, "message": message})
        assert status == 200, replies
        return replies


def counted(before: dict, after: dict) -> dict:
    """How the counters and the histograms' counts changed (not the buckets and sums, nor the gauges)."""
    return {key: delta for key, delta in changes(before, after).items() if key[0].endswith(("_total", "_count"))}


def series(name: str, **labels: str) -> tuple[str, frozenset]:
    return name, frozenset(labels.items())


def ready_until(url: str, status: int, timeout: float = 20) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while True:
        answer = get_json(url)
        if answer[0] == status or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def test_health_and_ready_once_the_model_is_loaded(stack):
    servers, _proxy, _db, _whatsapp = stack
    assert get_json(f"{servers.base}{OPS}/health") == (200, {"status": "ok"})
    assert ready_until(f"{servers.base}{OPS}/ready", 200) == (200, {"status": "ready", "model": True,
                                                                   "database": True})


def test_one_web_chat_message_is_counted_and_timed_once(stack):
    servers, _proxy, _db, _whatsapp = stack
    chat = WebChat(servers.base)
    before = scrape(f"{servers.base}{OPS}/metrics")
    assert post(f"{servers.base}{WEBCHAT}/webhook", {**chat.session, "token": "forged", "message": "hola"})[0] == 403
    started = time.monotonic()
    chat.say("hola")
    elapsed = time.monotonic() - started
    after = scrape(f"{servers.base}{OPS}/metrics")
    assert counted(before, after) == {
        series("brujula_messages_received_total", channel="webchat"): 1,
        series("brujula_reply_seconds_count", channel="webchat"): 1,
    }
    took = (value(after, "brujula_reply_seconds_sum", {"channel": "webchat"})
            - value(before, "brujula_reply_seconds_sum", {"channel": "webchat"}))
    assert 0 < took <= elapsed


def counted_eventually(url: str, before: dict, expected: dict, timeout: float = 10) -> dict:
    """The counted changes once they are `expected`, or as they are after `timeout`: the background work records
    the reply a moment after Twilio has it."""
    deadline = time.monotonic() + timeout
    while True:
        found = counted(before, scrape(url))
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_whatsapp_message_is_counted_once_when_its_reply_reached_twilio(stack):
    servers, _proxy, _db, chat = stack
    number = chat.number()
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": number, "To": whatsapp.FROM, "Body": "hola",
            "NumMedia": "0"}
    before = scrape(f"{servers.base}{OPS}/metrics")
    chat.fake.plan = ["500"]  # the first send fails once, then goes through
    assert chat.post(whatsapp.WEBHOOK, form)[0] == 200
    chat.fake.wait_for(number, 2)
    expected = {series("brujula_messages_received_total", channel="whatsapp"): 1,
                series("brujula_reply_seconds_count", channel="whatsapp"): 1,
                series("brujula_send_failures_total", channel="whatsapp"): 1}
    assert counted_eventually(f"{servers.base}{OPS}/metrics", before, expected) == expected
    redelivered = scrape(f"{servers.base}{OPS}/metrics")
    assert chat.post(whatsapp.WEBHOOK, form)[0] == 200  # Twilio sends the same MessageSid again
    time.sleep(1)
    assert counted(redelivered, scrape(f"{servers.base}{OPS}/metrics")) == {}


def test_the_action_server_counts_the_fallback_emergency_and_handoff_it_decided(stack):
    servers, _proxy, _db, _whatsapp = stack
    before = scrape(f"{servers.action_base}/metrics")
    chat = WebChat(servers.base)
    assert chat.say(NONSENSE)[0]["text"].startswith("Perdón, no entendí bien.")
    WebChat(servers.base).say(EMERGENCY)
    offer = chat.say(ASK_FOR_A_PERSON)[-1]
    assert offer["buttons"][0]["title"] == "Sí, hablar con una persona"
    assert chat.say(offer["buttons"][0]["payload"])[0]["text"].startswith("Listo. Una persona del equipo")
    assert counted(before, scrape(f"{servers.action_base}/metrics")) == {
        series("brujula_fallbacks_total"): 1,
        series("brujula_emergencies_total", kind="emergency"): 1,
        series("brujula_handoffs_total", reason="asked"): 1,
    }


def _outbox(db: str, channel: str, status: str, count: int) -> None:
    with session_scope(db) as session:
        session.add_all(OutboxMessage(channel=channel, sender_id=f"{channel}-ops", body="hola", status=status)
                        for _ in range(count))


def test_the_outbox_depth_is_read_from_the_database_at_every_scrape(stack):
    servers, _proxy, db, _whatsapp = stack
    assert value(scrape(f"{servers.base}{OPS}/metrics"), "brujula_outbox_depth", {"channel": "telegram"}) == 0
    # Telegram is not configured here, so nothing sends these rows away while the test reads them.
    _outbox(db, "telegram", "pending", 3)
    _outbox(db, "telegram", "sending", 1)
    _outbox(db, "telegram", "failed", 2)
    samples = scrape(f"{servers.base}{OPS}/metrics")
    assert {key: v for key, v in samples.items() if key[0] == "brujula_outbox_depth"} == {
        series("brujula_outbox_depth", channel="whatsapp"): 0,
        series("brujula_outbox_depth", channel="telegram"): 4,
    }
    with session_scope(db) as session:
        session.query(OutboxMessage).filter(OutboxMessage.sender_id.like("%-ops")).delete(synchronize_session=False)


def test_ready_is_503_while_the_content_database_is_away_and_200_when_it_is_back(stack):
    servers, proxy, _db, _whatsapp = stack
    proxy.stop()
    try:
        assert ready_until(f"{servers.base}{OPS}/ready", 503) == (503, {"status": "not ready", "model": True,
                                                                       "database": False})
        assert get_json(f"{servers.base}{OPS}/health") == (200, {"status": "ok"})
        samples = scrape(f"{servers.base}{OPS}/metrics")  # still answers, without the outbox depth
        assert not any(name == "brujula_outbox_depth" for name, _ in samples)
    finally:
        proxy.start()
    assert ready_until(f"{servers.base}{OPS}/ready", 200)[0] == 200


COLOURED_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} +(DEBUG|INFO|WARNING|ERROR)")


def test_the_rasa_server_logs_json_lines_without_what_people_wrote(stack):
    servers, _proxy, _db, _whatsapp = stack
    lines = (servers.logs[1]).read_text(errors="replace").splitlines()
    first_json = next(i for i, line in enumerate(lines) if line.startswith("{"))
    entries = [json.loads(line) for line in lines[first_json:] if line.startswith("{")]
    assert {entry["process"] for entry in entries} == {"rasa"}
    assert not [line for line in lines[first_json:] if COLOURED_LINE.match(line)]  # Rasa's handler was replaced
    everything = "\n".join(log.read_text(errors="replace") for log in servers.logs)
    for said in (NONSENSE, EMERGENCY, ASK_FOR_A_PERSON):
        assert said not in everything

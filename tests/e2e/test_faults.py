"""Faults under load on the production topology (bot/tooling/cluster.py: nginx, two Rasa servers on PostgreSQL
and Redis, the action server), with simulated WhatsApp and Telegram platforms that retry a webhook that did not
get a 2xx, as the real ones do. PostgreSQL and Redis are reached through TCP proxies the tests cut, as a
restart or an outage would look to the services.

After each fault, every message is in the tracker exactly once, and every person received exactly the replies
queued for them, in order, each once.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from itertools import count

import pytest
from twilio.request_validator import RequestValidator

from bot.tooling.cluster import Cluster, ClusterConfig
from bot.tooling.processes import free_port
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio
from tests.conftest import POSTGRES_ADMIN_DSN, _pg_admin_connection
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.model, pytest.mark.postgres, pytest.mark.faults]

TOKEN = "123456789:TEST-token-for-the-fake-bot-api"
SECRET = "telegram-webhook-secret-0123456789"
ACCOUNT_SID, AUTH_TOKEN = "AC" + "0" * 32, "twilio-auth-token-for-tests"
FROM, PUBLIC = "whatsapp:+14155238886", "https://brujula.example.org"
APOLOGY = "Lo siento, ahora no puedo consultar la información."  # bot.language texts "unavailable" (es)
ERROR = "Lo siento, hubo un error."  # "error_try_again" / "error_start_again" (es)
MESSAGES = ["hola", "quiero trabajar en canadá", "1", "me deportaron, ¿qué hago?", "menú"]
_ids = count(int(time.time()) % 10**6 * 1000)


@dataclass
class Platform:
    """WhatsApp and Telegram as the cluster sees them: webhooks through nginx, retried until a 2xx."""

    base: str
    telegram: FakeTelegram
    twilio: FakeTwilio
    webhook_failures: list[str] = field(default_factory=list)

    def _post(self, path: str, data: bytes, headers: dict, give_up_after: float = 90) -> dict:
        deadline = time.monotonic() + give_up_after
        while True:
            request = urllib.request.Request(self.base + path, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read()
                    return json.loads(body) if body.startswith(b"{") else {}
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                self.webhook_failures.append(str(getattr(error, "code", error)))
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)  # the platforms retry with backoff; a short one keeps the test quick

    def telegram_message(self, chat_id: int, text: str) -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Rosa", "language_code": "es"}
        update = {"update_id": next(_ids), "message": {
            "message_id": next(_ids) % 100000, "date": int(time.time()), "text": text, "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": "Rosa"}}}
        return self._post("/webhooks/telegram/webhook", json.dumps(update).encode(),
                          {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})

    def whatsapp_message(self, number: str, text: str) -> dict:
        form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID, "From": number, "To": FROM,
                "Body": text, "NumMedia": "0"}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + "/webhooks/whatsapp/webhook", form)
        return self._post("/webhooks/whatsapp/webhook", urllib.parse.urlencode(form).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})

    def received(self, address: str) -> list[str]:
        """What the person's phone got, in order."""
        if address.startswith("whatsapp:"):
            return [m.get("Body", "") for m in self.twilio.sent_to(address)]
        return [params.get("text", "") for method, params in list(self.telegram.calls)
                if method in ("sendMessage", "sendPhoto") and str(params.get("chat_id")) == address]


def collapse_repeats(texts: list[str]) -> list[str]:
    return [text for i, text in enumerate(texts) if i == 0 or text != texts[i - 1]]


@dataclass
class Person:
    address: str  # "whatsapp:+502..." or a Telegram chat id
    sent: int = 0
    unanswered: list[str] = field(default_factory=list)


def converse(platform: Platform, person: Person, messages: list[str], reply_timeout: float = 90) -> None:
    """Send each message once the previous one was answered (as people do), through the platform."""
    for text in messages:
        before = len(platform.received(person.address))
        if person.address.startswith("whatsapp:"):
            platform.whatsapp_message(person.address, text)
        else:
            platform.telegram_message(int(person.address), text)
        person.sent += 1
        deadline = time.monotonic() + reply_timeout
        while len(platform.received(person.address)) <= before and time.monotonic() < deadline:
            time.sleep(0.1)
        if len(platform.received(person.address)) <= before:
            person.unanswered.append(text)


def people(n_whatsapp: int, n_telegram: int) -> list[Person]:
    return ([Person(f"whatsapp:+5025{uuid.uuid4().int % 10**7:07d}") for _ in range(n_whatsapp)]
            + [Person(str(7_000_000_000 + uuid.uuid4().int % 10**9)) for _ in range(n_telegram)])


def run_load(platform: Platform, crowd: list[Person], messages: list[str] = MESSAGES) -> list[threading.Thread]:
    threads = [threading.Thread(target=converse, args=(platform, person, messages), daemon=True) for person in crowd]
    for thread in threads:
        thread.start()
    return threads


def join(threads: list[threading.Thread], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "some conversations did not finish"


@dataclass
class Stack:
    cluster: Cluster
    platform: Platform
    postgres: TcpProxy
    redis: TcpProxy
    content_url: str
    tracker_url: str
    repeats: int = 0  # replies sent twice because their server died between sending and recording it

    def query(self, url: str, sql: str, args: tuple = ()) -> list[tuple]:
        import psycopg2

        connection = psycopg2.connect(url)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql, args)
                return cursor.fetchall()
        finally:
            connection.close()

    def sender_of(self, address: str) -> str:
        rows = self.query(self.content_url, "SELECT sender_id FROM channel_contacts WHERE address = %s", (address,))
        assert rows, f"no contact for {address[:12]}…"
        return rows[0][0]

    def settled(self, timeout: float = 90) -> None:
        """Wait until nothing is pending: no reply waiting to be sent, no message waiting to be answered."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = self.query(self.content_url, "SELECT (SELECT count(*) FROM outbox WHERE status IN "
                                 "('pending', 'sending')) + (SELECT count(*) FROM inbound_messages WHERE state = "
                                 "'pending')")[0][0]
            if waiting == 0:
                return
            time.sleep(0.5)
        details = self.query(self.content_url, "SELECT 'outbox', channel, status, attempts, last_error FROM outbox "
                             "WHERE status IN ('pending', 'sending') UNION ALL SELECT 'inbound', channel, state, "
                             "attempts, CAST(claimed_at AS TEXT) FROM inbound_messages WHERE state = 'pending'")
        raise AssertionError(f"{waiting} replies or messages still pending after {timeout:.0f}s: {details}")

    def assert_exactly_once_and_in_order(self, crowd: list[Person], allowed_repeats: int = 0) -> None:
        self.settled()
        for person in crowd:
            assert not person.unanswered, f"unanswered: {person.unanswered}"
            sender = self.sender_of(person.address)
            user_events = self.query(self.tracker_url, "SELECT data FROM events WHERE sender_id = %s AND "
                                     "type_name = 'user' ORDER BY id", (sender,))
            message_ids = [json.loads(data).get("message_id") for (data,) in user_events]
            assert len(message_ids) == person.sent, "each message in the tracker exactly once"
            assert len(set(message_ids)) == person.sent
            queued = self.query(self.content_url, "SELECT body, status FROM outbox WHERE sender_id = %s "
                                "ORDER BY id", (sender,))
            assert {status for _, status in queued} == {"sent"}
            received = self.platform.received(person.address)
            # At least once: a reply the dead server had handed to the platform, but not yet marked sent, is sent
            # again right after (better twice than never). Nothing else is repeated, nothing is missing.
            assert collapse_repeats(received) == collapse_repeats([body for body, _ in queued]), \
                "the person got what was queued, in order"
            assert 0 <= len(received) - len(queued) <= allowed_repeats
            self.repeats += len(received) - len(queued)

    def all_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.cluster.processes.items() if p.poll() is not None}
        assert not dead, f"processes exited: {dead}"

    def webchat(self, sender: dict | None, text: str) -> tuple[dict, list[dict]]:
        def post(path: str, body: dict) -> object:
            request = urllib.request.Request(f"{self.cluster.url}/webhooks/webchat/{path}",
                                             data=json.dumps(body).encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())

        sender = sender or post("session", {})
        return sender, post("webhook", {**sender, "message": text})


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    suffix = uuid.uuid4().hex[:8]
    server_url = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0]
    postgres = TcpProxy("127.0.0.1", 5432).start()
    redis = TcpProxy("127.0.0.1", 6379).start()
    telegram, twilio = FakeTelegram(TOKEN), FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    telegram.keep_alive = twilio.keep_alive = True
    content_db, tracker_db = f"brujula_faults_{suffix}", f"brujula_faults_tracker_{suffix}"
    proxied = f"postgresql://postgres@127.0.0.1:{postgres.port}"
    env = {
        "BRUJULA_ENV": "test", "LOG_LEVEL": "INFO",
        "DATABASE_URL": f"{proxied}/{content_db}", "TRACKER_DB_PORT": str(postgres.port),
        "REDIS_PORT": str(redis.port),
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": FROM,
        "TWILIO_API_BASE_URL": twilio.base_url, "PUBLIC_BASE_URL": PUBLIC,
        "TELEGRAM_TIMEOUT_SECONDS": "3", "TWILIO_TIMEOUT_SECONDS": "3",
        "SEND_BACKOFF_SECONDS": "0.2", "OUTBOX_RETRY_INTERVAL_SECONDS": "1",
        # Quicker takeovers than in production: a dead server's conversation lock lapses after 15 s (60), its
        # unanswered messages are taken over after 25 s (90) and its half-sent replies sent again after 12 s (120).
        "TICKET_LOCK_LIFETIME": "15", "INBOUND_RECLAIM_SECONDS": "25", "INBOUND_CHECK_SECONDS": "1",
        "OUTBOX_STALE_SENDING_SECONDS": "12",
        "ACTION_TIMEOUT_SECONDS": "5",
    }
    config = ClusterConfig(workdir=tmp_path_factory.mktemp("cluster"), port=free_port(), rasa_servers=2,
                           action_workers=1, postgres_url=server_url, content_db=content_db, tracker_db=tracker_db,
                           redis_db=9, console=False, env=env)
    cluster = Cluster(config)
    try:
        cluster.start()
        yield Stack(cluster, Platform(cluster.url, telegram, twilio), postgres, redis,
                    f"{server_url}/{content_db}", f"{server_url}/{tracker_db}")
    finally:
        cluster.stop()
        telegram.close()
        twilio.close()
        postgres.stop()
        redis.stop()
        admin = _pg_admin_connection()
        with admin.cursor() as cursor:
            for name in (content_db, tracker_db):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def healthy(stack):
    """Each fault test starts on a whole cluster and leaves it whole."""
    for name in stack.cluster.processes:
        if stack.cluster.processes[name].poll() is not None:
            stack.cluster.restart(name)
    for proxy in (stack.postgres, stack.redis):
        if not proxy.running:
            proxy.start()
    stack.platform.telegram.plan.clear()
    stack.platform.twilio.plan.clear()
    yield stack
    stack.all_alive()


def test_a_rasa_server_killed_mid_load_loses_and_duplicates_nothing(healthy):
    crowd = people(8, 8)
    threads = run_load(healthy.platform, crowd)
    time.sleep(4)
    healthy.cluster.kill("rasa-a")  # a crash: SIGKILL, mid-conversation for several people
    restart = threading.Thread(target=healthy.cluster.restart, args=("rasa-a",), daemon=True)
    restart.start()
    join(threads)
    restart.join(300)
    healthy.assert_exactly_once_and_in_order(crowd, allowed_repeats=1)
    # nginx routed around the dead server: conversations went on while it was away.
    assert all(person.sent == len(MESSAGES) for person in crowd)


def test_the_platform_apis_failing_only_delays_replies(healthy):
    healthy.platform.telegram.plan.extend(["500", "timeout", "429", "500"] * 5)
    healthy.platform.twilio.plan.extend(["500", "timeout", "429", "500"] * 5)
    crowd = people(4, 4)
    join(run_load(healthy.platform, crowd))
    healthy.assert_exactly_once_and_in_order(crowd)


def test_the_action_server_restarted_mid_load_gives_the_apology_then_normal_service(healthy):
    replies: dict[str, list[str]] = {}
    stop = threading.Event()

    def chat(name: str) -> None:
        sender = None
        while not stop.is_set():
            sender, messages = healthy.webchat(sender, "quiero trabajar en canadá")
            replies.setdefault(name, []).append(messages[0]["text"] if messages else "")

    threads = [threading.Thread(target=chat, args=(f"p{i}",), daemon=True) for i in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    healthy.cluster.restart("actions")
    time.sleep(5)
    stop.set()
    for thread in threads:
        thread.join(60)
    everything = [text for texts in replies.values() for text in texts]
    assert any(text.startswith(APOLOGY) for text in everything), "nobody was answered while it restarted"
    assert all(text for text in everything), "an empty reply"
    for texts in replies.values():
        assert "Canadá" in texts[-1] or "Canada" in texts[-1], "normal service after the restart"


@pytest.mark.parametrize("outage", ["postgres", "redis"])
def test_a_database_or_lock_store_outage_is_a_clear_apology_and_corrupts_nothing(healthy, outage):
    proxy = healthy.postgres if outage == "postgres" else healthy.redis
    replies: dict[int, list[str]] = {}  # person -> the first line of each reply, in order
    senders: dict[int, dict] = {}
    stop = threading.Event()

    def chat(person: int) -> None:
        while not stop.is_set():
            try:
                senders[person], messages = healthy.webchat(senders.get(person), "quiero trabajar en canadá")
                replies.setdefault(person, []).append(messages[0]["text"] if messages else "")
            except urllib.error.HTTPError as error:
                replies.setdefault(person, []).append(f"HTTP {error.code}")
            time.sleep(0.2)

    threads = [threading.Thread(target=chat, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    proxy.stop()  # down: connections cut, new ones refused
    time.sleep(6)
    proxy.start()  # back, on the same port
    time.sleep(12)
    stop.set()
    for thread in threads:
        thread.join(90)
    healthy.all_alive()
    for person, texts in replies.items():
        kinds = ["answer" if "Canad" in t else "apology" if t.startswith(APOLOGY) else "error" if t.startswith(ERROR)
                 else t for t in texts]
        assert set(kinds) <= {"answer", "apology", "error"}, kinds  # never a 5xx, never silence
        assert "apology" in kinds or "error" in kinds, "the outage was answered with an apology"
        assert kinds[-1] == "answer", f"service came back: {kinds[-4:]}"
        # What Rasa answered is in the conversation once; what failed left nothing half-written. (A message whose
        # lock could not be released after its save is the one that may be in both.)
        events = healthy.query(healthy.tracker_url, "SELECT count(*) FROM events WHERE sender_id = %s AND "
                               "type_name = 'user'", (senders[person]["sender"],))[0][0]
        processed = kinds.count("answer") + kinds.count("apology")
        assert processed <= events <= processed + kinds.count("error")

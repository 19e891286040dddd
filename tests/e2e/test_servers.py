"""End to end: the action server and the Rasa server as processes, talked to over HTTP like the web chat.

The content database is PostgreSQL reached through a proxy the test can cut, to check that users get an
apology while the database is away and answers again when it is back, without a restart.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.content.faq import FaqRepository
from bot.tooling.model_cache import latest_model
from bot.tooling.processes import (
    free_port,
    start_action_server,
    start_rasa_server,
    stop,
    wait_for_http,
    write_endpoints,
)
from tests.conftest import PROJECT_ROOT, load_content, postgres_databases, postgres_url_of
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.model, pytest.mark.postgres]


@dataclass
class Stack:
    base: str
    repo: object
    proxy: TcpProxy
    logs: list[Path]

    def post(self, path: str, body, raw: bytes | None = None) -> tuple[int, object]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def new_session(self) -> dict:
        status, session = self.post("/session", {})
        assert status == 200
        return session

    def say(self, session: dict, message) -> list[dict]:
        status, replies = self.post("/webhook", {**session, "message": message})
        assert status == 200, replies
        return replies


@pytest.fixture(scope="module")
def stack(tmp_path_factory, content_pack):
    from bot.content.repository import ContentRepository

    with postgres_databases("brujula_e2e") as (name,):
        load_content(postgres_url_of(name), content_pack)
        yield from _servers(tmp_path_factory.mktemp("stack"), name, ContentRepository(postgres_url_of(name)))


def _servers(tmp: Path, name: str, repo):
    proxy = TcpProxy("127.0.0.1", 5432).start()
    env = {**os.environ, "BRUJULA_ENV": "test", "TF_CPP_MIN_LOG_LEVEL": "2",
           "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}"}
    action_port, rasa_port = free_port(), free_port()
    logs = [tmp / "actions.log", tmp / "rasa.log"]
    action_log, rasa_log = (open(p, "w") for p in logs)
    actions = start_action_server(action_port, env, action_log)
    wait_for_http(f"http://127.0.0.1:{action_port}/health", 90, actions)
    endpoints = write_endpoints(tmp / "endpoints.yml", action_port)
    rasa = start_rasa_server(rasa_port, latest_model(), endpoints, env, rasa_log)
    try:
        wait_for_http(f"http://127.0.0.1:{rasa_port}/webhooks/webchat/", 240, rasa)
        yield Stack(f"http://127.0.0.1:{rasa_port}/webhooks/webchat", repo, proxy, logs)
    finally:
        stop(rasa)
        stop(actions)
        action_log.close()
        rasa_log.close()
        proxy.stop()


def titles(message: dict) -> list[str]:
    return [b["title"] for b in message.get("buttons") or []]


def all_text(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_health_and_chat_page_are_served(stack):
    with urllib.request.urlopen(f"{stack.base}/", timeout=10) as response:
        assert json.loads(response.read())["status"] == "ok"
    with urllib.request.urlopen(f"{stack.base}/chat", timeout=10) as response:
        page = response.read().decode()
    assert "<title>Brújula" in page and "/webhook" in page


@pytest.mark.parametrize(
    "body, status",
    [
        ({"sender": "web-123", "token": "forged", "message": "hola"}, 403),
        ({"sender": "web-123", "message": "hola"}, 403),
        ({"message": "hola"}, 403),
        (["not", "an", "object"], 400),
    ],
)
def test_webhook_rejects_unauthenticated_or_malformed_calls(stack, body, status):
    assert stack.post("/webhook", body)[0] == status


def test_webhook_rejects_invalid_json(stack):
    assert stack.post("/webhook", None, raw=b"{not json")[0] == 400


def test_conversation_by_numbers_reaches_an_answer_from_the_database(stack):
    session = stack.new_session()
    greeting = stack.say(session, "hola")
    assert "Privacidad" in all_text(greeting)
    assert titles(greeting[-1])[0] == "Trabajar o migrar de forma legal"
    submenu = stack.say(session, "1")
    h2a_title = stack.repo.get_answer("labour.h2a", "es").title
    assert h2a_title in titles(submenu[-1])
    answer = stack.say(session, str(titles(submenu[-1]).index(h2a_title) + 1))
    assert stack.repo.get_answer("labour.h2a", "es").body.strip() in all_text(answer)
    assert "Fuente:" in all_text(answer)


def test_question_in_english_is_answered_in_english(stack):
    replies = stack.say(stack.new_session(), "can a recruiter charge me a fee to get a job in the us?")
    fees = FaqRepository(stack.repo.database_url).for_topic("labour.fees", "en")
    overview = stack.repo.get_answer("labour.fees", "en")
    shown = all_text(replies)
    assert overview.body.strip() in shown or any(f.answer in shown and not f.is_fallback for f in fees)
    assert "Source:" in shown


def test_a_question_matching_an_faq_entry_gets_that_entry_not_the_overview(stack):
    faq = FaqRepository(stack.repo.database_url).get("labour.h2a/family", "es")
    replies = stack.say(stack.new_session(), "¿me puedo llevar a mi esposa y a mis hijos si me voy con la visa H-2A?")
    assert all_text(replies).startswith(f"{faq.question}\n\n{faq.answer}")
    assert stack.repo.get_answer("labour.h2a", "es").body.strip() not in all_text(replies)


def test_a_phrasing_added_with_the_cli_is_used_on_the_next_message(stack):
    question = "cuanto me toca de aguinaldo en diciembre con la h2a"
    entry = FaqRepository(stack.repo.database_url).get("labour.h2a/family", "es")
    assert not all_text(stack.say(stack.new_session(), question)).startswith(entry.question)
    added = subprocess.run([str(Path(sys.executable).with_name("bot")), "examples", "add", "labour.h2a/family",
                            question, "--lang", "es"], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "DATABASE_URL": stack.repo.database_url}, cwd=PROJECT_ROOT)
    assert added.returncode == 0 and added.stdout.strip() == "added to labour.h2a/family", added.stderr
    started = time.monotonic()
    while not all_text(replies := stack.say(stack.new_session(), question)).startswith(entry.question):
        assert time.monotonic() - started < 5, "the new phrasing is used within seconds, with no retraining"
    assert all_text(replies).startswith(f"{entry.question}\n\n{entry.answer}")


def test_published_edit_is_live_on_the_next_message(stack):
    session = stack.new_session()
    before = stack.repo.get_answer("labour.scams", "es")
    draft = stack.repo.save_draft("labour.scams", "es", {"body": before.body + "\nNuevo aviso de prueba."}, "e2e")
    stack.repo.publish("labour.scams", "es", draft.version, "e2e")
    started = time.monotonic()
    replies = stack.say(session, "/labour.scams")
    assert "Nuevo aviso de prueba." in all_text(replies)
    assert time.monotonic() - started < 5
    stack.repo.rollback("labour.scams", "es", before.version, "e2e")


@pytest.mark.parametrize(
    "message",
    ["", "   ", "😀🙏🏽", "a" * 10_000, "visa " * 2_000, "\x00\x01\x02\xff\ufffd" * 50,
     "Ri in ka wajawaj chi ka nuk'aj ri nu wuj", "Bonjour, je voudrais des informations", 12345, None],
)
def test_strange_messages_get_a_clear_reply(stack, message):
    replies = stack.say(stack.new_session(), message)
    assert replies and all_text(replies).strip()
    assert any(r.get("buttons") for r in replies), "every reply offers a way on"


def test_database_outage_gets_an_apology_and_recovers_by_itself(stack):
    session = stack.new_session()
    stack.proxy.stop()
    try:
        replies = stack.say(session, "/labour.h2b")
        assert "Lo siento" in all_text(replies)
        assert "Trabajar o migrar de forma legal" in titles(replies[-1])
    finally:
        stack.proxy.start()
    replies = stack.say(session, "/labour.h2b")
    assert stack.repo.get_answer("labour.h2b", "es").body.strip() in all_text(replies)


def test_phone_numbers_in_messages_stay_out_of_server_logs(stack):
    stack.say(stack.new_session(), "mi numero es +502 5544 3322, me ayudan con la visa h2a?")
    for log in stack.logs:
        assert "5544" not in log.read_text(errors="replace"), f"phone number found in {log.name}"

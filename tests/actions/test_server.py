"""`python -m actions.server`, the action server every launcher starts: rasa_sdk's routes plus /ready and /metrics,
JSON logs, and counts that add up across Sanic workers."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.tooling.processes import free_port, start_action_server, stop, wait_for_http
from tests.conftest import copy_loaded_database
from tests.prometheus import changes, get_json, scrape

pytestmark = pytest.mark.e2e


def fallback_call(sender: str) -> dict:
    """What Rasa posts when it predicts action_fallback for words nobody could understand."""
    text = "zzkq vlorp wibble"
    return {"next_action": "action_fallback", "sender_id": sender, "version": "3.6.21", "domain": {}, "tracker": {
        "sender_id": sender, "slots": {}, "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
        "latest_message": {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3},
                           "intent_ranking": [], "entities": []},
        "events": [{"event": "user", "text": text, "input_channel": "webchat",
                    "parse_data": {"intent": {"name": "nlu_fallback"}}}]}}


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


class ActionServer:
    def __init__(self, tmp: Path, database_url: str, **env: str):
        import os

        self.base = f"http://127.0.0.1:{free_port()}"
        self.log = tmp / "actions.log"
        environment = {**os.environ, "BRUJULA_ENV": "test", "TF_CPP_MIN_LOG_LEVEL": "2", "DATABASE_URL": database_url,
                       "LOG_FORMAT": "json", **env}
        self.process = start_action_server(int(self.base.rsplit(":", 1)[1]), environment, self.log.open("w"))
        wait_for_http(f"{self.base}/health", 90, self.process)

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory, loaded_sqlite_template):
    tmp = tmp_path_factory.mktemp("action-server")
    server = ActionServer(tmp, copy_loaded_database(loaded_sqlite_template, tmp / "content.db"),
                          ACTION_SERVER_SANIC_WORKERS="2")
    yield server
    server.stop()


def test_health_ready_and_metrics_answer(two_workers):
    assert get_json(f"{two_workers.base}/health") == (200, {"status": "ok"})
    assert get_json(f"{two_workers.base}/ready") == (200, {"status": "ready", "database": True})
    scrape(f"{two_workers.base}/metrics")


def test_fallbacks_add_up_across_workers_whichever_one_is_scraped(two_workers):
    before = scrape(f"{two_workers.base}/metrics")
    for i in range(6):
        reply = post(f"{two_workers.base}/webhook", fallback_call(f"web-fallback-{i}"))
        assert reply["responses"][0]["text"].startswith("Perdón, no entendí bien.")
    for _ in range(4):  # each scrape may be answered by either worker
        assert changes(before, scrape(f"{two_workers.base}/metrics")) == {("brujula_fallbacks_total", frozenset()): 6}


def test_logs_are_json_lines_without_what_people_wrote(two_workers):
    lines = [line for line in two_workers.log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert {entry["process"] for entry in entries} == {"actions"}
    assert any(entry["message"].startswith("action server on http://") for entry in entries)
    assert "vlorp" not in two_workers.log.read_text()


def test_ready_is_503_while_the_content_database_is_unreachable(tmp_path):
    server = ActionServer(tmp_path, f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
    try:
        assert get_json(f"{server.base}/ready") == (503, {"status": "not ready", "database": False})
        assert get_json(f"{server.base}/health") == (200, {"status": "ok"})
    finally:
        server.stop()

"""The action server and the Rasa server as processes for channel tests, with a SQLite content database
(starter pack loaded) and a SQLite tracker store the tests can read."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from bot.tooling.model_cache import latest_model
from bot.tooling.processes import free_port, start_action_server, start_rasa_server, stop, wait_for_http


@dataclass
class Servers:
    base: str
    env: dict
    endpoints: Path
    logs: list[Path]
    tracker_db: Path
    database_url: str
    processes: dict = field(default_factory=dict)
    action_base: str = ""  # the action server, e.g. for its /metrics

    def start_rasa(self, health_path: str) -> None:
        port = int(self.base.rsplit(":", 1)[1])
        self.processes["rasa"] = start_rasa_server(port, latest_model(), self.endpoints, self.env,
                                                   open(self.logs[1], "a"))
        wait_for_http(f"{self.base}{health_path}", 240, self.processes["rasa"])

    def stop_rasa(self) -> None:
        stop(self.processes.pop("rasa"))

    def stop_all(self) -> None:
        for process in self.processes.values():
            stop(process)

    def logs_text(self) -> dict[str, str]:
        return {log.name: log.read_text(errors="replace") for log in self.logs}


def start_servers(tmp: Path, content_template: Path | None, extra_env: dict, health_path: str,
                  database_url: str | None = None) -> Servers:
    """The servers on a copy of the loaded content database (`content_template`), or on `database_url` when
    given (already loaded); DATABASE_URL in `extra_env` wins (e.g. the same database through a proxy)."""
    from tests.conftest import copy_loaded_database

    database_url = database_url or copy_loaded_database(content_template, tmp / "content.db")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "BRUJULA_ENV": "test", "DATABASE_URL": database_url,
           "SEND_BACKOFF_SECONDS": "0.1", "OUTBOX_RETRY_INTERVAL_SECONDS": "1", "LOG_LEVEL": "DEBUG", **extra_env}
    action_port, rasa_port = free_port(), free_port()
    tracker_db = tmp / "tracker.db"
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
                         f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker_db}\n")
    logs = [tmp / "actions.log", tmp / "rasa.log"]
    servers = Servers(f"http://127.0.0.1:{rasa_port}", env, endpoints, logs, tracker_db, database_url,
                      action_base=f"http://127.0.0.1:{action_port}")
    servers.processes["actions"] = start_action_server(action_port, env, open(logs[0], "w"))
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", 90, servers.processes["actions"])
        servers.start_rasa(health_path)
    except Exception:
        servers.stop_all()
        raise
    return servers


@contextmanager
def servers_with(fake, tmp: Path, content_template: Path | None, extra_env: dict, health_path: str,
                 database_url: str | None = None) -> Iterator[Servers]:
    """Servers for the duration of a test module, and the fake platform API closed afterwards."""
    try:
        servers = start_servers(tmp, content_template, extra_env, health_path, database_url)
    except Exception:
        fake.close()
        raise
    try:
        yield servers
    finally:
        servers.stop_all()
        fake.close()


@contextmanager
def both_channel_stacks(tmp: Path, content_template: Path) -> Iterator[tuple]:
    """One Rasa server serving WhatsApp and Telegram, each against its fake API: (whatsapp.Stack, telegram.Stack)."""
    from tests.channels import test_telegram as telegram
    from tests.channels import test_whatsapp as whatsapp
    from tests.channels.fake_telegram import FakeTelegram
    from tests.channels.fake_twilio import FakeTwilio

    twilio, bot_api = FakeTwilio(whatsapp.ACCOUNT_SID, whatsapp.AUTH_TOKEN), FakeTelegram(telegram.TOKEN)
    env = {"TWILIO_ACCOUNT_SID": whatsapp.ACCOUNT_SID, "TWILIO_AUTH_TOKEN": whatsapp.AUTH_TOKEN,
           "TWILIO_WHATSAPP_FROM": whatsapp.FROM, "TWILIO_API_BASE_URL": twilio.base_url,
           "PUBLIC_BASE_URL": whatsapp.PUBLIC, "TWILIO_TIMEOUT_SECONDS": "1",
           "TELEGRAM_BOT_TOKEN": telegram.TOKEN, "TELEGRAM_WEBHOOK_SECRET": telegram.SECRET,
           "TELEGRAM_API_BASE_URL": bot_api.base_url, "TELEGRAM_TIMEOUT_SECONDS": "1"}
    try:
        with servers_with(twilio, tmp, content_template, env, "/webhooks/whatsapp/") as servers:
            yield whatsapp.Stack(servers, twilio), telegram.Stack(servers, bot_api)
    finally:
        bot_api.close()

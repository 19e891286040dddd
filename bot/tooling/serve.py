"""`bot serve` (what `make run` ends with): the action server, the Rasa server with the local web chat, and the
staff console."""
from __future__ import annotations

import signal
import time

from bot.settings import PROJECT_ROOT, get_settings
from bot.tooling.model_cache import latest_model
from bot.tooling.processes import (
    start_action_server,
    start_console,
    start_rasa_server,
    stop,
    wait_for_http,
    write_endpoints,
)


def _has_staff() -> bool:
    from bot.staff.users import UserRepository

    return bool(UserRepository().list())


def serve(rasa_port: int = 5005, action_port: int = 5055, console_port: int | None = None) -> int:
    model = latest_model()
    console_port = console_port or get_settings().console_port
    var = PROJECT_ROOT / "var"
    var.mkdir(exist_ok=True)
    endpoints = write_endpoints(var / "endpoints.local.yml", action_port)
    actions = start_action_server(action_port)
    console = start_console(console_port)
    rasa = None
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", 120, actions)
        wait_for_http(f"http://127.0.0.1:{console_port}/login", 60, console)
        rasa = start_rasa_server(rasa_port, model, endpoints)
        print("Loading the model (about a minute)...", flush=True)
        wait_for_http(f"http://127.0.0.1:{rasa_port}/webhooks/webchat/", 300, rasa)
        first_admin = "" if _has_staff() else (
            "\nNo staff account yet. Create the first admin in another terminal:"
            "\n  .venv/bin/bot users create YOUR-NAME --role admin")
        print(f"\nBrújula is running.\n  Web chat:      http://localhost:{rasa_port}/webhooks/webchat/chat"
              f"\n  Staff console: http://localhost:{console_port}/{first_admin}"
              "\nPress Ctrl+C to stop.\n", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while actions.poll() is None and rasa.poll() is None and console.poll() is None:
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if rasa is not None:
            stop(rasa)
        stop(console)
        stop(actions)

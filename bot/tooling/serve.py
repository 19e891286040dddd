"""`bot serve` (what `make run` ends with): the action server, the Rasa server and the local web chat."""
from __future__ import annotations

import signal
import time

from bot.settings import PROJECT_ROOT
from bot.tooling.model_cache import latest_model
from bot.tooling.processes import start_action_server, start_rasa_server, stop, wait_for_http, write_endpoints


def serve(rasa_port: int = 5005, action_port: int = 5055) -> int:
    model = latest_model()
    var = PROJECT_ROOT / "var"
    var.mkdir(exist_ok=True)
    endpoints = write_endpoints(var / "endpoints.local.yml", action_port)
    actions = start_action_server(action_port)
    rasa = None
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", 120, actions)
        rasa = start_rasa_server(rasa_port, model, endpoints)
        print("Loading the model (about a minute)...", flush=True)
        wait_for_http(f"http://127.0.0.1:{rasa_port}/webhooks/webchat/", 300, rasa)
        print(f"\nBrújula is running. Open http://localhost:{rasa_port}/webhooks/webchat/chat in a browser."
              "\nPress Ctrl+C to stop.\n", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while actions.poll() is None and rasa.poll() is None:
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if rasa is not None:
            stop(rasa)
        stop(actions)

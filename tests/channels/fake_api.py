"""What the fake platform APIs (Twilio, Telegram) share: a threaded local HTTP server, a plan of failures
to answer with, and waiting for messages to arrive."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


def json_reply(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class FakeApi:
    """Subclasses give `handle(handler, method)` and `sent_to(recipient)`; `handle` must read the whole request
    body before answering (a kept-alive connection carries the next request right after it).

    By default the fake closes the connection after every answer, as Python's http.server does (HTTP/1.0);
    `keep_alive = True` keeps connections open for the next request (HTTP/1.1), as the real APIs do."""

    def __init__(self) -> None:
        self.plan: list[str] = []  # next answers to sends: "429", "500", "400", "timeout"; then success
        self.fail_always: str | None = None
        self.timeout_seconds = 3.0
        self.keep_alive = False
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            @property
            def protocol_version(self) -> str:  # read by http.server for every request
                return "HTTP/1.1" if fake.keep_alive else "HTTP/1.0"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):  # noqa: N802 - http.server API
                fake.handle(self)

            def do_POST(self):  # noqa: N802 - http.server API
                fake.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def sent_to(self, recipient) -> list[dict]:  # pragma: no cover - overridden
        raise NotImplementedError

    def next_behaviour(self) -> str | None:
        """The failure to simulate for this send (sleeping first for a timeout), or None for success."""
        with self._lock:
            behaviour = self.plan.pop(0) if self.plan else self.fail_always
        if behaviour == "timeout":
            time.sleep(self.timeout_seconds)
        return behaviour

    def wait_for(self, recipient, count: int, timeout: float = 20.0,
                 describe: Callable[[dict], str] = lambda m: str(m)[:60]) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent_to(recipient)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s) to {recipient}, got "
                             f"{[describe(m) for m in self.sent_to(recipient)]}")

    def reset(self) -> None:
        with self._lock:
            self.plan.clear()
            self.fail_always = None
        self.keep_alive = False

    def close(self) -> None:
        self.server.shutdown()

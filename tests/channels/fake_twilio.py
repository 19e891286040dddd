"""A local stand-in for Twilio's REST API (Messages resource) that records requests and can misbehave.

The real `twilio` Client is pointed at it (TWILIO_API_BASE_URL), so requests are built, authenticated and
parsed by Twilio's own code; only the network peer is ours.
"""
from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict] = []  # accepted sends, in arrival order
        self.attempts = 0
        self.plan: list[str] = []  # next answers: "429", "500", "timeout"; then success
        self.fail_always: str | None = None
        self.timeout_seconds = 3.0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    return self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
                if not self.path.endswith(f"/Accounts/{fake.account_sid}/Messages.json"):
                    return self._reply(404, {"code": 20404, "message": "Not found", "status": 404})
                with fake._lock:
                    fake.attempts += 1
                    behaviour = fake.plan.pop(0) if fake.plan else fake.fail_always
                if behaviour == "timeout":
                    time.sleep(fake.timeout_seconds)
                    return self._reply(503, {"code": 20503, "message": "late", "status": 503})
                if behaviour in ("429", "500", "400"):
                    return self._reply(int(behaviour), {"code": 20429 if behaviour == "429" else 20500,
                                                        "message": "simulated", "status": int(behaviour)})
                sid = "SM" + uuid.uuid4().hex
                with fake._lock:
                    fake.messages.append({**form, "sid": sid})
                return self._reply(201, {"sid": sid, "status": "queued", "to": form.get("To"),
                                         "from": form.get("From"), "body": form.get("Body"),
                                         "account_sid": fake.account_sid})

            def _reply(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, address: str) -> list[dict]:
        with self._lock:
            return [m for m in self.messages if m.get("To") == address]

    def wait_for(self, address: str, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s) to {address}, got {len(self.to(address))}: "
                             f"{[m.get('Body', '')[:60] for m in self.to(address)]}")

    def reset(self) -> None:
        with self._lock:
            self.plan.clear()
            self.fail_always = None

    def close(self) -> None:
        self.server.shutdown()

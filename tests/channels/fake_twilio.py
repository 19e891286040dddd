"""A local stand-in for Twilio's REST API (Messages resource) that records requests and can misbehave.

The real `twilio` Client is pointed at it (TWILIO_API_BASE_URL), so requests are built, authenticated and
parsed by Twilio's own code; only the network peer is ours.
"""
from __future__ import annotations

import base64
import time
import uuid
from urllib.parse import parse_qs

from tests.channels.fake_api import FakeApi, json_reply


class FakeTwilio(FakeApi):
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict] = []  # accepted sends, in arrival order
        self.attempts = 0
        self.reply_delay_seconds = 0.0
        super().__init__()
        self.base_url = self.address

    def handle(self, handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        form = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if handler.headers.get("Authorization") != expected:
            return json_reply(handler, 401, {"code": 20003, "message": "Authenticate", "status": 401})
        if not handler.path.endswith(f"/Accounts/{self.account_sid}/Messages.json"):
            return json_reply(handler, 404, {"code": 20404, "message": "Not found", "status": 404})
        with self._lock:
            self.attempts += 1
        behaviour = self.next_behaviour()
        if behaviour == "timeout":
            return json_reply(handler, 503, {"code": 20503, "message": "late", "status": 503})
        if behaviour in ("429", "500", "400"):
            return json_reply(handler, int(behaviour), {"code": 20429 if behaviour == "429" else 20500,
                                                        "message": "simulated", "status": int(behaviour)})
        sid = "SM" + uuid.uuid4().hex
        with self._lock:
            self.messages.append({**form, "sid": sid})
        time.sleep(self.reply_delay_seconds)  # accepted, answered late: a send given up now was sent all the same
        json_reply(handler, 201, {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From"),
                                  "body": form.get("Body"), "account_sid": self.account_sid})

    def sent_to(self, address: str) -> list[dict]:
        with self._lock:
            return [m for m in self.messages if m.get("To") == address]

    to = sent_to

    def wait_for(self, address: str, count: int, timeout: float = 20.0, describe=None) -> list[dict]:
        return super().wait_for(address, count, timeout, describe or (lambda m: m.get("Body", "")[:60]))

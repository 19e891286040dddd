"""A local stand-in for the Telegram Bot API that records calls and can answer 429 (retry_after), 500 or
time out. PTB's own `Bot` is pointed at it with `base_url`."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTelegram:
    def __init__(self, token: str):
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.plan: list[str] = []  # for send methods: "429", "500", "timeout"
        self.fail_always: str | None = None
        self.timeout_seconds = 3.0
        self.pending_updates: list[dict] = []  # returned once by getUpdates
        self._message_id = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                self.do_POST()

            def do_POST(self):  # noqa: N802
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    return self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                method = self.path[len(prefix):].split("?")[0]
                params = self._params()
                if method in ("sendMessage", "sendPhoto"):
                    with fake._lock:
                        behaviour = fake.plan.pop(0) if fake.plan else fake.fail_always
                    if behaviour == "timeout":
                        time.sleep(fake.timeout_seconds)
                        return self._reply(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
                    if behaviour == "429":
                        return self._reply(429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 1},
                                                 "description": "Too Many Requests: retry after 1"})
                    if behaviour == "500":
                        return self._reply(500, {"ok": False, "error_code": 500, "description": "Internal error"})
                with fake._lock:
                    fake.calls.append((method, params))
                    fake._message_id += 1
                    message_id = fake._message_id
                if method in ("sendMessage", "sendPhoto"):
                    chat_id = int(params["chat_id"])
                    result = {"message_id": message_id, "date": int(time.time()),
                              "chat": {"id": chat_id, "type": "private"}, "text": params.get("text", "")}
                elif method == "getMe":
                    result = {"id": 1, "is_bot": True, "first_name": "Brujula", "username": "brujula_test_bot"}
                elif method == "getUpdates":
                    with fake._lock:
                        result, fake.pending_updates = fake.pending_updates, []
                else:
                    result = True
                return self._reply(200, {"ok": True, "result": result})

            def _params(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    return json.loads(raw or "{}")
                params = {k: v[0] for k, v in parse_qs(raw).items()}
                for key in ("reply_markup", "allowed_updates"):
                    if key in params:
                        params[key] = json.loads(params[key])
                return params

            def _reply(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/bot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sent_to(self, chat_id: int) -> list[dict]:
        with self._lock:
            return [p for m, p in self.calls if m in ("sendMessage", "sendPhoto") and int(p["chat_id"]) == chat_id]

    def answered_callbacks(self) -> list[str]:
        with self._lock:
            return [p["callback_query_id"] for m, p in self.calls if m == "answerCallbackQuery"]

    def wait_for(self, chat_id: int, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent_to(chat_id)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s) to {chat_id}, got "
                             f"{[m.get('text', '')[:50] for m in self.sent_to(chat_id)]}")

    def reset(self) -> None:
        with self._lock:
            self.plan.clear()
            self.fail_always = None

    def close(self) -> None:
        self.server.shutdown()

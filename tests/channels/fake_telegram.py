"""A local stand-in for the Telegram Bot API that records calls and can answer 400, 429 (retry_after), 500 or
time out. PTB's own `Bot` is pointed at it with `base_url`."""
from __future__ import annotations

import json
import time
from email.parser import BytesParser
from email.policy import default as default_policy
from urllib.parse import parse_qs

from tests.channels.fake_api import FakeApi, json_reply

SEND_METHODS = ("sendMessage", "sendPhoto", "sendVoice")


class FakeTelegram(FakeApi):
    def __init__(self, token: str):
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.pending_updates: list[dict] = []  # returned once by getUpdates
        self.attempts = 0  # sendMessage / sendPhoto / sendVoice requests, answered or refused
        self._message_id = 0
        super().__init__()
        self.base_url = f"{self.address}/bot"

    def handle(self, handler) -> None:
        params = self._params(handler)
        prefix = f"/bot{self.token}/"
        if not handler.path.startswith(prefix):
            return json_reply(handler, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = handler.path[len(prefix):].split("?")[0]
        if method in SEND_METHODS:
            with self._lock:
                self.attempts += 1
            behaviour = self.next_behaviour()
            if behaviour == "timeout":
                return json_reply(handler, 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
            if behaviour == "429":
                return json_reply(handler, 429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 1},
                                                 "description": "Too Many Requests: retry after 1"})
            if behaviour == "400":
                return json_reply(handler, 400, {"ok": False, "error_code": 400,
                                                 "description": "Bad Request: chat not found"})
            if behaviour == "500":
                return json_reply(handler, 500, {"ok": False, "error_code": 500, "description": "Internal error"})
        with self._lock:
            self.calls.append((method, params))
            self._message_id += 1
            message_id = self._message_id
        if method in SEND_METHODS:
            result = {"message_id": message_id, "date": int(time.time()),
                      "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params.get("text", "")}
        elif method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Brujula", "username": "brujula_test_bot"}
        elif method == "getUpdates":
            with self._lock:
                result, self.pending_updates = self.pending_updates, []
        else:
            result = True
        json_reply(handler, 200, {"ok": True, "result": result})

    @staticmethod
    def _params(handler) -> dict:
        length = int(handler.headers.get("Content-Length") or 0)
        content_type = handler.headers.get("Content-Type") or ""
        if content_type.startswith("multipart/form-data"):  # a file upload (sendVoice): files as bytes
            return FakeTelegram._multipart(content_type, handler.rfile.read(length))
        raw = handler.rfile.read(length).decode() if length else ""
        if "json" in content_type:
            return json.loads(raw or "{}")
        params = {k: v[0] for k, v in parse_qs(raw).items()}
        for key in ("reply_markup", "allowed_updates"):
            if key in params:
                params[key] = json.loads(params[key])
        return params

    @staticmethod
    def _multipart(content_type: str, body: bytes) -> dict:
        message = BytesParser(policy=default_policy).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        params: dict = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            value = part.get_payload(decode=True) or b""
            params[name] = value if part.get_filename() else value.decode()
        if "reply_markup" in params:
            params["reply_markup"] = json.loads(params["reply_markup"])
        return params

    def sent_to(self, chat_id: int) -> list[dict]:
        with self._lock:
            return [p for m, p in self.calls if m in SEND_METHODS and int(p["chat_id"]) == chat_id]

    def answered_callbacks(self) -> list[str]:
        with self._lock:
            return [p["callback_query_id"] for m, p in self.calls if m == "answerCallbackQuery"]

    def wait_for(self, chat_id: int, count: int, timeout: float = 20.0, describe=None) -> list[dict]:
        return super().wait_for(chat_id, count, timeout, describe or (lambda m: m.get("text", "")[:50]))

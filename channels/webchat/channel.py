"""Local web chat: a page served by the Rasa server itself, so a newcomer needs no Twilio or Telegram account.

    GET  /webhooks/webchat/          health
    GET  /webhooks/webchat/chat      the chat page
    POST /webhooks/webchat/session   a new conversation: {"sender", "token"}
    POST /webhooks/webchat/webhook   {"sender", "token", "message"} -> the bot's messages (an audio answer as
                                     "audio": a signed link under /webhooks/audio/, played by the page)
    GET  /webhooks/webchat/updates   headers X-Webchat-Sender, X-Webchat-Token -> messages that were not answers
                                     to the page's own requests (a caseworker's reply, a notice), oldest first

The caller is authenticated: `token` is an HMAC of `sender` with WEBCHAT_SECRET, issued only by /session,
so nobody can post into another person's conversation, or read its messages, without its token. The page polls
/updates every few seconds while it is open; a message it has fetched is marked sent in the outbox.

Bodies are checked before any other use: a body over 2 MiB gets 413; one that is not a JSON object, a sender or
token that is not a string, or a message that is not text (a whole number is taken as its digits), 400; a sender
or token that is missing, not of the form /session issues or not matching, 403. Each with a short reason.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.audio import messages as audio_messages
from bot.audio.signing import signed_path
from bot.language import text as interface_text
from bot.messaging.store import ChannelStore
from bot.messaging.text_input import clean_text
from bot.settings import get_settings
from channels.base import BrujulaChannel, privacy_answer, reply_language
from channels.metrics import time_replies

logger = logging.getLogger(__name__)
PAGE = Path(__file__).parent / "static" / "chat.html"
CHANNEL = "webchat"
UPDATES_LIMIT = 20  # messages handed over per poll; the next poll takes the rest
MAX_BODY_BYTES = 2 * 1024 * 1024  # a message is cut to 1,000 characters anyway; this bounds the parsing
# What /session issues ("web-" and 24 hex digits) and sign() returns; older or hand-made senders keep to ASCII.
_SENDER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOKEN = re.compile(r"[0-9a-f]{64}")


def sign(sender: str, secret: Optional[str] = None) -> str:
    key = (secret or get_settings().webchat_secret).encode()
    return hmac.new(key, sender.encode(), hashlib.sha256).hexdigest()


def valid_token(sender: Any, token: Any, secret: Optional[str] = None) -> bool:
    """Whether `token` is the signature of `sender`. Both are checked for type and form first: signing and the
    constant-time comparison only ever see ASCII."""
    if not isinstance(sender, str) or not isinstance(token, str):
        return False
    if not _SENDER.fullmatch(sender) or not _TOKEN.fullmatch(token):
        return False
    return hmac.compare_digest(sign(sender, secret), token)


def message_text(message: Any) -> Optional[str]:
    """The message as text: a string, a whole number's digits, "" when absent; None for any other type."""
    if message is None or isinstance(message, str):
        return clean_text(message)
    if isinstance(message, int) and not isinstance(message, bool):
        return clean_text(str(message))
    return None


def bad_request(reason: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


def take_updates(store: ChannelStore, sender: str, limit: int = UPDATES_LIMIT) -> list[dict]:
    """The person's waiting web chat messages, oldest first, each taken once (claimed, then marked sent)."""
    taken: list[dict] = []
    while len(taken) < limit:
        row = store.claim_next(sender)
        if row is None:
            break
        if row.channel != CHANNEL:  # never this person's: put it back for its own channel
            store.release([row.id])
            break
        store.mark_sent(row.id, None)
        message: dict[str, Any] = {"recipient_id": sender, "text": row.body}
        if row.media_url:
            message["image"] = row.media_url
        taken.append(message)
    return taken


class WebChatInput(BrujulaChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_webhook", __name__)
        time_replies(webchat, CHANNEL, replies_in_response=True)  # every answer to /webhook is the reply

        @webchat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webchat.route("/chat", methods=["GET"])
        async def page(_: Request) -> HTTPResponse:
            return response.html(PAGE.read_text(encoding="utf-8"))

        @webchat.route("/session", methods=["POST"])
        async def session(_: Request) -> HTTPResponse:
            sender = f"web-{secrets.token_hex(12)}"
            return response.json({"sender": sender, "token": sign(sender)})

        @webchat.route("/updates", methods=["GET"])
        async def updates(request: Request) -> HTTPResponse:
            sender = request.headers.get("X-Webchat-Sender")
            if not valid_token(sender, request.headers.get("X-Webchat-Token")):
                return bad_request("invalid sender token", 403)
            messages = await asyncio.to_thread(take_updates, ChannelStore(), sender)
            return response.json(messages, headers={"Cache-Control": "no-store"})

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return bad_request("body too large", 413)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - malformed JSON or UTF-8 is the caller's error
                return bad_request("body must be JSON")
            if not isinstance(body, dict):
                return bad_request("body must be a JSON object")
            sender, token = body.get("sender"), body.get("token")
            if not all(value is None or isinstance(value, str) for value in (sender, token)):
                return bad_request("sender and token must be strings")
            text = message_text(body.get("message"))
            if text is None:
                return bad_request("message must be text")
            if not valid_token(sender, token):
                return bad_request("invalid sender token", 403)
            # "borrar mis datos", "mis datos", "privacidad": answered here, before Rasa (channels/base.py).
            answer = await privacy_answer(request.app, sender, text)
            if answer is not None:
                return response.json(answer)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), metadata={})
                )
            except Exception:  # noqa: BLE001 - never leave the person without a reply
                logger.exception("could not process a web chat message")
                apology = interface_text("error_try_again", reply_language(text))
                return response.json([{"recipient_id": sender, "text": apology}], status=200)
            return response.json(with_audio_links(collector.messages))

        return webchat


def with_audio_links(messages: list[dict]) -> list[dict]:
    """Audio answers as a signed link the page plays (`audio`), in place of the store's key. Rasa sends an
    utterance's attachment as a message of its own after the words and options; it goes back on that message, so
    the page shows the player under the words, before the options the voice reads out."""
    shown: list[dict] = []
    for message in messages:
        key = audio_messages.audio_key(message)
        if key:
            message = {k: v for k, v in message.items() if k != "attachment"}
            message["audio"] = signed_path(key)
            if not message.get("text") and shown and "audio" not in shown[-1]:
                shown[-1]["audio"] = message["audio"]
                continue
        shown.append(message)
    return shown

"""Messages received and reply time, per channel (brujula_messages_received, brujula_reply_seconds).

The clock starts when a person's message reaches a channel's `POST .../webhook` (`time_replies` adds the middleware
to the channel's blueprint) and stops when the reply is handed over:

- in the webhook's own response: the web chat always; WhatsApp and Telegram when the database is away and they
  answer inline (`OutboxChannel.ask_rasa` calls `message_taken`);
- when the background work of the message ends (`OutboxChannel.in_background` calls `replied_after`): the reply went
  to the platform, or to the outbox's retries.

Webhook calls that carry no message to process (refused, duplicates, updates that are not a conversation) count
for neither. The receipt travels in a context variable, which the background task copies when it is created.
"""
from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Awaitable, Optional

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.observability.metrics import MESSAGES_RECEIVED, REPLY_SECONDS


@dataclass
class Receipt:
    """One person's message, from the webhook call that brought it to its reply."""

    channel: str
    received_at: float  # time.monotonic()
    taken: bool = False  # counted as received
    in_background: bool = False  # the reply is sent after the webhook's response
    handed_over: bool = False

    def take(self) -> None:
        if not self.taken:
            self.taken = True
            MESSAGES_RECEIVED.labels(self.channel).inc()

    def reply_handed_over(self) -> None:
        if self.taken and not self.handed_over:
            self.handed_over = True
            REPLY_SECONDS.labels(self.channel).observe(time.monotonic() - self.received_at)


_receipt: ContextVar[Optional[Receipt]] = ContextVar("brujula_receipt", default=None)


def message_taken() -> None:
    """The message of this request is being answered (counted once, whichever path answers it)."""
    receipt = _receipt.get()
    if receipt is not None:
        receipt.take()


def replied_after(coroutine: Awaitable[Any]) -> Awaitable[Any]:
    """The background work of this request's message: the reply is handed over when it ends without an error."""
    receipt = _receipt.get()
    if receipt is None:
        return coroutine
    receipt.take()
    receipt.in_background = True

    async def then_handed_over() -> Any:
        result = await coroutine
        receipt.reply_handed_over()
        return result

    return then_handed_over()


def time_replies(blueprint: Blueprint, channel: str, replies_in_response: bool) -> None:
    """Count and time the messages posted to this blueprint's /webhook. `replies_in_response`: every successful
    response of the webhook is the reply (the web chat)."""

    @blueprint.middleware("request")
    async def message_arrived(request: Request) -> None:
        is_message = request.method == "POST" and request.path.rstrip("/").endswith("/webhook")
        _receipt.set(Receipt(channel, time.monotonic()) if is_message else None)

    @blueprint.middleware("response")
    async def response_sent(_request: Request, response: HTTPResponse) -> None:
        receipt = _receipt.get()
        if receipt is None or response.status >= 400 or receipt.in_background:
            return
        if replies_in_response:
            receipt.take()
        receipt.reply_handed_over()

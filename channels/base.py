"""Bases for Brújula's channels.

`BrujulaChannel`: every channel validates the settings once when the Rasa server creates it, so a bad
configuration stops the server at start with a one-line reason.

`OutboxChannel` (WhatsApp, Telegram): answers the platform at once and sends the assistant's replies through
the outbox in the background. A subclass says how to send one reply (`new_sender`), how Rasa's messages
become outbox parts (`render`) and whether it is configured; this class runs Rasa, queues and delivers, and
keeps the retry loop alive (started with the server, so replies left by an earlier run go out too).
"""
from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.language import SUPPORTED, detect_language, text
from bot.messaging.conversations import delete_conversation
from bot.messaging.delivery import Deliverer, SendFunction
from bot.messaging.store import ChannelStore
from bot.settings import Settings, get_settings, validate_at_start

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]



class BrujulaChannel(InputChannel):
    """An input channel whose creation (at Rasa server start) validates the settings."""

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "BrujulaChannel":
        validate_at_start("rasa server")
        return cls()


def reply_language(sender_text: str) -> str:
    """The language to apologise in when the assistant could not say: the message's, else the default."""
    return detect_language(sender_text) or get_settings().default_language


class OutboxChannel(BrujulaChannel, abc.ABC):
    #: How the person gets back to the menu on this channel (named in the apology when Rasa itself fails).
    menu_word = "menu"

    def __init__(self) -> None:
        self._deliverer: Optional[Deliverer] = None
        self._retry_task: Optional[asyncio.Task] = None
        self._tasks: set[asyncio.Task] = set()

    @abc.abstractmethod
    def configured(self, settings: Settings) -> bool:
        """Whether the platform's credentials are set."""

    @abc.abstractmethod
    def new_sender(self, settings: Settings, store: ChannelStore) -> SendFunction:
        """The coroutine that sends one outbox row and returns the platform's message id."""

    @abc.abstractmethod
    def render(self, messages: list[dict]) -> list[dict]:
        """Rasa's messages as outbox parts (body, buttons, media_url)."""

    def deliverer(self) -> Deliverer:
        if self._deliverer is None:
            settings = get_settings()
            store = ChannelStore()
            self._deliverer = Deliverer(store, self.new_sender(settings, store), self.name(), settings.send_attempts,
                                        settings.send_backoff_seconds, settings.outbox_retry_interval_seconds)
        return self._deliverer

    @property
    def store(self) -> ChannelStore:
        return self.deliverer().store

    def ensure_retry_loop(self) -> None:
        if self._retry_task is None or self._retry_task.done():
            self._retry_task = asyncio.ensure_future(self.deliverer().run_forever())

    def in_background(self, coroutine: Awaitable) -> None:
        """Run after the platform has its answer; failures are logged, never lost silently."""
        async def logged() -> None:
            try:
                await coroutine
            except Exception:  # noqa: BLE001
                logger.exception("%s message handling failed", self.name())

        task = asyncio.ensure_future(logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def ask_rasa(self, on_new_message: OnNewMessage, sender_id: str, text: str,
                       metadata: Optional[dict] = None) -> list[dict]:
        """What the assistant answers to this message (an apology if Rasa itself failed)."""
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                             metadata=metadata or None))
            return collector.messages
        except Exception:  # noqa: BLE001 - the person must still get an answer
            logger.exception("%s message could not be processed", self.name())
            return [{"text": self.error_text(reply_language(text))}]

    def error_text(self, lang: str) -> str:
        """Sent when Rasa itself fails, so the person is never left without an answer."""
        return text("error_start_again", lang, menu=self.menu_word)

    async def reply(self, on_new_message: OnNewMessage, sender_id: str, text: str,
                    metadata: Optional[dict] = None) -> None:
        """Hand the message to Rasa, then queue and send what it answered."""
        messages = await self.ask_rasa(on_new_message, sender_id, text, metadata)
        parts = self.render(messages)
        if parts:
            await asyncio.to_thread(self.store.enqueue, self.name(), sender_id, parts)
        await self.deliverer().deliver(sender_id)

    async def forget_person(self, request: Request, sender_id: str, language_hint: Optional[str] = None) -> str:
        """Delete the person's contact (address, queued replies) and conversation (tracker store).
        Returns the language to confirm in: the conversation's, else the hint, else the default.

        The contact goes first, so a failure in Rasa's tracker store can never leave the number behind."""
        hint = (language_hint or "")[:2].lower()
        lang = hint if hint in SUPPORTED else get_settings().default_language
        agent = getattr(request.app.ctx, "agent", None)
        try:
            if agent is not None and agent.tracker_store is not None:
                tracker = await agent.tracker_store.retrieve(sender_id)
                if tracker is not None and tracker.get_slot("language") in SUPPORTED:
                    lang = tracker.get_slot("language")
        finally:
            await asyncio.to_thread(self.store.forget, sender_id)
        if agent is not None and agent.tracker_store is not None:
            await delete_conversation(agent.tracker_store, sender_id)
        return lang

    def base_blueprint(self) -> Blueprint:
        """A blueprint with the health route and the retry loop started with the server."""
        blueprint = Blueprint(f"{self.name()}_webhook", __name__)

        @blueprint.listener("after_server_start")
        async def start_retry_loop(_app, _loop) -> None:
            if self.configured(get_settings()):
                self.ensure_retry_loop()

        @blueprint.listener("before_server_stop")
        async def stop_sending(_app, _loop) -> None:
            if self._deliverer is None:
                return
            sending = self._deliverer.in_flight()  # before cancelling: cancelled sends forget their rows
            for task in [self._retry_task, *self._tasks]:
                if task is not None:
                    task.cancel()
            # Replies cut off mid-send go back to pending, so the next start sends them at once.
            released = await asyncio.to_thread(self._deliverer.store.release, sending)
            if released:
                logger.info("%s: %d reply(ies) put back in the outbox for the next start", self.name(), released)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured(get_settings())})

        return blueprint

"""Base for messaging channels (WhatsApp, Telegram) that answer the platform at once and send the
assistant's replies through the outbox in the background.

A subclass says how to send one reply (`new_sender`), how Rasa's messages become outbox parts (`render`)
and whether it is configured; this class runs Rasa, stores the options shown, queues and delivers, and keeps
the retry loop alive (started with the server, so replies left by an earlier run go out too).
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

from bot.channel_store import ChannelStore
from bot.settings import Settings, get_settings
from channels.conversations import delete_conversation
from channels.delivery import Deliverer, SendFunction

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

DELETED = {
    "es": "Listo. Borré sus datos: la conversación y su contacto. Si vuelve a escribir, empezamos de cero.",
    "en": "Done. I deleted your data: the conversation and your contact. If you write again, we start from zero.",
}


class OutboxChannel(InputChannel, abc.ABC):
    #: Sent when Rasa itself fails, so the person is never left without an answer.
    error_text = "Lo siento, hubo un error. Escriba 'menu' para empezar de nuevo."

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
    def render(self, messages: list[dict]) -> tuple[list[dict], list[dict]]:
        """Rasa's messages as outbox parts, and the options shown last (title, payload...)."""

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
            return [{"text": self.error_text}]

    async def reply(self, on_new_message: OnNewMessage, sender_id: str, text: str,
                    metadata: Optional[dict] = None) -> None:
        """Hand the message to Rasa, then queue and send what it answered."""
        messages = await self.ask_rasa(on_new_message, sender_id, text, metadata)
        parts, options = self.render(messages)
        if options:
            await asyncio.to_thread(self.store.set_last_options, sender_id, options)
        if parts:
            await asyncio.to_thread(self.store.enqueue, self.name(), sender_id, parts)
        await self.deliverer().deliver(sender_id)

    async def forget_person(self, request: Request, sender_id: str, language_hint: Optional[str] = None) -> str:
        """Delete the person's conversation (tracker store) and contact (address, queued replies).
        Returns the language to confirm in: the conversation's, else the hint, else Spanish."""
        agent = getattr(request.app.ctx, "agent", None)
        lang = "en" if (language_hint or "").startswith("en") else "es"
        if agent is not None and agent.tracker_store is not None:
            tracker = await agent.tracker_store.retrieve(sender_id)
            if tracker is not None and tracker.get_slot("language") in ("es", "en"):
                lang = tracker.get_slot("language")
            await delete_conversation(agent.tracker_store, sender_id)
        await asyncio.to_thread(self.store.forget, sender_id)
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

"""Bases for Brújula's channels.

`BrujulaChannel`: every channel validates the settings once when the Rasa server creates it, so a bad
configuration stops the server at start with a one-line reason.

`OutboxChannel` (WhatsApp, Telegram): answers the platform at once and sends the assistant's replies through
the outbox in the background. A subclass says how to send one reply (`new_sender`), how Rasa's messages
become outbox parts (`render`) and whether it is configured; this class runs Rasa, queues and delivers, and
keeps the retry loop alive (started with the server, so replies left by an earlier run go out too).

Privacy on every channel (bot/privacy_ops.py): the exact messages "privacidad", "mis datos" and "borrar mis
datos" (and their English and /command forms) are answered here, before Rasa, so they need no training and
are never stored in the conversation; `privacy_answer` does the same for the web chat. A person's first
message on a channel shows the one-line consent notice unless the reply already has the privacy line. The
server runs the retention job (`retention_run`) at start and once a day.
"""
from __future__ import annotations

import abc
import asyncio
import datetime as dt
import logging
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.language import SUPPORTED, detect_language, text
from bot.messaging.delivery import Deliverer, SendFunction
from bot.messaging.store import ChannelStore, Inbound
from bot.observability.logs import configure_logging
from bot.privacy_ops import (
    DELETE,
    NOTICE,
    delete_person,
    person_summary,
    privacy_command,
    privacy_notice,
    retention_run,
)
from bot.settings import Settings, get_settings, validate_at_start
from bot.tooling import rasa_runtime
from channels.metrics import message_taken, replied_after, time_replies

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
BUSY_RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0)  # waits before asking Rasa again when the conversation's lock lapsed
RETENTION_EVERY_SECONDS = 24 * 60 * 60
_retention_task: Optional[asyncio.Task] = None


def consent_line(lang: str) -> str:
    """The one-line consent notice (with the commands for the full notice and for deleting)."""
    return text("consent", lang, days=str(get_settings().retention_days))


def with_consent(messages: list[dict], lang: str) -> list[dict]:
    """The reply to a first message with the consent line added to its first text, unless it already shows the
    privacy line (the greeting does)."""
    codes = dict.fromkeys((*SUPPORTED, lang))  # the person's language may be one staff added (bot.content.interface)
    shown = [text("privacy", code) for code in codes] + [consent_line(code) for code in codes]
    if any(line in (m.get("text") or "") for m in messages for line in shown):
        return messages
    messages = [dict(m) for m in messages]
    for message in messages:
        if message.get("text"):
            message["text"] = f"{message['text']}\n\n{consent_line(lang)}"
            return messages
    return [{"text": consent_line(lang)}, *messages]


def _tracker_store(app: Any) -> Any:
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
    return getattr(agent, "tracker_store", None) if agent is not None else None


async def conversation_language(app: Any, sender_id: str, hint: Optional[str] = None) -> str:
    """The conversation's language slot, else the hint (a command's language, Telegram's language_code), else
    the default."""
    store = _tracker_store(app)
    if store is not None:
        try:
            tracker = await store.retrieve(sender_id)
            chosen = tracker.get_slot("language") if tracker is not None else None
            if isinstance(chosen, str) and chosen:  # any language: its texts fall back to Spanish where missing
                return chosen
        except Exception as error:  # noqa: BLE001 - the language is a nicety; the answer still goes out
            logger.warning("could not read the conversation's language: %s", type(error).__name__)
    hint = (hint or "")[:2].lower()
    return hint if hint in SUPPORTED else get_settings().default_language


async def privacy_answer(app: Any, sender_id: str, message: str) -> Optional[list[dict]]:
    """For channels that answer in the request (the web chat): the reply to a privacy command, after doing
    what it asks ("borrar" deletes everything about the person first); None when the message is not one."""
    command = privacy_command(message)
    if command is None:
        return None
    action, hint = command
    lang = await conversation_language(app, sender_id, hint)
    store = _tracker_store(app)
    if action == DELETE:
        await asyncio.to_thread(delete_person, sender_id, store)
        body = text("data_deleted_all", lang)
    elif action == NOTICE:
        body = privacy_notice(lang)
    else:
        body = await asyncio.to_thread(person_summary, sender_id, store, lang)
    return [{"recipient_id": sender_id, "text": body}]


async def _retention_forever(app: Any) -> None:
    """Run the retention job now and then once a day (safe in several processes: it is idempotent)."""
    while True:
        try:
            await asyncio.to_thread(retention_run, None, _tracker_store(app))
        except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
            logger.exception("retention run failed")
        await asyncio.sleep(RETENTION_EVERY_SECONDS)


def ensure_retention_job(app: Any) -> None:
    """Start the daily retention job of this server process (once, whichever channel asks first)."""
    global _retention_task
    if _retention_task is None or _retention_task.done():
        _retention_task = asyncio.ensure_future(_retention_forever(app))



class BrujulaChannel(InputChannel):
    """An input channel whose creation (at Rasa server start) validates the settings."""

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "BrujulaChannel":
        validate_at_start("rasa server")
        # Replaces the coloured handler `rasa run` installed; keeps Rasa's processor and policies at INFO at most
        # (their DEBUG lines carry what people write).
        configure_logging("rasa")
        rasa_runtime.apply()  # per-message costs removed from Rasa itself (bot/tooling/rasa_runtime.py)
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
        self._app: Any = None  # the Sanic app, set at server start (its ctx holds Rasa's agent)
        self._inbound_in_flight: set[str] = set()  # messages this process is answering now
        self._recovery_task: Optional[asyncio.Task] = None

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
            self._deliverer = Deliverer.from_settings(store, self.new_sender(settings, store), self.name(), settings)
        return self._deliverer

    @property
    def store(self) -> ChannelStore:
        return self.deliverer().store

    def ensure_retry_loop(self) -> None:
        if self._retry_task is None or self._retry_task.done():
            self._retry_task = asyncio.ensure_future(self.deliverer().run_forever())

    def in_background(self, coroutine: Awaitable) -> None:
        """Run after the platform has its answer; failures are logged, never lost silently. The message's reply
        is handed over when this ends (channels/metrics.py)."""
        coroutine = replied_after(coroutine)

        async def logged() -> None:
            try:
                await coroutine
            except Exception:  # noqa: BLE001
                logger.exception("%s message handling failed", self.name())

        task = asyncio.ensure_future(logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def ask_rasa(self, on_new_message: OnNewMessage, sender_id: str, text: str,
                       metadata: Optional[dict] = None, message_id: Optional[str] = None) -> list[dict]:
        """What the assistant answers to this message (an apology if Rasa itself failed). `message_id` (the
        platform's) is kept on the user event, so a message taken over after a crash is not processed twice."""
        message_taken()
        collector = CollectingOutputChannel()
        try:
            for wait in (*BUSY_RETRY_SECONDS, None):
                try:
                    await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                                     metadata=metadata or None, message_id=message_id))
                    break
                except LockError:
                    # Messages of this conversation queued longer than Rasa's lock lifetime: the lock lapsed before
                    # this one's turn. Nothing was processed, so it is safe to ask again.
                    if wait is None:
                        raise
                    logger.warning("%s: conversation busy; asking Rasa again in %.0f s", self.name(), wait)
                    await asyncio.sleep(wait)
            return collector.messages
        except Exception:  # noqa: BLE001 - the person must still get an answer
            logger.exception("%s message could not be processed", self.name())
            return [{"text": self.error_text(reply_language(text))}]

    def error_text(self, lang: str) -> str:
        """Sent when Rasa itself fails, so the person is never left without an answer."""
        return text("error_start_again", lang, menu=self.menu_word)

    async def take(self, on_new_message: OnNewMessage, external_id: str, sender_id: str, text: str,
                   metadata: Optional[dict] = None, first_contact: bool = False) -> bool:
        """Keep the message (durably, until answered), then answer it in the background. False for a redelivery
        (already taken). Raises SQLAlchemyError when our database is away (the caller answers inline)."""
        if not await asyncio.to_thread(self.store.record_inbound, self.name(), external_id, sender_id, text,
                                       metadata, first_contact):
            return False
        self.in_background(self.reply(on_new_message, sender_id, text, metadata, first_contact, external_id))
        return True

    async def reply(self, on_new_message: OnNewMessage, sender_id: str, text: str,
                    metadata: Optional[dict] = None, first_contact: bool = False,
                    inbound: Optional[str] = None) -> None:
        """Hand the message to Rasa, then queue and send what it answered. Privacy commands are answered here
        instead; a first contact's reply carries the consent line. `inbound`: the platform id of the message,
        marked answered when its replies are queued."""
        if inbound is not None:
            self._inbound_in_flight.add(inbound)
        try:
            if privacy_command(text) is not None:
                await self.privacy_reply(sender_id, text, inbound)
                return
            messages = await self.ask_rasa(on_new_message, sender_id, text, metadata, self.message_id(inbound))
            if first_contact and messages:
                messages = with_consent(messages, await conversation_language(self._app, sender_id,
                                                                              detect_language(text)))
            await asyncio.to_thread(self.store.enqueue, self.name(), sender_id, self.render(messages), inbound)
        finally:
            self._inbound_in_flight.discard(inbound)
        await self.deliverer().deliver(sender_id)

    def message_id(self, inbound: Optional[str]) -> Optional[str]:
        return f"{self.name()}:{inbound}" if inbound is not None else None

    async def recover_inbound(self) -> int:
        """Answer the messages another process acknowledged and never answered (it died): each is taken by one
        server. If Rasa had already processed it (its user event is in the tracker), the replies it gave then are
        queued from the tracker instead of processing it twice. Returns how many were taken."""
        settings = get_settings()
        taken = await asyncio.to_thread(self.store.claim_stale_inbound, self.name(),
                                        dt.timedelta(seconds=settings.inbound_reclaim_seconds))
        for message in taken:
            logger.warning("%s: taking over a message left unanswered by a stopped process", self.name())
            self.in_background(self._answer_taken_over(message))
        return len(taken)

    async def _answer_taken_over(self, message: Inbound) -> None:
        answered = await self._answers_in_tracker(message.sender_id, self.message_id(message.external_id))
        if answered is None:
            await self.reply(self._on_new_message, message.sender_id, message.text, message.metadata,
                             message.first_contact, message.external_id)
            return
        await asyncio.to_thread(self.store.enqueue, self.name(), message.sender_id, self.render(answered),
                                message.external_id)
        await self.deliverer().deliver(message.sender_id)

    async def _answers_in_tracker(self, sender_id: str, message_id: Optional[str]) -> Optional[list[dict]]:
        """The bot messages that followed this user message in the tracker, or None if it is not there."""
        tracker = await _tracker_store(self._app).retrieve(sender_id)
        answers: Optional[list[dict]] = None
        for event in tracker.events if tracker is not None else ():
            if isinstance(event, UserUttered):
                if answers is not None:
                    break
                if event.message_id == message_id:
                    answers = []
            elif isinstance(event, BotUttered) and answers is not None:
                answers.append({"text": event.text, **{k: v for k, v in (event.data or {}).items() if v}})
        return answers

    async def _on_new_message(self, message: UserMessage) -> None:
        """What Rasa's channel registration hands the webhooks, for messages taken over outside a request."""
        await self._app.ctx.agent.handle_message(message)

    async def _recover_forever(self) -> None:
        interval = get_settings().inbound_check_seconds
        while True:
            try:
                await self.recover_inbound()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - e.g. the database is away: try again next time
                logger.warning("%s: could not look for unanswered messages", self.name(), exc_info=True)
            await asyncio.sleep(interval)

    async def privacy_reply(self, sender_id: str, message: str, inbound: Optional[str] = None) -> None:
        """Answer a privacy command through the outbox. "borrar" deletes everything about the person, sends the
        confirmation, then forgets the contact and the confirmation too (even if a step failed)."""
        action, hint = privacy_command(message) or (NOTICE, None)
        lang = await conversation_language(self._app, sender_id, hint)
        store = _tracker_store(self._app)
        if action != DELETE:
            body = (privacy_notice(lang) if action == NOTICE
                    else await asyncio.to_thread(person_summary, sender_id, store, lang))
            await asyncio.to_thread(self.store.enqueue, self.name(), sender_id, self.render([{"text": body}]),
                                    inbound)
            await self.deliverer().deliver(sender_id)
            return
        try:
            await asyncio.to_thread(delete_person, sender_id, store, None, True)
            parts = self.render([{"text": text("data_deleted_all", lang)}])
            await asyncio.to_thread(self.store.enqueue, self.name(), sender_id, parts)
            await self.deliverer().deliver(sender_id)
        finally:
            await asyncio.to_thread(self.store.forget, sender_id)

    async def forget_person(self, request: Request, sender_id: str, language_hint: Optional[str] = None) -> str:
        """Delete everything about the person (bot.privacy_ops.delete_person: conversation, cases, outbox,
        unanswered questions, contact). Returns the language to confirm in: the conversation's, else the hint,
        else the default. The database part is deleted even if Rasa's tracker store fails."""
        lang = await conversation_language(request.app, sender_id, language_hint)
        await asyncio.to_thread(delete_person, sender_id, _tracker_store(request.app))
        return lang

    def base_blueprint(self) -> Blueprint:
        """A blueprint with the health route, the retry loop started with the server, and the webhook's messages
        counted and timed (channels/metrics.py)."""
        blueprint = Blueprint(f"{self.name()}_webhook", __name__)
        time_replies(blueprint, self.name(), replies_in_response=False)

        @blueprint.listener("after_server_start")
        async def start_retry_loop(app, _loop) -> None:
            self._app = app
            ensure_retention_job(app)
            if self.configured(get_settings()):
                self.ensure_retry_loop()
                self._recovery_task = asyncio.ensure_future(self._recover_forever())

        @blueprint.listener("before_server_stop")
        async def stop_sending(_app, _loop) -> None:
            if self._deliverer is None:
                return
            sending = self._deliverer.in_flight()  # before cancelling: cancelled sends forget their rows
            answering = list(self._inbound_in_flight)
            for task in [self._retry_task, self._recovery_task, *self._tasks]:
                if task is not None:
                    task.cancel()
            # Messages cut off mid-answer are handed to the other servers (or the next start) at once.
            if answering:
                await asyncio.to_thread(self._deliverer.store.release_inbound, self.name(), answering)
            # Replies cut off mid-send go back to pending, so the next start sends them at once.
            released = await asyncio.to_thread(self._deliverer.store.release, sending)
            if released:
                logger.info("%s: %d reply(ies) put back in the outbox for the next start", self.name(), released)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured(get_settings())})

        return blueprint

"""Telegram, with python-telegram-bot.

    GET  /webhooks/telegram/          health
    POST /webhooks/telegram/webhook   updates from Telegram (X-Telegram-Bot-Api-Secret-Token checked)

Updates are parsed with PTB (`Update.de_json`). Commands: /start [campaign], /menu, /idioma, /language,
/ayuda, /borrar (delete my data). Buttons become inline keyboards whose presses are always answered; typing
the option's number works too. Replies go through the outbox (bot/messaging/delivery.py): in order, split
at 4,096 characters, retried on RetryAfter and network errors. The Telegram id and names never reach Rasa:
the sender id is a keyed pseudonym, the chat id lives only in `channel_contacts`.

The staff group (TELEGRAM_STAFF_CHAT_ID) is told about new cases, with the case number and topic only
(bot/handoff/delivery.py queues the alert for the outbox "person" STAFF_GROUP_SENDER, whose contact is the
group; it goes out with the same sender and retries). Messages written in the group are not processed:
caseworkers claim and answer cases in the console.

Updates are checked beyond what `Update.de_json` does, before any other use: an integer update id, exactly one
message, edited message or button press, from a private chat with an integer id. Anything else is answered 200
(so Telegram does not resend it) and ignored with a log line. Inside a message only strings count as text; button
data that is not one of our payloads or option numbers opens the menu; a location that cannot be read is passed
on as one, so the person is told it looks wrong.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from typing import Any, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit, UpdateType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.audio import messages as audio_messages
from bot.audio.storage import default_store
from bot.language import requested_language
from bot.language import text as interface_text
from bot.messaging.delivery import SendError, SendFunction
from bot.messaging.formatting import split_text
from bot.messaging.store import ChannelStore, Outgoing
from bot.messaging.text_input import clean_text, location_payload
from bot.privacy import pseudonym
from bot.settings import Settings, get_settings
from channels.base import OnNewMessage, OutboxChannel, reply_language

logger = logging.getLogger(__name__)
# httpx logs every request URL, which contains the bot token; PTB logs request data at debug.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("telegram").setLevel(logging.WARNING)

CHANNEL = "telegram"
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4,096 characters
CALLBACK_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
CHAT_ID = re.compile(r"-?\d{1,20}")
ALLOWED_UPDATES = [UpdateType.MESSAGE, UpdateType.EDITED_MESSAGE, UpdateType.CALLBACK_QUERY]
COMMANDS = {"menu": "/main_menu", "ayuda": "/area_help", "help": "/area_help"}
LANGUAGE_COMMANDS = ("idioma", "language")
LANGUAGE_ARGUMENT_CODE = re.compile(r"[a-z]{2,3}")  # "en", "quc": the languages' codes in the content database
DELETE_COMMANDS = ("borrar", "delete")
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
# Telegram's ids: update ids are non-negative and chat ids fit in 52 bits (its Bot API documentation).
MAX_UPDATE_ID = 2**63
MAX_CHAT_ID = 2**52
CALLBACK_ID_LIMIT = 64


class BoundedRequest(HTTPXRequest):
    """PTB's HTTPXRequest that lets no more requests into httpx's connection pool than the pool has connections;
    the others wait here, in order, without a time limit.

    A request that times out waiting inside the pool can leave behind a connection httpcore (1.0) had started to
    open for it, holding a slot for good. Against a peer that closes the connection after every answer (as
    Python's http.server does), a burst of replies on PTB's default pool (1 connection, 1 s pool timeout) lost the
    only slot that way, and every later send failed with TimedOut until a restart."""

    def __init__(self, connection_pool_size: int, **kwargs: Any):
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        self._slots = asyncio.Semaphore(connection_pool_size)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        async with self._slots:
            return await super().do_request(*args, **kwargs)


def new_bot(settings: Settings) -> Bot:
    """PTB's Bot: up to TELEGRAM_CONNECTION_POOL_SIZE requests at a time, and a connection of its own for
    getUpdates (long polling, `bot telegram poll`), so polling and sending never wait for each other. PTB adds the
    long-polling time to the read timeout of getUpdates."""
    timeouts = {name: settings.telegram_timeout_seconds
                for name in ("connect_timeout", "read_timeout", "write_timeout", "pool_timeout")}
    kwargs: dict[str, Any] = {"request": BoundedRequest(settings.telegram_connection_pool_size, **timeouts),
                              "get_updates_request": BoundedRequest(1, **timeouts)}
    if settings.telegram_api_base_url:
        kwargs["base_url"] = settings.telegram_api_base_url
    return Bot(settings.telegram_bot_token, **kwargs)


def callback_data(payload: str, number: int) -> str:
    """The payload itself when it fits Telegram's 64 bytes (a button from an older message still means what
    it said), else the option's number, which picks from the options shown last like a typed number."""
    return payload if len(payload.encode()) <= CALLBACK_LIMIT else str(number)


def resolve_callback(data: object) -> Optional[str]:
    """The text for Rasa of a pressed button: its payload or option number; None for anything else (not a
    string, longer than Telegram allows, or with characters our buttons never carry)."""
    if not isinstance(data, str) or not data or len(data) > CALLBACK_LIMIT or clean_text(data) != data:
        return None
    if data.startswith("/") or (data.isascii() and data.isdigit()):
        return data
    return None


def language_command(argument: str) -> str:
    """/idioma or /language: a language's code ("/idioma quc") asks for it (the bot switches only to a language
    it offers, else shows the menu); a name ("/language English", "/idioma k'iche'") is read as words; nothing
    (or anything else) shows the language menu."""
    wanted = argument.strip()
    code = wanted.lower() if LANGUAGE_ARGUMENT_CODE.fullmatch(wanted.lower()) else requested_language(wanted)
    if code:
        return "/change_language" + json.dumps({"language": code})
    if wanted and not wanted.startswith("/"):
        return f"idioma {wanted}"
    return "/change_language"


def outgoing_parts(messages: list[dict]) -> list[dict]:
    """Rasa's messages as outbox parts: split at 4,096 characters, the keyboard on the last part."""
    parts: list[dict] = []
    for message in messages:
        buttons = [b for b in message.get("buttons") or [] if b.get("payload") and b.get("title")]
        keyboard = [{"text": f"{i}. {b['title']}", "callback_data": callback_data(b["payload"], i)}
                    for i, b in enumerate(buttons, start=1)]
        chunks = split_text(message.get("text") or "", TEXT_LIMIT) or ([""] if keyboard else [])
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            parts.append({"body": chunk, "buttons": keyboard if last else []})
        if message.get("image"):
            parts.append({"body": "", "media_url": message["image"]})
        audio = audio_messages.audio_key(message)
        if audio:  # sent as a voice message: TelegramSender.send
            parts.append({"body": "", "media_url": audio_messages.reference(audio)})
    return parts


def media_payload(message: Message) -> Optional[str]:
    if message.location:
        return location_payload(message.location.latitude, message.location.longitude)
    kinds = [("audio", message.voice or message.audio), ("sticker", message.sticker),
             ("image", message.photo), ("video", message.video or message.video_note),
             ("contact", message.contact), ("document", message.document)]
    for kind, present in kinds:
        if present:
            return "/media_received" + json.dumps({"media_kind": kind})
    return None


class TelegramSender:
    """Sends one outbox row with PTB's Bot."""

    def __init__(self, settings: Settings, store: ChannelStore):
        self.bot = new_bot(settings)
        self.store = store

    @staticmethod
    def _voice(key: str) -> bytes:
        """The OGG/Opus file itself (uploaded with the message: Telegram need not reach our server)."""
        data = default_store().get(key)
        if data is None:
            raise SendError("the audio file is gone", retryable=False, code="no-audio")
        return data

    async def send(self, row: Outgoing) -> Optional[str]:
        """Send one row. Retried: 429 (RetryAfter), timeouts, network errors and 5xx (PTB's NetworkError). Failed at
        once: a chat id that is not a number, Telegram's refusals (400, 401, 403, 404) and its other errors."""
        contact = await asyncio.to_thread(self.store.contact, row.sender_id)
        if contact is None:
            raise SendError("the person's contact was deleted", retryable=False, code="no-contact")
        if not CHAT_ID.fullmatch(contact.address):
            raise SendError("the contact's Telegram chat id is not a number", retryable=False, code="bad-address")
        chat_id = int(contact.address)
        markup = None
        if row.buttons:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(b["text"], callback_data=b["callback_data"])]
                                           for b in row.buttons])
        try:
            audio = audio_messages.referenced_key(row.media_url)
            if audio:
                sent = await self.bot.send_voice(chat_id, await asyncio.to_thread(self._voice, audio),
                                                 caption=row.body or None, reply_markup=markup)
            elif row.media_url:
                sent = await self.bot.send_photo(chat_id, row.media_url, caption=row.body or None, reply_markup=markup)
            else:
                # Plain text (no parse_mode): nothing in an answer can break Markdown or HTML formatting.
                sent = await self.bot.send_message(chat_id, row.body or "·", reply_markup=markup)
        except RetryAfter as error:
            seconds = error.retry_after if isinstance(error.retry_after, (int, float)) else 1
            raise SendError(f"Telegram asked to wait {seconds}s", True, "429", retry_after=float(seconds)) from None
        except (Forbidden, InvalidToken, BadRequest) as error:
            # Telegram's description says what was wrong ("Chat not found", "bot was blocked by the user").
            raise SendError(f"Telegram refused: {type(error).__name__} ({error.message[:120]})", False,
                            type(error).__name__) from None
        except (TimedOut, NetworkError) as error:  # after BadRequest, a NetworkError subclass
            raise SendError(f"network error: {type(error).__name__}", True) from None
        except TelegramError as error:
            raise SendError(f"Telegram error: {type(error).__name__}", False, type(error).__name__) from None
        return str(sent.message_id)


def _is_id(value: object, limit: int) -> bool:
    return type(value) is int and -limit < value < limit  # not isinstance: a bool is an int, and never an id


def not_a_conversation(settings: Settings, update: Update) -> Optional[str]:
    """Why an update is not a conversation with a person (answered at once, nothing processed), or None."""
    if sum(kind is not None for kind in (update.message, update.edited_message, update.callback_query)) != 1:
        return "not one message"
    chat = update.effective_chat
    if chat is None:
        return "no chat"
    if not _is_id(chat.id, MAX_CHAT_ID):
        return "invalid chat id"
    if chat.type != "private":
        if settings.telegram_staff_chat_id and str(chat.id) == settings.telegram_staff_chat_id:
            logger.info("message in the staff group ignored (caseworkers claim and answer cases in the console)")
            return "staff group"
        return "group chat"
    return "invalid chat id" if chat.id <= 0 else None  # a private chat's id is the person's user id


def secret_valid(settings: Settings, request: Request) -> bool:
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    expected = settings.telegram_webhook_secret
    # Header bytes that are not ASCII arrive as surrogate escapes, which cannot be encoded: never a match.
    return bool(expected) and given.isascii() and hmac.compare_digest(given.encode(), expected.encode())


class TelegramInput(OutboxChannel):
    menu_word = "/menu"

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def __init__(self) -> None:
        super().__init__()
        self._sender: Optional[TelegramSender] = None

    def configured(self, settings: Settings) -> bool:
        return bool(settings.telegram_bot_token)

    def new_sender(self, settings: Settings, store: ChannelStore) -> SendFunction:
        self._sender = TelegramSender(settings, store)
        return self._sender.send

    def render(self, messages: list[dict]) -> list[dict]:
        return outgoing_parts(messages)

    @property
    def bot(self) -> Bot:
        self.deliverer()  # creates the sender and its Bot
        return self._sender.bot

    async def _answer_callback(self, callback_id: str) -> None:
        """Stop the button's spinner. Best effort: a failure here must not lose the person's choice."""
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramError as error:
            logger.warning("could not answer a callback query: %s", type(error).__name__)

    async def _forget(self, request: Request, sender_id: str, chat_id: int, hint: Optional[str]) -> None:
        """/borrar: delete everything about the person (bot.privacy_ops), then confirm (sent directly: nothing
        is kept)."""
        lang = await self.forget_person(request, sender_id, hint)
        try:
            await self.bot.send_message(chat_id, interface_text("data_deleted_all", lang))
        except TelegramError as error:
            logger.warning("deletion done but the confirmation was not sent: %s", type(error).__name__)

    def _user_text(self, message: Message) -> tuple[Optional[str], dict]:
        """(text for Rasa, metadata) for a message; (None, ...) for /borrar handled separately."""
        payload = media_payload(message)
        if payload:
            return payload, {}
        written = next((t for t in (message.text, message.caption) if isinstance(t, str) and t), "")
        text = clean_text(written)
        command = _COMMAND.match(text)
        if command:
            name, argument = command.group(1).lower(), (command.group(2) or "").strip()
            if name == "start":
                campaign = re.sub(r"[^A-Za-z0-9_-]", "", argument)[:64]
                return "/greet", ({"campaign": campaign} if campaign else {})
            if name in COMMANDS:
                return COMMANDS[name], {}
            if name in LANGUAGE_COMMANDS:
                return language_command(argument), {}
            if name in DELETE_COMMANDS:
                return None, {}
        return text, {}

    async def _take(self, request: Request, on_new_message: OnNewMessage, update: Update) -> bool:
        """Keep the update's message until it is answered (ChannelStore.record_inbound), then answer it in the
        background. False for a redelivered update. Raises SQLAlchemyError when our database is away."""
        settings = get_settings()
        chat = update.effective_chat
        sender_id = pseudonym(settings.pseudonym_secret, CHANNEL, str(chat.id))
        update_id = str(update.update_id)
        metadata: dict = {}
        if update.callback_query is not None:
            text: Optional[str] = resolve_callback(update.callback_query.data) or "/main_menu"
        else:
            message = update.message or update.edited_message
            if message is None:
                return await asyncio.to_thread(self.store.record_inbound, CHANNEL, update_id)
            text, metadata = self._user_text(message)
        if text is None:  # "borrar": everything about the person goes, this update's text included
            if not await asyncio.to_thread(self.store.record_inbound, CHANNEL, update_id):
                return False
            user = update.effective_user
            language_hint = user.language_code if user and isinstance(user.language_code, str) else None
            self.in_background(self._forget(request, sender_id, chat.id, language_hint))
            return True
        await asyncio.to_thread(self.store.touch_contact, sender_id, CHANNEL, str(chat.id))
        if not await self.take(on_new_message, update_id, sender_id, text, metadata):
            return False
        if update.callback_query is not None:
            callback_id = update.callback_query.id
            if isinstance(callback_id, str) and 0 < len(callback_id) <= CALLBACK_ID_LIMIT:
                self.in_background(self._answer_callback(callback_id))
            else:
                logger.warning("a button press without a valid callback id: the press is processed, not answered")
        return True

    async def _inline_answer(self, on_new_message: OnNewMessage, update: Update) -> dict:
        """The assistant's answer as one sendMessage method for the webhook response (no database needed)."""
        settings = get_settings()
        chat = update.effective_chat  # a private chat: not_a_conversation() ran first
        if update.callback_query is not None:
            text: Optional[str] = resolve_callback(update.callback_query.data) or "/main_menu"
        else:
            message = update.message or update.edited_message
            text = self._user_text(message)[0] if message else None
        sender_id = pseudonym(settings.pseudonym_secret, CHANNEL, str(chat.id))
        messages = await self.ask_rasa(on_new_message, sender_id, text or "/main_menu")
        parts = outgoing_parts(messages)
        body = "\n\n".join(p["body"] for p in parts if p["body"])[:TEXT_LIMIT]
        keyboard = next((p["buttons"] for p in reversed(parts) if p["buttons"]), [])
        body = body or self.error_text(reply_language(text or ""))
        answer: dict[str, Any] = {"method": "sendMessage", "chat_id": chat.id, "text": body}
        if keyboard:
            answer["reply_markup"] = {"inline_keyboard": [[button] for button in keyboard]}
        return answer

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        telegram = self.base_blueprint()

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            settings = get_settings()
            if not settings.telegram_bot_token:
                return response.json({"error": "Telegram channel is not configured"}, status=503)
            if not secret_valid(settings, request):
                return response.json({"error": "invalid secret token"}, status=403)
            self.ensure_retry_loop()
            try:
                data = json.loads(request.body or b"null")
                update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
            except Exception:  # noqa: BLE001 - malformed updates are dropped (Telegram would resend them)
                update = None
            if update is None or not _is_id(update.update_id, MAX_UPDATE_ID) or update.update_id < 0:
                logger.warning("ignored a malformed Telegram update")
                return response.json({"ok": True, "ignored": "malformed update"})
            ignored = not_a_conversation(settings, update)
            if ignored:
                if ignored not in ("group chat", "staff group"):
                    logger.warning("ignored a Telegram update: %s", ignored)
                return response.json({"ok": True, "ignored": ignored})
            try:
                if not await self._take(request, on_new_message, update):
                    return response.json({"ok": True, "duplicate": True})
            except SQLAlchemyError:
                # Our database is away: no outbox, so answer with a method in the webhook response.
                logger.warning("database unavailable; answering Telegram inline")
                return response.json(await self._inline_answer(on_new_message, update))
            return response.json({"ok": True})

        return telegram

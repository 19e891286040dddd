"""WhatsApp through Twilio.

    GET  /webhooks/whatsapp/          health
    POST /webhooks/whatsapp/webhook   incoming messages (Twilio form post, signed)
    POST /webhooks/whatsapp/status    delivery status callbacks (signed)

Every request must carry a valid `X-Twilio-Signature` for PUBLIC_BASE_URL + path (so a reverse proxy in
front does not break the check); otherwise 403. Twilio gets an empty answer at once; the reply is written to
the outbox and sent through the REST API in the background, in order, split at 1,600 characters, retried on
429/5xx/timeouts. The phone number never reaches Rasa: the sender id is a keyed pseudonym, and the number
lives only in `channel_contacts`, deleted with the person.

Privacy words, matched exactly (WhatsApp has no commands): BORRAR / "borrar mis datos" / "delete my data"
delete everything about the person (bot.privacy_ops.delete_person) and confirm with a message sent directly,
outside the outbox, so nothing is kept; "privacidad" and "mis datos" are answered by OutboxChannel.reply. A
person's first message gets the one-line consent notice with its reply.

Form fields are checked before any other use. A message needs a Twilio MessageSid and a `whatsapp:+` number in
E.164 form (else 400 with the reason); a status callback needs a MessageSid, a status word and a numeric ErrorCode
if any. A location whose coordinates cannot be read is still a location (the person is told it looks wrong); an
unreadable NumMedia is ignored with a log line and the message is read as text.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from typing import Any, Optional, Text
from urllib.parse import parse_qs

from aiohttp import ClientError, ClientSession, ServerDisconnectedError, TCPConnector
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from bot.audio import messages as audio_messages
from bot.audio.signing import signed_url
from bot.db import utcnow
from bot.language import text as interface_text
from bot.messaging.delivery import SendError, SendFunction
from bot.messaging.formatting import split_text, with_options
from bot.messaging.store import ChannelStore, Outgoing
from bot.messaging.text_input import clean_text, location_payload
from bot.privacy import pseudonym
from bot.privacy_ops import DELETE, privacy_command
from bot.settings import Settings, get_settings
from channels.base import OnNewMessage, OutboxChannel

logger = logging.getLogger(__name__)
# Twilio's HTTP clients log request bodies (phone numbers) at INFO: keep them to warnings.
logging.getLogger("twilio").setLevel(logging.WARNING)

CHANNEL = "whatsapp"
BODY_LIMIT = 1600
SESSION_WINDOW = dt.timedelta(hours=24)
# A message id: Twilio's are "SM" and 32 hex digits; any short ASCII id fits the table of seen ids (bench/run.py
# makes its own). A WhatsApp number in E.164 form.
_SID = re.compile(r"[A-Za-z0-9]{2,64}")
_ADDRESS = re.compile(r"whatsapp:\+[1-9][0-9]{6,14}")
_MEDIA_COUNT = re.compile(r"[0-9]{1,2}")
_STATUS = re.compile(r"[A-Za-z_]{1,20}")
_ERROR_CODE = re.compile(r"[0-9]{1,10}")


def media_kind(content_type: str) -> str:
    """What a person sent, from the media's content type."""
    content_type = (content_type or "").lower()
    if content_type.startswith("audio/"):
        return "audio"
    if content_type == "image/webp":
        return "sticker"
    if content_type.startswith("image/"):
        return "image"
    if content_type.startswith("video/"):
        return "video"
    if "vcard" in content_type:
        return "contact"
    return "document"


def media_count(form: dict[str, str]) -> int:
    """NumMedia as a count; 0 (with a log line) when it is not one."""
    value = form.get("NumMedia") or "0"
    if not _MEDIA_COUNT.fullmatch(value):
        logger.warning("ignored a NumMedia that is not a count")
        return 0
    return int(value)


def inbound_text(form: dict[str, str]) -> str:
    """What to hand Rasa for this message: a payload for media and locations, else the text as typed."""
    if media_count(form) > 0:
        kind = media_kind(form.get("MediaContentType0", ""))
        return "/media_received" + json.dumps({"media_kind": kind})
    if form.get("Latitude") or form.get("Longitude"):
        return location_payload(form.get("Latitude"), form.get("Longitude"))
    return clean_text(form.get("Body"))


def message_problem(form: dict[str, str]) -> Optional[str]:
    """Why a message form cannot be processed (the reason for a 400), or None."""
    if not _SID.fullmatch(form.get("MessageSid") or form.get("SmsMessageSid") or ""):
        return "a MessageSid is required"
    if not _ADDRESS.fullmatch(form.get("From") or ""):
        return "a whatsapp:+ sender number is required"
    return None


def status_problem(form: dict[str, str]) -> Optional[str]:
    """Why a status callback cannot be recorded (the reason for a 400), or None."""
    if not _SID.fullmatch(form.get("MessageSid") or ""):
        return "a MessageSid is required"
    if not _STATUS.fullmatch(form.get("MessageStatus") or ""):
        return "a MessageStatus is required"
    if form.get("ErrorCode") and not _ERROR_CODE.fullmatch(form["ErrorCode"]):
        return "ErrorCode must be a number"
    return None


def outgoing_parts(messages: list[dict]) -> list[dict]:
    """Rasa's messages as outbox parts: text with numbered options, split at 1,600 characters."""
    parts: list[dict] = []
    for message in messages:
        buttons = [b for b in message.get("buttons") or [] if b.get("payload") and b.get("title")]
        text = with_options(message.get("text") or "", buttons)
        parts.extend({"body": chunk} for chunk in split_text(text, BODY_LIMIT))
        if message.get("image"):
            parts.append({"body": "", "media_url": message["image"]})
        attachment = message.get("attachment")
        if isinstance(attachment, str) and attachment.startswith("http"):
            parts.append({"body": "", "media_url": attachment})
        audio = audio_messages.audio_key(message)
        if audio:  # signed when sent: TwilioSender._request
            parts.append({"body": "", "media_url": audio_messages.reference(audio)})
    return parts


class RedirectingAsyncHttpClient(AsyncTwilioHttpClient):
    """Twilio's async HTTP client with a pool of `connections` (TwilioSender lets no more sends in at a time),
    optionally sending to another base URL (a local fake API in tests)."""

    def __init__(self, base_url: str = "", timeout: Optional[float] = None, connections: int = 8):
        # The pooled session is opened on first use, inside the running event loop it belongs to.
        super().__init__(pool_connections=False, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.connections = connections

    async def request(self, method, url, *args, **kwargs):
        if self.session is None:
            self.session = ClientSession(connector=TCPConnector(limit=self.connections))
        if self.base_url and url.startswith("https://"):
            url = f"{self.base_url}/{url.split('/', 3)[3]}"
        return await super().request(method, url, *args, **kwargs)


class TwilioSender:
    """Sends one outbox row with Twilio's REST API (async client, so the event loop is never blocked)."""

    def __init__(self, settings: Settings, store: ChannelStore):
        self.settings = settings
        self.store = store
        http_client = RedirectingAsyncHttpClient(settings.twilio_api_base_url, settings.twilio_timeout_seconds,
                                                 settings.twilio_connection_pool_size)
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
        # As many sends at a time as the pool has connections; the others wait here, outside the send's timeout.
        # Waiting for a connection inside it, a burst timed out sends Twilio was already answering, and their
        # retries reached the person twice.
        self._slots: Optional[asyncio.Semaphore] = None

    def _request(self, row: Outgoing, address: str, last_inbound_at: Optional[dt.datetime]) -> dict:
        request: dict[str, Any] = {
            "from_": self.settings.twilio_whatsapp_from,
            "to": address,
            "status_callback": f"{self.settings.public_base_url}/webhooks/whatsapp/status",
        }
        outside_window = last_inbound_at is None or utcnow() - last_inbound_at > SESSION_WINDOW
        if outside_window:
            if not self.settings.twilio_template_content_sid:
                raise SendError("outside the 24-hour window and no TWILIO_TEMPLATE_CONTENT_SID set",
                                retryable=False, code="no-template")
            request["content_sid"] = self.settings.twilio_template_content_sid
            request["content_variables"] = json.dumps({"1": row.body[:1000]})
            return request
        if row.body:
            request["body"] = row.body
        if row.media_url:
            audio = audio_messages.referenced_key(row.media_url)
            # Twilio fetches an audio answer from our server, through a link that expires.
            request["media_url"] = [signed_url(audio, settings=self.settings) if audio else row.media_url]
        return request

    async def send_now(self, address: str, body: str) -> None:
        """Send one text straight away, outside the outbox (the deletion confirmation: nothing is kept)."""
        request = {"from_": self.settings.twilio_whatsapp_from, "to": address, "body": body}
        await asyncio.wait_for(self.client.messages.create_async(**request), self.settings.twilio_timeout_seconds)

    async def send(self, row: Outgoing) -> Optional[str]:
        """Send one row. Retried: 429, 5xx, timeouts and network errors. Failed at once: an address that is not a
        WhatsApp number, and Twilio's other answers (4xx: a number it refuses, a bad request...)."""
        contact = await asyncio.to_thread(self.store.contact, row.sender_id)
        if contact is None:
            raise SendError("the person's contact was deleted", retryable=False, code="no-contact")
        if not _ADDRESS.fullmatch(contact.address):
            raise SendError("the contact's address is not a whatsapp:+ number", retryable=False, code="bad-address")
        request = self._request(row, contact.address, contact.last_inbound_at)
        if self._slots is None:  # made in the running loop, on first use
            self._slots = asyncio.Semaphore(self.settings.twilio_connection_pool_size)
        try:
            async with self._slots:
                try:
                    message = await asyncio.wait_for(
                        self.client.messages.create_async(**request), self.settings.twilio_timeout_seconds
                    )
                except ServerDisconnectedError:
                    # A kept-alive connection the peer had already closed: the request never left. Once more, at
                    # once, on a fresh connection (a second failure is an ordinary retryable error).
                    message = await asyncio.wait_for(
                        self.client.messages.create_async(**request), self.settings.twilio_timeout_seconds
                    )
        except TwilioRestException as error:
            retryable = error.status == 429 or error.status >= 500
            raise SendError(f"Twilio answered {error.status} (code {error.code})", retryable,
                            str(error.code or error.status)) from None
        except asyncio.TimeoutError:
            raise SendError("Twilio did not answer in time", retryable=True) from None
        except (OSError, ClientError) as error:  # aiohttp's ServerDisconnectedError is no OSError
            raise SendError(f"network error: {type(error).__name__}", retryable=True) from None
        return message.sid


def form_dict(request: Request) -> dict[str, str]:
    """Twilio's form fields, first value of each. Parsed from the raw body because blank values (an empty
    Body with a voice note) are part of the signed data and Sanic's form parser drops them."""
    try:
        fields = parse_qs(request.body.decode("utf-8", errors="replace"), keep_blank_values=True)
    except Exception:  # noqa: BLE001 - a body that is not a form is treated as empty
        return {}
    return {key: values[0] for key, values in fields.items() if values}


def signature_valid(settings: Settings, request: Request, form: dict[str, str]) -> bool:
    if settings.whatsapp_skip_signature and settings.is_local:
        logger.warning("X-Twilio-Signature NOT checked (WHATSAPP_SKIP_SIGNATURE is set; local development only)")
        return True
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.twilio_auth_token:
        return False
    url = settings.public_base_url + request.path + (f"?{request.query_string}" if request.query_string else "")
    return RequestValidator(settings.twilio_auth_token).validate(url, form, signature)


class WhatsAppInput(OutboxChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def __init__(self) -> None:
        super().__init__()
        self._sender: Optional[TwilioSender] = None

    def configured(self, settings: Settings) -> bool:
        return _configured(settings)

    def new_sender(self, settings: Settings, store: ChannelStore) -> SendFunction:
        self._sender = TwilioSender(settings, store)
        return self._sender.send

    async def _forget(self, request: Request, sender_id: str, address: str, text: str) -> None:
        """BORRAR: delete everything about the person, then confirm."""
        lang = await self.forget_person(request, sender_id, (privacy_command(text) or ("", ""))[1])
        try:
            await self._sender.send_now(address, interface_text("data_deleted_all", lang))
        except Exception as error:  # noqa: BLE001 - the deletion is done; the confirmation is best effort
            logger.warning("deletion done but the confirmation was not sent: %s", type(error).__name__)

    def render(self, messages: list[dict]) -> list[dict]:
        return outgoing_parts(messages)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        whatsapp = self.base_blueprint()

        @whatsapp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            settings = get_settings()
            if not _configured(settings):
                return response.json({"error": "WhatsApp channel is not configured"}, status=503)
            form = form_dict(request)
            if not signature_valid(settings, request, form):
                return response.json({"error": "invalid signature"}, status=403)
            self.ensure_retry_loop()
            problem = message_problem(form)
            if problem:
                return response.json({"error": problem}, status=400)
            message_sid, address = form.get("MessageSid") or form["SmsMessageSid"], form["From"]
            sender_id = pseudonym(settings.pseudonym_secret, CHANNEL, address)
            try:
                body = clean_text(form.get("Body"))
                if (privacy_command(body) or ("",))[0] == DELETE:
                    if await asyncio.to_thread(self.store.record_inbound, CHANNEL, message_sid):
                        self.in_background(self._forget(request, sender_id, address, body))
                    return twiml_response([])
                first_contact = await asyncio.to_thread(self.store.contact, sender_id) is None
                await asyncio.to_thread(self.store.touch_contact, sender_id, CHANNEL, address)
                # Kept until answered, then answered in the background; a redelivery is taken once.
                await self.take(on_new_message, message_sid, sender_id, inbound_text(form),
                                first_contact=first_contact)
            except SQLAlchemyError:
                # Our database is away: no outbox, so answer inside the webhook response (Twilio sends it).
                logger.warning("database unavailable; answering WhatsApp inline with TwiML")
                messages = await self.ask_rasa(on_new_message, sender_id, inbound_text(form))
                return twiml_response(outgoing_parts(messages))
            return twiml_response([])

        @whatsapp.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            settings = get_settings()
            form = form_dict(request)
            if not _configured(settings) or not signature_valid(settings, request, form):
                return response.json({"error": "invalid signature"}, status=403)
            problem = status_problem(form)
            if problem:
                return response.json({"error": problem}, status=400)
            message_sid, state = form["MessageSid"], form["MessageStatus"]
            error_code = form.get("ErrorCode") or None
            known = await asyncio.to_thread(self.store.update_status, message_sid, state, error_code)
            if state.lower() in ("failed", "undelivered"):
                logger.warning("WhatsApp delivery %s: %s (error %s)", state, message_sid, error_code)
            return response.empty(status=204 if known else 202)

        return whatsapp


def twiml_response(parts: list[dict]) -> HTTPResponse:
    """A TwiML answer: empty, or one that makes Twilio send these parts itself (when our outbox is away)."""
    answer = MessagingResponse()
    for part in parts:
        if part.get("body"):
            answer.message(part["body"])
    return response.text(str(answer), content_type="text/xml")


def _configured(settings: Settings) -> bool:
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from)

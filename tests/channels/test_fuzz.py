"""Hostile input on every channel, against the real servers: one Rasa server with the web chat, WhatsApp and
Telegram, the action server, and the fake Twilio and Telegram APIs (tests/channels/servers.py).

Hypothesis builds the payloads: odd Unicode (direction marks, zero-width characters, NUL, lone surrogates),
strings up to 100,000 characters, wrong types, nested objects, missing, repeated and extra fields and ids,
malformed JSON and form encoding. Most payloads are a genuine message with a few hostile parts, so they get past
the first checks into the deeper code. WhatsApp forms are signed as Twilio signs them (and also sent unsigned);
Telegram updates carry the secret header (and sometimes not).

For every request: no 5xx, the status the channel's rules give, and a message the server accepts from a person
gets a reply (then the same message again is not processed twice). After each channel's run: no reply left in
the outbox, the channel answers its health check, and no log holds an error-level record.

`make test` runs FUZZ_EXAMPLES (default 200) per channel; `make fuzz` runs 10,000. With `-s`, each run prints
its requests by outcome.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, deque
from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from twilio.request_validator import RequestValidator

from bot.messaging.store import ChannelStore
from channels.webchat import sign
from tests.channels import test_telegram as telegram
from tests.channels import test_whatsapp as whatsapp
from tests.channels.servers import Servers, both_channel_stacks

pytestmark = [pytest.mark.e2e, pytest.mark.model]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 200)
# The second endpoint of a channel (web chat polling, WhatsApp status callbacks) gets a fifth of the examples.
SIDE_EXAMPLES = max(EXAMPLES // 5, 20)
REPLY_TIMEOUT = 30.0
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
fuzz_side = settings(fuzz, max_examples=SIDE_EXAMPLES)
WEBCHAT = "/webhooks/webchat"
_ids = itertools.count(int(time.time() * 1000))

# --- Hostile building blocks ------------------------------------------------------------------------------------


def mostly(usual: SearchStrategy, hostile: SearchStrategy, percent: int = 90) -> SearchStrategy:
    """`usual` most of the time, else `hostile`: with a few hostile parts at a time, a payload gets past the first
    checks and reaches the code behind them. Shrinks towards `usual`."""
    return st.integers(0, 99).flatmap(lambda n: usual if n < percent else hostile)


def sometimes(draw, percent: int) -> bool:
    """True about `percent` times in a hundred. The rare case is at the top of the range: Hypothesis tries 0 and
    small numbers often, and shrinks towards 0."""
    return draw(st.integers(0, 99)) >= 100 - percent


SPECIAL_CHARACTERS = [
    "\u200f", "\u200e", "\u202e", "\u2066", "\u061c",  # right-to-left and direction marks, overrides, isolates
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero-width characters, byte order mark
    "\x00", "\x1b", "\x7f", "\r", "\n", "\t", "\u2028", "\u0085",  # NUL, controls, line separators
    "\ud800", "\udbff", "\udc00", "\udfff",  # lone surrogates
    "\ufffd", "\uffff", "\U0010ffff", "\u0301", "\U0001f600", "\U0001f1ec", "ñ", "١", "５",
    "%", "&", "=", "+", ";", "\\", '"', "'", "/", "{", "}", "<", "@",
]
characters = st.one_of(st.sampled_from(SPECIAL_CHARACTERS), st.characters(exclude_categories=()))
short_text = st.text(characters, max_size=30)
# Up to 100,000 characters, built by repetition (Hypothesis draws a short unit and a length).
long_text = st.builds(lambda unit, size: (unit * size)[:size], st.text(characters, min_size=1, max_size=6),
                      st.integers(1_000, 100_000))
MEANINGFUL = ["hola", "visa h2a", "BORRAR", "borrar mis datos", "privacidad", "mis datos", "menu", "0", "2", "99",
              "/start", "/start campaña\u200f", "/menu", "/borrar", "/idioma en", "/greet", "/main_menu",
              '/shared_location{"latitude": 1e999, "longitude": 5}', '/shared_location{"latitude": NaN}',
              '/shared_location{"latitude": 1' + "0" * 400 + ', "longitude": 5}',
              '/shared_location{"latitude": "x", "longitude": [1]}', '/media_received{"media_kind": {"a": 1}}',
              "/labour.h2a", '/labour.h2a{"faq": 7}', "/nlu_fallback", "/help.human", "/x{", "/@", "/"]
# Long texts one time in ten: they cost the server most (each is cut to 1,000 characters and then understood).
hostile_text = mostly(st.one_of(short_text, st.sampled_from(MEANINGFUL)), long_text)
numbers = st.one_of(st.integers(), st.integers(-(10**400), 10**400), st.floats(), st.floats(-180, 180),
                    st.sampled_from([0, -1, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 1e308, -0.0]))
scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(short_text, inner, max_size=4), max_leaves=12)
NUMBER_TEXTS = ["15.33", "-91.48", "0", "-0", "90", "90.0000001", "-180", "180.1", "1e999", "-1e999", "nan", "NaN",
                "inf", "-Infinity", "1" + "0" * 400, "9" * 5000, "0x10", "1_5", "١٥", "１５", " 15 ", "15,3", "",
                "1e-400", "4.9e-324"]
number_text = st.one_of(st.sampled_from(NUMBER_TEXTS), numbers.map(str), short_text)
MALFORMED_JSON = [b"", b"null", b"[]", b"{", b"{not json", b"\xff\xfe\x00", b"\xef\xbb\xbf{}", b'{"a": NaN}',
                  b'{"a": 1e999}', b'{"a": "\\ud800"}', b'{"a": "\xed\xa0\x80"}', b"[" * 50_000 + b"]" * 50_000,
                  b'{"a": ' + b"9" * 5000 + b"}", b'{"a": 1,}', b"{'a': 1}", b'"\\u0000"', b"\x00" * 100]


class Fresh:
    """A placeholder the test replaces with a new id just before sending (Hypothesis replays and shrinks
    examples, so ids that must be new are made in the test, not in the strategy)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"Fresh({self.kind})"


def replace_fresh(value: Any, new_ids: dict[str, Any]) -> Any:
    if isinstance(value, Fresh):
        return new_ids[value.kind]
    if isinstance(value, dict):
        return {replace_fresh(k, new_ids): replace_fresh(v, new_ids) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(replace_fresh(v, new_ids) for v in value)
    return value


@st.composite
def fields_mangled(draw, pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The (key, value) pairs with, now and then, a field missing, a field repeated or an extra field."""
    kept = [pair for pair in pairs if not sometimes(draw, 5)]
    repeated = draw(st.lists(st.sampled_from(pairs), max_size=2)) if pairs and sometimes(draw, 10) else []
    extra = draw(st.lists(st.tuples(short_text, json_values), max_size=2)) if sometimes(draw, 15) else []
    return kept + repeated + extra


def json_object_bytes(pairs: list[tuple[str, Any]], readable: bool) -> bytes:
    """A JSON object as a client might send it, repeated keys included: escaped ASCII, or raw UTF-8 where lone
    surrogates become invalid bytes."""
    text = "{" + ", ".join(f"{json.dumps(str(key))}: {json.dumps(value, ensure_ascii=not readable)}"
                           for key, value in pairs) + "}"
    return text.encode("utf-8", "surrogatepass")


def is_pairs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(pair, tuple) for pair in value)


# --- Talking to the servers -------------------------------------------------------------------------------------


def http(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {},
                                     method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# An error record in the logs' formats (Rasa's, with or without milliseconds; Sanic's), or a traceback printed
# without one.
ERROR_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d+)? +(?:ERROR|CRITICAL)\b"
                          r"|\[[^]]*\] \[\d+\] \[(?:ERROR|CRITICAL)\]|Traceback \(most recent call last\)")


@contextmanager
def healthy_and_quiet(servers: Servers, health_path: str) -> Iterator[Counter]:
    """Counts the block's outcomes; after it: the background work is done, the channel answers its health check
    and the logs written meanwhile hold no error-level record."""
    offsets = {log: log.stat().st_size for log in servers.logs}
    started = time.monotonic()
    outcomes: Counter = Counter()
    yield outcomes
    store = ChannelStore(servers.database_url)
    deadline = time.monotonic() + 60
    while store.messages(["pending", "sending"], limit=1) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not store.messages(["pending", "sending"], limit=1), "replies are still waiting in the outbox"
    status, body = http(servers.base + health_path)
    assert status == 200 and json.loads(body)["status"] == "ok"
    for log, offset in offsets.items():
        with log.open("rb") as handle:  # line by line: at DEBUG level a long run writes hundreds of megabytes
            handle.seek(offset)
            errors = [line for line in (raw.decode("utf-8", errors="replace") for raw in handle)
                      if ERROR_RECORD.match(line)]
        assert not errors, f"{log.name}: {errors[:5]}"
    print(f"\n{health_path}: {sum(outcomes.values())} requests in {time.monotonic() - started:.1f} s, "
          f"{dict(sorted(outcomes.items()))}")


class AwaitedReplies:
    """The replies the test waits for, a few at a time: the server works on several messages at once, as in
    service, while the backlog stays small."""

    def __init__(self, fake, window: int = 8):
        self.fake, self.window = fake, window
        self.waiting: deque = deque()

    def expect(self, recipient: Any, count: int, payload: bytes) -> None:
        self.waiting.append((recipient, count, payload))
        while len(self.waiting) > self.window:
            self._wait_for_oldest()

    def wait_for_all(self) -> None:
        while self.waiting:
            self._wait_for_oldest()

    def _wait_for_oldest(self) -> None:
        recipient, count, payload = self.waiting.popleft()
        try:
            self.fake.wait_for(recipient, count, timeout=REPLY_TIMEOUT)
        except AssertionError as error:
            raise AssertionError(f"no reply to {payload[:500]!r}: {error}") from None


@pytest.fixture(scope="module")
def stacks(tmp_path_factory, loaded_sqlite_template):
    """One Rasa server with the three channels; WhatsApp and Telegram against their fake APIs."""
    with both_channel_stacks(tmp_path_factory.mktemp("fuzz"), loaded_sqlite_template) as pair:
        yield pair


# --- Web chat ---------------------------------------------------------------------------------------------------

MAX_WEB_CHAT_BODY = 2 * 1024 * 1024
senders = mostly(st.just(Fresh("sender")), st.one_of(json_values, st.sampled_from(
    ["web-123", "", "a" * 65, "web-\ud800", "web-abc\u200f", "web-abc\x00", "ñ"])))
tokens = mostly(st.just(Fresh("token")), st.one_of(json_values, st.sampled_from(
    ["", "0" * 64, "é" * 64, "\ud800", "A" * 64])))


@st.composite
def web_chat_bodies(draw) -> tuple[bytes | list[tuple[str, Any]], bool]:
    """(raw bytes, or a JSON object's field pairs with Fresh placeholders for a new sender and its token; whether
    to write the JSON as raw UTF-8)."""
    if sometimes(draw, 10):
        return draw(st.sampled_from(MALFORMED_JSON)), False
    pairs = draw(fields_mangled([("sender", draw(senders)), ("token", draw(tokens)),
                                 ("message", draw(mostly(hostile_text, json_values, 80)))]))
    return pairs, draw(st.booleans())


GENUINE = [("sender", Fresh("sender")), ("token", Fresh("token"))]


def test_web_chat_survives_hostile_bodies(stacks):
    servers = stacks[0].servers

    @fuzz
    @given(web_chat_bodies())
    # What was found before this suite: a token with non-ASCII characters, a sender with a lone surrogate (both
    # were 500s), and a latitude too large for a float (an apology, not "that location looks wrong").
    @example(([("sender", Fresh("sender")), ("token", "é" * 64), ("message", "hola")], False))
    @example(([("sender", "web-\ud800"), ("token", "0" * 64), ("message", "hola")], True))
    @example((GENUINE + [("message", '/shared_location{"latitude": 1' + "0" * 400 + ', "longitude": 5}')], False))
    def post(case: tuple[bytes | list[tuple[str, Any]], bool]) -> None:
        form, readable = case
        sender = f"web-{uuid.uuid4().hex[:24]}"
        if isinstance(form, bytes):
            body, answerable = form, False
        else:
            pairs = replace_fresh(form, {"sender": sender, "token": sign(sender)})
            fields = dict(pairs)  # the last of repeated keys, as JSON parsers take it
            body = json_object_bytes(pairs, readable)
            # A sender with its own token, a message that is text, a whole number or absent, at most 2 MiB.
            answerable = (fields.get("sender") == sender and fields.get("token") == sign(sender)
                          and (fields.get("message") is None or type(fields["message"]) in (str, int))
                          and len(body) <= MAX_WEB_CHAT_BODY)
        status, answer = http(servers.base + WEBCHAT + "/webhook", body, {"Content-Type": "application/json"})
        outcomes[f"HTTP {status}"] += 1
        assert status == 200 if answerable else status in (400, 403, 413), (status, answer[:300])
        if status == 200:
            replies = json.loads(answer)
            assert any(isinstance(r.get("text"), str) and r["text"].strip() for r in replies), replies

    with healthy_and_quiet(servers, WEBCHAT + "/") as outcomes:
        post()


header_values = st.one_of(st.binary(max_size=200).filter(lambda b: b"\r" not in b and b"\n" not in b),
                          st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=100))


@st.composite
def polling_headers(draw) -> dict:
    headers = {
        "X-Webchat-Sender": draw(mostly(st.just(Fresh("sender")), st.one_of(st.just(Fresh("token")), header_values),
                                        70)),
        "X-Webchat-Token": draw(mostly(st.just(Fresh("token")), st.one_of(st.just(Fresh("sender")), header_values),
                                       70)),
    }
    return {name: value for name, value in headers.items() if not sometimes(draw, 10)}


def test_web_chat_polling_survives_hostile_headers(stacks):
    servers = stacks[0].servers

    @fuzz_side
    @given(polling_headers())
    def poll(headers: dict) -> None:
        sender = f"web-{uuid.uuid4().hex[:24]}"
        headers = replace_fresh(headers, {"sender": sender, "token": sign(sender)})
        status, answer = http(servers.base + WEBCHAT + "/updates", headers=headers)
        outcomes[f"HTTP {status}"] += 1
        genuine = headers.get("X-Webchat-Sender") == sender and headers.get("X-Webchat-Token") == sign(sender)
        assert status == (200 if genuine else 403), (status, answer[:300])
        if genuine:
            assert json.loads(answer) == [], "a new conversation has nothing waiting"

    with healthy_and_quiet(servers, WEBCHAT + "/") as outcomes:
        poll()


# --- WhatsApp ---------------------------------------------------------------------------------------------------

CONTENT_TYPES = ["audio/ogg", "image/jpeg", "image/webp", "video/mp4", "text/vcard", "application/pdf", ""]
MALFORMED_FORMS = [b"", b"%", b"%zz=1&Body=%", b"=&&==", b"\xff\xfe=\x00", b'{"Body": "hola"}',
                   b"Body=" + b"%ED%A0%80" * 10, b"From=whatsapp%3A%2B1%00&MessageSid=SM1", b"a=1&" * 5000,
                   b"Body=" + b"x" * 200_000, b"Body=hola;From=whatsapp:+50255512345"]
# What the channel requires of a message (a short ASCII id, a number in E.164 form): anything else is a 400.
TWILIO_SID = re.compile(r"[A-Za-z0-9]{2,64}")
WHATSAPP_NUMBER = re.compile(r"whatsapp:\+[1-9][0-9]{6,14}")


@st.composite
def whatsapp_forms(draw) -> tuple[bytes | list[tuple[str, str]], bool]:
    """(a form as field pairs, or raw bytes; whether to sign it)."""
    signed = not sometimes(draw, 15)
    if sometimes(draw, 10):
        return draw(st.sampled_from(MALFORMED_FORMS)), signed
    pairs = [
        ("MessageSid", draw(mostly(st.just(Fresh("sid")), st.one_of(hostile_text, st.sampled_from(
            ["SM" + "0" * 32, "SM" + "g" * 32, "SM" + "0" * 100, "sm" + "0" * 32]))))),
        ("From", draw(mostly(st.just(Fresh("number")), st.one_of(hostile_text, st.sampled_from(
            ["whatsapp:+", "whatsapp:+1", "whatsapp:+" + "9" * 40, "whatsapp:+50255\x00512345", "whatsapp:+١٢٣٤٥٦٧٨",
             "whatsapp:+50255512345\u200f", "tel:+50255512345", "whatsapp:+05025551234"]))))),
        ("To", whatsapp.FROM),
        ("Body", draw(hostile_text)),
        ("NumMedia", draw(mostly(st.just("0"), st.one_of(hostile_text, st.sampled_from(
            ["1", "2", "10", "11", "-1", "1_0", "١", " 1 ", "1.0", "", "99999999999999999999"])), 70))),
        ("MediaContentType0", draw(mostly(st.sampled_from(CONTENT_TYPES), hostile_text, 80))),
        ("MediaUrl0", draw(mostly(st.just("https://api.twilio.com/media/ME1"), hostile_text, 80))),
        ("ProfileName", draw(hostile_text)),
    ]
    if sometimes(draw, 25):
        pairs += [("Latitude", draw(number_text)), ("Longitude", draw(number_text))]
    return draw(fields_mangled(pairs)), signed


def encode_form(form: bytes | list[tuple[str, Any]]) -> bytes:
    if isinstance(form, bytes):
        return form
    return urllib.parse.urlencode([(str(k), str(v)) for k, v in form], errors="surrogatepass").encode()


def post_form(servers: Servers, path: str, body: bytes, signed: bool) -> tuple[int, bytes]:
    """A form post; signed as Twilio signs the fields it sends (the first value of each, as the form carries
    them), or without a signature."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        fields = urllib.parse.parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        headers["X-Twilio-Signature"] = RequestValidator(whatsapp.AUTH_TOKEN).compute_signature(
            whatsapp.PUBLIC + path, {key: values[0] for key, values in fields.items()})
    return http(servers.base + path, body, headers)


def test_whatsapp_survives_hostile_forms(stacks):
    stack = stacks[0]
    seen_sids: set[str] = set()
    replies = AwaitedReplies(stack.fake)

    @fuzz
    @given(whatsapp_forms())
    @example(([("MessageSid", Fresh("sid")), ("From", Fresh("number")), ("Latitude", "1" + "0" * 400),
               ("Longitude", "-91.48")], True))
    def post(case: tuple[bytes | list, bool]) -> None:
        form, signed = case
        number = f"whatsapp:+5025{next(_ids) % 10**7:07d}"
        form = replace_fresh(form, {"sid": "SM" + uuid.uuid4().hex, "number": number})
        body = encode_form(form)
        status, answer = post_form(stack.servers, whatsapp.WEBHOOK, body, signed)
        outcomes[f"HTTP {status}"] += 1
        if not signed:
            assert status == 403, (status, answer[:300])
            return
        if isinstance(form, bytes):
            assert status == 400, (status, answer[:300])
            return
        fields = dict(reversed(form))  # the first value of each field, as the server reads it
        sid, sender = str(fields.get("MessageSid") or fields.get("SmsMessageSid") or ""), str(fields.get("From"))
        from_a_person = bool(TWILIO_SID.fullmatch(sid) and WHATSAPP_NUMBER.fullmatch(sender))
        assert status == (200 if from_a_person else 400), (status, answer[:300])
        if from_a_person and sid not in seen_sids:
            seen_sids.add(sid)
            # The same message again (Twilio retries): answered at once, not processed twice.
            assert post_form(stack.servers, whatsapp.WEBHOOK, body, signed)[0] == 200
            replies.expect(sender, 1, body)

    with healthy_and_quiet(stack.servers, "/webhooks/whatsapp/") as outcomes:
        post()
        replies.wait_for_all()


@st.composite
def status_callbacks(draw) -> tuple[list[tuple[str, str]], bool]:
    pairs = [("MessageSid", draw(mostly(st.just("SM" + "1" * 32), hostile_text, 70))),
             ("MessageStatus", draw(mostly(st.sampled_from(["sent", "delivered", "read", "failed", "undelivered",
                                                            "FAILED"]), hostile_text, 70))),
             ("ErrorCode", draw(mostly(st.sampled_from(["63016", "", "0"]), st.one_of(hostile_text, number_text), 70)))]
    return draw(fields_mangled(pairs)), not sometimes(draw, 15)


def test_whatsapp_status_callbacks_survive_hostile_forms(stacks):
    stack = stacks[0]

    @fuzz_side
    @given(status_callbacks())
    def post(case: tuple[list, bool]) -> None:
        form, signed = case
        status, answer = post_form(stack.servers, whatsapp.STATUS, encode_form(form), signed)
        outcomes[f"HTTP {status}"] += 1
        assert status in ((202, 204, 400) if signed else (403,)), (status, answer[:300])

    with healthy_and_quiet(stack.servers, "/webhooks/whatsapp/") as outcomes:
        post()


# --- Telegram ---------------------------------------------------------------------------------------------------

maybe_hostile = json_values
ids = mostly(st.just(Fresh("id")), st.one_of(numbers, json_values, st.sampled_from(
    ["7000000001", 7000000001.0, True, 0, -1, 2**52, 2**64])))
PERSON = {"id": Fresh("id"), "is_bot": False, "first_name": "Rosa", "language_code": "es"}
SECRET_HEADERS = [None, "", "wrong", telegram.SECRET + "x", "é" * 10, telegram.SECRET.upper(), "\x00"]


@st.composite
def telegram_updates(draw) -> Any:
    """A message, an edited message or a button press from a private chat, with hostile parts; now and then
    random JSON. Field pairs, so that keys can repeat."""
    if sometimes(draw, 5):
        return draw(json_values)
    chat_id = draw(ids)
    chat = dict(draw(fields_mangled([
        ("id", chat_id),
        ("type", draw(mostly(st.just("private"), st.one_of(
            st.sampled_from(["group", "supergroup", "channel", "Private"]), json_values)))),
        ("first_name", draw(mostly(st.just("Rosa"), json_values)))])))
    user = dict(draw(fields_mangled([
        ("id", draw(mostly(st.just(chat_id), ids))), ("is_bot", draw(mostly(st.just(False), scalars))),
        ("first_name", draw(mostly(st.just("Rosa"), json_values))),
        ("language_code", draw(mostly(st.sampled_from(["es", "en", "fr", "ES-419"]), json_values)))])))
    content = draw(st.sampled_from(["text", "text", "text", "caption", "location", "voice", "photo", "sticker",
                                    "contact", "nothing"]))
    value = {
        "text": draw(mostly(hostile_text, json_values, 80)),
        "caption": draw(mostly(hostile_text, json_values, 80)),
        "location": dict(draw(fields_mangled([("latitude", draw(mostly(numbers, json_values, 80))),
                                              ("longitude", draw(mostly(numbers, json_values, 80)))]))),
        "voice": {"file_id": "v1", "file_unique_id": "u1", "duration": draw(mostly(numbers, json_values, 80))},
        "photo": draw(mostly(st.just([{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]),
                             json_values, 80)),
        "sticker": draw(json_values),
        "contact": {"phone_number": draw(hostile_text), "first_name": draw(json_values)},
    }.get(content)
    message = dict(draw(fields_mangled([
        ("message_id", draw(mostly(st.integers(1, 10**6), json_values))),
        ("date", draw(mostly(st.just(int(time.time())), st.one_of(numbers, json_values)))),
        ("chat", chat), ("from", user)] + ([(content, value)] if content != "nothing" else []))))
    kind = draw(st.sampled_from(["message", "message", "edited_message", "callback_query"]))
    if kind == "edited_message":
        message["edit_date"] = int(time.time())
    payload: Any = message
    if kind == "callback_query":
        payload = dict(draw(fields_mangled([
            ("id", draw(mostly(st.just("4382bfdwdsb323b2d9"), json_values))), ("from", user),
            ("chat_instance", "ci"), ("message", message),
            ("data", draw(mostly(st.sampled_from(["/main_menu", "1", "3", "/labour.h2a"]), json_values, 70)))])))
    update = [("update_id", draw(mostly(st.just(Fresh("update")), st.one_of(numbers, json_values)))), (kind, payload)]
    if sometimes(draw, 10):  # two kinds in one update, or the same kind twice
        update.append((draw(st.sampled_from(["message", "edited_message", "callback_query"])), payload))
    return draw(fields_mangled(update))


def chat_of(update: Any) -> Any:
    """The chat id of the one message or button press in the update, if there is exactly one."""
    if not is_pairs(update):
        return None
    fields = dict(update)  # the last of repeated keys, as JSON parsers take it
    kinds = [(k, v) for k, v in fields.items() if k in ("message", "edited_message", "callback_query")]
    if len(kinds) != 1 or not isinstance(kinds[0][1], dict):
        return None
    message = kinds[0][1].get("message") if kinds[0][0] == "callback_query" else kinds[0][1]
    chat = message.get("chat") if isinstance(message, dict) else None
    return chat.get("id") if isinstance(chat, dict) else None


def test_telegram_survives_hostile_updates(stacks):
    stack = stacks[1]
    replies = AwaitedReplies(stack.fake)

    @fuzz
    @given(telegram_updates(), mostly(st.just(telegram.SECRET), st.sampled_from(SECRET_HEADERS), 85),
           st.booleans(), mostly(st.none(), st.sampled_from(MALFORMED_JSON)))
    # Found before this suite: button data that is not a string (no reply), a latitude too large for a float, a
    # secret header that is not ASCII (a 500).
    @example([("update_id", Fresh("update")), ("callback_query", {
        "id": "4382bfdwdsb323b2d9", "from": PERSON, "chat_instance": "ci", "data": {"a": 1}, "message": {
            "message_id": 1, "date": 1_700_000_000, "chat": {"id": Fresh("id"), "type": "private"}}})],
             telegram.SECRET, False, None)
    @example([("update_id", Fresh("update")), ("message", {
        "message_id": 1, "date": 1_700_000_000, "chat": {"id": Fresh("id"), "type": "private"}, "from": PERSON,
        "location": {"latitude": 10**400, "longitude": -91.48}})], telegram.SECRET, False, None)
    @example([("update_id", Fresh("update"))], "contraseña", False, None)
    def post(update: Any, secret: str | None, readable: bool, malformed: bytes | None) -> None:
        fresh_chat = 7_000_000_000 + next(_ids) % 10**9
        update = replace_fresh(update, {"id": fresh_chat, "update": next(_ids)})
        if malformed is not None:
            body = malformed
        else:
            body = json_object_bytes(update, readable) if is_pairs(update) else \
                json.dumps(update, ensure_ascii=not readable).encode("utf-8", "surrogatepass")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        chat_id = chat_of(update)
        valid_chat = type(chat_id) is int and 0 < chat_id < 2**52
        if valid_chat and chat_id != fresh_chat:
            replies.wait_for_all()  # a chat used before: count its replies once they are all in
        replies_before = len(stack.fake.sent_to(chat_id)) if valid_chat else 0
        status, answer = http(stack.servers.base + telegram.WEBHOOK, body, headers)
        if secret != telegram.SECRET:
            outcomes[f"HTTP {status}"] += 1
            assert status == 403, (status, answer[:300])
            return
        assert status == 200, (status, answer[:300])
        outcome = json.loads(answer)
        outcomes[" ".join(["HTTP 200", *(f"{k}={v}" for k, v in outcome.items() if k != "ok")])] += 1
        if outcome == {"ok": True}:  # taken as a person's message: it must be one, and gets a reply
            assert malformed is None and valid_chat, f"accepted an update without one private chat: {body[:300]!r}"
            again_status, again = http(stack.servers.base + telegram.WEBHOOK, body, headers)
            assert again_status == 200 and json.loads(again).get("duplicate") is True, again[:300]
            replies.expect(chat_id, replies_before + 1, body)

    with healthy_and_quiet(stack.servers, "/webhooks/telegram/") as outcomes:
        post()
        replies.wait_for_all()

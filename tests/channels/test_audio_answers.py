"""Audio answers end to end: a recording uploaded in the console (Flask test client) is heard on WhatsApp (a media
message whose link is signed, served by the Rasa server, and refused once expired or forged), on Telegram (a voice
message) and in the web chat (an audio player in Chromium); an answer without a recording is heard as synthetic
audio made on the first "escuchar"."""
from __future__ import annotations

import io
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.audio.signing import signature
from bot.content.repository import ContentRepository
from bot.staff.users import UserRepository
from tests.audio_files import probe, tone
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.servers import servers_with
from tests.channels.test_telegram import SECRET, TOKEN
from tests.channels.test_telegram import Stack as TelegramStack
from tests.channels.test_whatsapp import ACCOUNT_SID, AUTH_TOKEN, FROM, PUBLIC
from tests.channels.test_whatsapp import Stack as WhatsAppStack
from tests.console.conftest import PASSWORD, Browser

pytestmark = [pytest.mark.e2e, pytest.mark.model]

AUDIO_SECRET = "audio-url-secret-for-the-tests-0123"
RECORDED_TOPIC = "labour.h2a"


class Platforms:
    """Both fake platform APIs, closed together when the servers stop."""

    def __init__(self) -> None:
        self.twilio = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
        self.telegram = FakeTelegram(TOKEN)

    def close(self) -> None:
        self.twilio.close()
        self.telegram.close()


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("audio-files")


@pytest.fixture(scope="module")
def stack(tmp_path_factory, loaded_sqlite_template, audio_dir):
    """One Rasa server with WhatsApp, Telegram and the web chat, and the audio route."""
    platforms = Platforms()
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": FROM,
           "TWILIO_API_BASE_URL": platforms.twilio.base_url, "PUBLIC_BASE_URL": PUBLIC,
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_API_BASE_URL": platforms.telegram.base_url,
           "AUDIO_DIR": str(audio_dir), "AUDIO_URL_SECRET": AUDIO_SECRET}
    with servers_with(platforms, tmp_path_factory.mktemp("audio"), loaded_sqlite_template, env,
                      "/webhooks/whatsapp/") as servers:
        yield servers, platforms


@pytest.fixture(scope="module")
def recording(stack, audio_dir, tmp_path_factory) -> bytes:
    """An MP3 uploaded for the published Spanish H-2A answer through the console; the stored OGG/Opus file."""
    servers, _ = stack
    from _pytest.monkeypatch import MonkeyPatch

    from bot.settings import reset_settings
    from console import create_app

    patch = MonkeyPatch()
    for name, value in {"DATABASE_URL": servers.database_url, "AUDIO_DIR": str(audio_dir)}.items():
        patch.setenv(name, value)
    reset_settings()
    try:
        UserRepository(servers.database_url).create("eva", PASSWORD, "editor", actor="test")
        browser = Browser(create_app({"TESTING": True}).test_client())
        assert browser.login("eva").status_code == 302
        page = f"/content/answers/{RECORDED_TOPIC}/es"
        version = ContentRepository(servers.database_url).get_answer(RECORDED_TOPIC, "es").version
        mp3 = tone(tmp_path_factory.mktemp("upload") / "grabacion.mp3", seconds=3)
        response = browser.post(f"{page}/audio", {"version": str(version), "audio": (io.BytesIO(mp3), "g.mp3")},
                                token_from=page, content_type="multipart/form-data", follow_redirects=True)
        assert f"Grabación guardada para la versión {version}." in response.get_data(as_text=True)
    finally:
        patch.undo()
        reset_settings()
    [stored] = list(audio_dir.glob(f"{RECORDED_TOPIC}-es-*.ogg"))
    return stored.read_bytes()


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def wait_until(find, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("not found in time")


def test_whatsapp_sends_the_recording_as_media_through_a_signed_link_that_expires(stack, recording, tmp_path):
    servers, platforms = stack
    whatsapp = WhatsAppStack(servers, platforms.twilio)
    number = whatsapp.number()
    assert whatsapp.message(number, f"/{RECORDED_TOPIC}")[0] == 200
    answer = wait_until(lambda: [m for m in platforms.twilio.sent_to(number) if "Escuchar" in m.get("Body", "")])
    option = re.search(r"(\d+)\. Escuchar", answer[-1]["Body"]).group(1)
    assert whatsapp.message(number, option)[0] == 200
    [media] = wait_until(lambda: [m for m in platforms.twilio.sent_to(number) if m.get("MediaUrl")])
    link = media["MediaUrl"]
    assert link.startswith(f"{PUBLIC}/webhooks/audio/{RECORDED_TOPIC}-es-")

    local = servers.base + link[len(PUBLIC):]
    status, content_type, body = fetch(local)
    assert (status, content_type, body) == (200, "audio/ogg", recording)
    (tmp_path / "heard.ogg").write_bytes(body)
    assert probe(tmp_path / "heard.ogg")[0] == "opus"

    parts = urlsplit(local)
    key = parts.path.rsplit("/", 1)[1]
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    forged = query["sig"][:-1] + ("0" if query["sig"][-1] != "0" else "1")
    assert fetch(f"{servers.base}{parts.path}?exp={query['exp']}&sig={forged}")[0] == 403
    later = str(int(query["exp"]) + 3600)  # the same key, a later expiry: not signed by us
    assert fetch(f"{servers.base}{parts.path}?exp={later}&sig={query['sig']}")[0] == 403
    expired = str(int(time.time()) - 1)  # properly signed, but its time is over
    assert fetch(f"{servers.base}{parts.path}?exp={expired}&sig={signature_for(key, expired)}")[0] == 403
    assert fetch(f"{servers.base}{parts.path}?exp={query['exp']}&sig={query['sig']}")[0] == 200


def signature_for(key: str, expires: str) -> str:
    from bot.settings import load_settings

    return signature(key, int(expires), load_settings({"BRUJULA_ENV": "test", "AUDIO_URL_SECRET": AUDIO_SECRET}))


def test_telegram_sends_the_recording_as_a_voice_message(stack, recording):
    servers, platforms = stack
    telegram = TelegramStack(servers, platforms.telegram)
    user = telegram.user()
    telegram.send(user, f"/{RECORDED_TOPIC}")
    [listen] = wait_until(lambda: [b for m in platforms.telegram.sent_to(user["id"])
                                   for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
                                   if b["text"].endswith(". Escuchar")])
    telegram.press(user, listen["callback_data"])
    voices = wait_until(lambda: [p for method, p in platforms.telegram.calls
                                 if method == "sendVoice" and int(p["chat_id"]) == user["id"]])
    assert voices[0]["voice"] == recording


def test_the_web_chat_plays_synthetic_audio_of_an_answer_without_a_recording(stack, chromium, audio_dir):
    servers, _ = stack
    context = chromium.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{servers.base}/webhooks/webchat/chat")
        page.get_by_text("Privacidad", exact=False).wait_for(timeout=15000)
        page.get_by_label("Mensaje").fill("/reintegration.documents")
        page.keyboard.press("Enter")
        listen = page.get_by_role("button", name=re.compile(r"^\d+\. Escuchar$")).last
        listen.click()
        player = page.locator("audio").last
        player.wait_for(state="attached", timeout=30000)
        duration = page.wait_for_function(
            "() => { const a = [...document.querySelectorAll('audio')].pop();"
            " return a && a.readyState >= 1 && a.duration > 0 ? a.duration : false; }", timeout=15000).json_value()
        assert duration > 5
        status, content_type, _ = fetch(servers.base + player.get_attribute("src"))
        assert (status, content_type) == (200, "audio/ogg")
        assert list(audio_dir.glob("reintegration.documents-es-*.ogg"))  # made on the first request, and kept
    finally:
        context.close()


def test_on_whatsapp_siempre_con_audio_brings_every_answer_as_text_then_voice_until_solo_texto(stack, recording):
    """WhatsApp shows an audio reply as its words and numbered options, then the voice message (a media part)."""
    servers, platforms = stack
    whatsapp = WhatsAppStack(servers, platforms.twilio)
    number = whatsapp.number()

    def sent_after(count: int, find) -> list[dict]:
        return wait_until(lambda: [m for m in platforms.twilio.sent_to(number)[count:] if find(m)])

    def choose(title: str, message: dict) -> int:
        before = len(platforms.twilio.sent_to(number))
        assert whatsapp.message(number, re.search(rf"(\d+)\. {title}", message["Body"]).group(1))[0] == 200
        return before

    assert whatsapp.message(number, f"/{RECORDED_TOPIC}")[0] == 200
    answer = sent_after(0, lambda m: "Escuchar" in m.get("Body", ""))[-1]
    before = choose("Escuchar", answer)
    heard = sent_after(before, lambda m: "Siempre con audio" in m.get("Body", ""))[-1]
    sent_after(before, lambda m: m.get("MediaUrl"))
    before = choose("Siempre con audio", heard)
    sent_after(before, lambda m: "Desde ahora cada respuesta le llega también en audio" in m.get("Body", ""))

    before = len(platforms.twilio.sent_to(number))
    assert whatsapp.message(number, f"/{RECORDED_TOPIC}")[0] == 200
    [voice] = sent_after(before, lambda m: m.get("MediaUrl"))
    *written, options, media = platforms.twilio.sent_to(number)[before:]  # a long answer comes in parts
    assert media == voice and voice["MediaUrl"].startswith(f"{PUBLIC}/webhooks/audio/{RECORDED_TOPIC}-es-")
    words = "\n".join(m["Body"] for m in written)
    assert written and all(m.get("MediaUrl") is None for m in written) and words.startswith("Visa H-2A")
    assert "Menú principal" not in words and "Escuchar" not in words  # the answer alone, to read or forward
    assert options["Body"].startswith("Escuche la respuesta:") and "Solo texto" in options["Body"]

    before = choose("Solo texto", options)
    sent_after(before, lambda m: "Desde ahora le respondo solo con texto" in m.get("Body", ""))
    before = len(platforms.twilio.sent_to(number))
    assert whatsapp.message(number, f"/{RECORDED_TOPIC}")[0] == 200
    sent_after(before, lambda m: "Escuchar" in m.get("Body", ""))
    assert all(m.get("MediaUrl") is None for m in platforms.twilio.sent_to(number)[before:])

"""Small pure modules: redaction and pseudonyms, language detection, settings safety."""
from __future__ import annotations

import pytest

from bot.language import detect_language, requested_language
from bot.privacy import pseudonym, redact
from bot.safety import shows_immediate_danger
from bot.settings import LOCAL_DEFAULT_SECRET, SettingsError, load_settings


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("mi numero es 5555 1234 5", "5555"),
        ("call me at +1 (305) 555-0199", "555"),
        ("escribame a maria.lopez@gmail.com", "maria.lopez"),
        ("Me llamo Maria Lopez y quiero ir a Canada", "Maria"),
        ("my name is John and I need help", "John"),
    ],
)
def test_redact_removes_personal_data(text, hidden):
    assert hidden not in redact(text)


def test_redact_keeps_the_question():
    assert redact("visa h2a cuanto cuesta? tengo 25 años") == "visa h2a cuanto cuesta? tengo 25 años"


def test_pseudonym_is_stable_keyed_and_hides_the_number():
    first = pseudonym("secret-a" * 3, "whatsapp", "+50255551234")
    assert first == pseudonym("secret-a" * 3, "whatsapp", "+50255551234")
    assert first != pseudonym("secret-b" * 3, "whatsapp", "+50255551234")
    assert "5555" not in first


@pytest.mark.parametrize(
    "text, lang",
    [
        ("hola buenas, como saco la visa de trabajo", "es"),
        ("how do i apply for the farm work visa", "en"),
        ("¿cuánto cuesta?", "es"),
        ("ok", None),
        ("3", None),
        ("/labour.h2a", None),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text, lang",
    [("English", "en"), ("in english please", "en"), ("en español por favor", "es"), ("espanol", "es"),
     ("hola", None)],
)
def test_requested_language(text, lang):
    assert requested_language(text) == lang


@pytest.mark.parametrize(
    "text, danger",
    [
        ("auxilio me estan siguiendo", True),
        ("ME QUIEREN MATAR", True),
        ("help me they are going to kill us", True),
        ("que pasa si me secuestran en el camino", False),
        ("cuanto cobra un coyote", False),
        ("estamos encerrados en una bodega y no nos dejan salir", True),
        ("we are locked in a truck", True),
    ],
)
def test_immediate_danger_phrases(text, danger):
    assert shows_immediate_danger(text) is danger


def test_default_secrets_are_refused_outside_local_mode():
    assert load_settings({}).is_local
    with pytest.raises(SettingsError, match="PSEUDONYM_SECRET"):
        load_settings({"BRUJULA_ENV": "production"})
    with pytest.raises(SettingsError):
        load_settings({"BRUJULA_ENV": "production", "PSEUDONYM_SECRET": LOCAL_DEFAULT_SECRET,
                       "WEBCHAT_SECRET": "x" * 32})
    production = load_settings({"BRUJULA_ENV": "production", "PSEUDONYM_SECRET": "p" * 32,
                                "WEBCHAT_SECRET": "w" * 32, "DATABASE_URL": "postgresql://db/brujula"})
    assert production.database_url == "postgresql://db/brujula"


def test_unknown_environment_is_refused():
    with pytest.raises(SettingsError):
        load_settings({"BRUJULA_ENV": "staging-ish"})


def test_signature_checks_can_only_be_skipped_in_local_mode():
    assert load_settings({"WHATSAPP_SKIP_SIGNATURE": "true"}).whatsapp_skip_signature
    with pytest.raises(SettingsError, match="WHATSAPP_SKIP_SIGNATURE"):
        load_settings({"BRUJULA_ENV": "production", "PSEUDONYM_SECRET": "p" * 32, "WEBCHAT_SECRET": "w" * 32,
                       "WHATSAPP_SKIP_SIGNATURE": "1"})


def test_a_telegram_bot_needs_a_webhook_secret_outside_local_mode():
    base = {"BRUJULA_ENV": "production", "PSEUDONYM_SECRET": "p" * 32, "WEBCHAT_SECRET": "w" * 32,
            "TELEGRAM_BOT_TOKEN": "1:abc"}
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(base)
    assert load_settings({**base, "TELEGRAM_WEBHOOK_SECRET": "s" * 20}).telegram_bot_token == "1:abc"


def test_env_example_lists_every_setting():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    read = set(re.findall(r'env\.get\("([A-Z_]+)"', (root / "bot" / "settings.py").read_text()))
    listed = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.MULTILINE))
    assert read and not read - listed, f"missing from .env.example: {sorted(read - listed)}"

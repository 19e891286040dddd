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


PRODUCTION_SECRETS = {"PSEUDONYM_SECRET": "p" * 32, "WEBCHAT_SECRET": "w" * 32}


def test_production_is_the_default_and_refuses_the_published_secrets():
    assert load_settings({"BRUJULA_ENV": "local"}).is_local
    with pytest.raises(SettingsError, match="PSEUDONYM_SECRET"):
        load_settings({})
    with pytest.raises(SettingsError, match="PSEUDONYM_SECRET"):
        load_settings({"BRUJULA_ENV": "production"})
    with pytest.raises(SettingsError):
        load_settings({"BRUJULA_ENV": "production", "PSEUDONYM_SECRET": LOCAL_DEFAULT_SECRET,
                       "WEBCHAT_SECRET": "x" * 32})
    production = load_settings({**PRODUCTION_SECRETS, "DATABASE_URL": "postgresql://db/brujula"})
    assert production.environment.value == "production"
    assert production.database_url == "postgresql://db/brujula"


def test_unknown_environment_is_refused():
    with pytest.raises(SettingsError, match="BRUJULA_ENV"):
        load_settings({"BRUJULA_ENV": "staging-ish"})


@pytest.mark.parametrize("variable", ["TWILIO_API_BASE_URL", "TELEGRAM_API_BASE_URL"])
def test_api_base_url_overrides_are_honoured_in_test_mode_only(variable):
    assert getattr(load_settings({"BRUJULA_ENV": "test", variable: "http://127.0.0.1:9/"}),
                   variable.lower()) == "http://127.0.0.1:9"
    for environment in ({"BRUJULA_ENV": "local"}, {"BRUJULA_ENV": "production", **PRODUCTION_SECRETS}):
        with pytest.raises(SettingsError, match=f"{variable} is only allowed when BRUJULA_ENV=test"):
            load_settings({**environment, variable: "http://127.0.0.1:9"})


@pytest.mark.parametrize("variable, value", [("DEFAULT_LANGUAGE", "fr"), ("LOG_LEVEL", "chatty"),
                                             ("SEND_ATTEMPTS", "many"), ("DATABASE_CONNECT_TIMEOUT", "0")])
def test_bad_values_are_refused_with_the_variable_named(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load_settings({"BRUJULA_ENV": "local", variable: value})


def test_settings_are_read_once_per_process(set_env):
    from bot.settings import get_settings

    first = get_settings()
    import os

    os.environ["DEFAULT_LANGUAGE"] = "en"  # not through set_env: the running process keeps what it validated
    try:
        assert get_settings() is first and first.default_language == "es"
    finally:
        del os.environ["DEFAULT_LANGUAGE"]


def test_signature_checks_can_only_be_skipped_in_local_mode():
    assert load_settings({"BRUJULA_ENV": "local", "WHATSAPP_SKIP_SIGNATURE": "true"}).whatsapp_skip_signature
    for environment in ({"BRUJULA_ENV": "test"}, {"BRUJULA_ENV": "production", **PRODUCTION_SECRETS}):
        with pytest.raises(SettingsError, match="WHATSAPP_SKIP_SIGNATURE"):
            load_settings({**environment, "WHATSAPP_SKIP_SIGNATURE": "1"})


def test_a_telegram_bot_needs_a_webhook_secret_in_production():
    base = {**PRODUCTION_SECRETS, "TELEGRAM_BOT_TOKEN": "1:abc"}
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(base)
    assert load_settings({**base, "TELEGRAM_WEBHOOK_SECRET": "s" * 20}).telegram_bot_token == "1:abc"


def test_env_example_lists_every_setting():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    from bot.settings import Settings

    read = {field.upper() for field in Settings.__fields__ if field != "environment"} | {"BRUJULA_ENV"}
    listed = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.MULTILINE))
    assert read and not read - listed, f"missing from .env.example: {sorted(read - listed)}"


# --- redaction with spaCy (names found by es_core_news_sm) and street-level places --------------------


@pytest.mark.parametrize(
    "text, hidden, kept",
    [
        ("Hola, soy Juan Pérez y necesito ayuda", "Juan", "necesito ayuda"),
        ("Buenas tardes, mi esposo Pedro Ramírez fue deportado ayer desde Houston", "Ramírez", "Houston"),
        ("Mi hermana Ana Lucía García vive en Flores Petén", "García", "Flores Petén"),
        ("Estoy en Tapachula con mi primo Carlos", "Carlos", "Tapachula"),
        ("Estoy en Mixco. Mi hermano Julio Cesar Ortiz no contesta", "Ortiz", "Mixco"),
        ("la señora Ana López me ayudó en Cobán", "López", "Cobán"),
        ("El señor Carlos Flores me ofreció trabajo en Chiquimula", "Carlos Flores", "Chiquimula"),
        ("vivo en la 5a avenida 3-21 zona 1 de Huehuetenango", "3-21", "Huehuetenango"),
        ("mi casa está en la calle Real 23 de Mixco", "Real 23", "Mixco"),
        ("calle 5 #12-34 zona 1, Quetzaltenango", "12-34", "Quetzaltenango"),
        ("nos asaltaron en el km 18 carretera a El Salvador", "18", "carretera"),
        ("vivo en la colonia El Milagro zona 6 de Mixco", "Milagro", "Mixco"),
        ("somos de la aldea san juan del obispo, Sacatepéquez", "obispo", "Sacatepéquez"),
        ("casa 12 lote 5 en Villa Nueva", "12", "Villa Nueva"),
        ("I live at 123 Main Street in Houston", "Main", "Houston"),
        ("llámeme al 5555-1234 o al +502 4455 6677", "4455", "llámeme"),
        ("escríbame a pedro.ramirez@yahoo.com desde Tijuana", "pedro.ramirez", "Tijuana"),
    ],
)
def test_redact_removes_names_and_addresses_and_keeps_places(text, hidden, kept):
    redacted = redact(text)
    assert hidden not in redacted, redacted
    assert kept in redacted, redacted


@pytest.mark.parametrize(
    "text",
    [
        "Estoy en San Marcos y quiero ir a Quetzaltenango",
        "Vivo en Santa Rosa de Lima y necesito trabajo",
        "me dejaron en la calle sin dinero",
        "en la aldea hay trabajo?",
        "vivo a 3 calles del parque",
        "gracias a Dios estoy bien",
        "Hola Brújula, necesito ayuda con la visa H-2A",
        "I'm in El Paso, Texas and need help",
    ],
)
def test_redact_leaves_ordinary_text_and_place_names_alone(text):
    assert redact(text) == text


def test_redact_uses_the_placeholders():
    redacted = redact("Soy Juan Pérez, vivo en la colonia El Milagro, mi correo es juan@ejemplo.com")
    assert "[nombre]" in redacted and "[lugar]" in redacted and "[correo]" in redacted


def test_redact_never_raises():
    assert redact(None) == ""  # type: ignore[arg-type]
    assert redact("") == ""
    assert redact("🙂🙂") == "🙂🙂"


def test_redact_falls_back_to_regular_expressions_and_warns_once(monkeypatch, caplog):
    import bot.privacy as privacy

    def broken_loader():
        raise OSError("model not installed")

    monkeypatch.setattr(privacy, "_NLP", None)
    monkeypatch.setattr(privacy, "_NLP_FAILED", False)
    monkeypatch.setattr(privacy, "_load_model", broken_loader)
    with caplog.at_level("WARNING", logger="bot.privacy"):
        first = redact("Me llamo Ana, vivo en la colonia El Milagro, llame al 5555 1234")
        second = redact("mi correo es ana@ejemplo.com y Pedro Ramírez es mi primo")
    assert first == "Me llamo [nombre], vivo en la [lugar], llame al [teléfono]"
    assert second == "mi correo es [correo] y Pedro Ramírez es mi primo"  # no model: NER names stay
    warnings = [r for r in caplog.records if "regular expressions only" in r.getMessage()]
    assert len(warnings) == 1


def test_redact_survives_a_model_that_fails_while_running(monkeypatch):
    import bot.privacy as privacy

    class Broken:
        def __call__(self, text):
            raise RuntimeError("boom")

    monkeypatch.setattr(privacy, "_NLP", Broken())
    assert privacy.redact("llame al 5555 1234, soy Pedro Ramírez") == "llame al [teléfono], soy Pedro Ramírez"


def test_the_redaction_model_is_loaded_once():
    import bot.privacy as privacy

    redact("Hola, soy Juan Pérez")
    model = privacy._NLP
    redact("Hola, soy Ana López")
    assert model is not None and privacy._NLP is model and model.pipe_names == ["ner"]

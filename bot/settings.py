"""All configuration, read once from environment variables with safe local defaults.

Every variable is listed in `.env.example`. In local mode (the default) everything works with no
set-up: a SQLite file under `var/`, development secrets. Outside local mode, default secrets are refused
so a deployment cannot run with values that are published in this repository.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Published in this repository, so only acceptable on a developer's machine.
LOCAL_DEFAULT_SECRET = "local-development-secret-not-for-production"

SECRET_VARIABLES = ("PSEUDONYM_SECRET", "WEBCHAT_SECRET")


class SettingsError(RuntimeError):
    """Configuration that must not be used (e.g. a default secret in production)."""


@dataclass(frozen=True)
class Settings:
    environment: str = "local"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'brujula.db'}"
    database_connect_timeout: int = 3
    pseudonym_secret: str = LOCAL_DEFAULT_SECRET
    webchat_secret: str = LOCAL_DEFAULT_SECRET
    default_language: str = "es"
    log_level: str = "INFO"
    content_dir: Path = field(default=PROJECT_ROOT / "content")
    # Public address the messaging platforms call, e.g. https://brujula.example.org (no trailing slash).
    # Webhook signatures are checked against it, so a reverse proxy in front does not break them.
    public_base_url: str = "http://localhost:5005"
    # WhatsApp through Twilio
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_whatsapp_from: str = ""  # e.g. whatsapp:+14155238886
    twilio_api_base_url: str = ""  # only for tests: a local fake of api.twilio.com
    twilio_template_content_sid: str = ""  # approved Content template for messages outside the 24 h window
    twilio_timeout_seconds: float = 10.0
    whatsapp_skip_signature: bool = False  # local development only; refused outside local mode
    # Telegram
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = ""  # only for tests: a local fake of api.telegram.org, e.g. http://127.0.0.1:9/bot
    telegram_staff_chat_id: str = ""  # the caseworkers' group; other groups are ignored
    telegram_timeout_seconds: float = 10.0
    # Delivery retries (all channels)
    send_attempts: int = 3
    send_backoff_seconds: float = 1.0
    outbox_retry_interval_seconds: float = 30.0

    @property
    def is_local(self) -> bool:
        return self.environment == "local"

    def check(self) -> "Settings":
        """Refuse unsafe values outside local mode; return self for chaining."""
        if self.environment not in ("local", "test", "production"):
            raise SettingsError(
                f"BRUJULA_ENV must be local, test or production, not {self.environment!r}"
            )
        if not self.is_local:
            for name in SECRET_VARIABLES:
                value = getattr(self, name.lower())
                if value == LOCAL_DEFAULT_SECRET or len(value) < 16:
                    raise SettingsError(
                        f"{name} must be set to a private value of 16+ characters "
                        f"when BRUJULA_ENV={self.environment}"
                    )
            if self.telegram_bot_token and len(self.telegram_webhook_secret) < 16:
                raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be 16+ characters when a bot token is set")
            if self.whatsapp_skip_signature:
                raise SettingsError("WHATSAPP_SKIP_SIGNATURE is only allowed when BRUJULA_ENV=local")
        if self.default_language not in ("es", "en"):
            raise SettingsError("DEFAULT_LANGUAGE must be 'es' or 'en'")
        return self


def load_settings(environ: "os._Environ[str] | dict[str, str] | None" = None) -> Settings:
    """Build settings from the environment (or a given mapping, for tests)."""
    env = os.environ if environ is None else environ
    defaults = Settings()
    return Settings(
        environment=env.get("BRUJULA_ENV", defaults.environment).strip().lower(),
        database_url=env.get("DATABASE_URL", defaults.database_url),
        database_connect_timeout=int(
            env.get("DATABASE_CONNECT_TIMEOUT", defaults.database_connect_timeout)
        ),
        pseudonym_secret=env.get("PSEUDONYM_SECRET", defaults.pseudonym_secret),
        webchat_secret=env.get("WEBCHAT_SECRET", defaults.webchat_secret),
        default_language=env.get("DEFAULT_LANGUAGE", defaults.default_language),
        log_level=env.get("LOG_LEVEL", defaults.log_level).upper(),
        content_dir=Path(env.get("CONTENT_DIR", str(defaults.content_dir))),
        public_base_url=env.get("PUBLIC_BASE_URL", defaults.public_base_url).rstrip("/"),
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
        twilio_whatsapp_from=env.get("TWILIO_WHATSAPP_FROM", ""),
        twilio_api_base_url=env.get("TWILIO_API_BASE_URL", "").rstrip("/"),
        twilio_template_content_sid=env.get("TWILIO_TEMPLATE_CONTENT_SID", ""),
        twilio_timeout_seconds=float(env.get("TWILIO_TIMEOUT_SECONDS", defaults.twilio_timeout_seconds)),
        whatsapp_skip_signature=_flag(env.get("WHATSAPP_SKIP_SIGNATURE", "")),
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
        telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", "").rstrip("/"),
        telegram_staff_chat_id=env.get("TELEGRAM_STAFF_CHAT_ID", ""),
        telegram_timeout_seconds=float(env.get("TELEGRAM_TIMEOUT_SECONDS", defaults.telegram_timeout_seconds)),
        send_attempts=int(env.get("SEND_ATTEMPTS", defaults.send_attempts)),
        send_backoff_seconds=float(env.get("SEND_BACKOFF_SECONDS", defaults.send_backoff_seconds)),
        outbox_retry_interval_seconds=float(
            env.get("OUTBOX_RETRY_INTERVAL_SECONDS", defaults.outbox_retry_interval_seconds)
        ),
    ).check()


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def get_settings() -> Settings:
    """Current settings. Read on every call: cheap, and tests can change the environment."""
    return load_settings()

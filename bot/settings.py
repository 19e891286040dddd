"""All configuration, from environment variables, validated once when a process starts.

Every variable is listed in `.env.example`. The mode is `BRUJULA_ENV`:

- `production` (the default when it is not set): published default secrets and test-only overrides are refused,
  so a deployment that forgets a variable fails at start instead of running on values from this repository;
- `local` (set by `make run`): development secrets and a SQLite file under `var/` are fine;
- `test` (set by the test suite): like local, and the `*_API_BASE_URL` overrides that point the Twilio and
  Telegram clients at local fakes are honoured. Nowhere else: one stray variable would send the Twilio auth
  token and every reply to another host.

Processes call `get_settings()` (or `validate_at_start()`) when they start; the result is kept for the life of
the process. Tests that change the environment call `reset_settings()`.
"""
from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Optional

from pydantic import BaseSettings, Field, ValidationError, root_validator, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Published in this repository, so only acceptable on a developer's machine or in tests.
LOCAL_DEFAULT_SECRET = "local-development-secret-not-for-production"
SECRET_VARIABLES = ("pseudonym_secret", "webchat_secret")
# Secrets that only one process needs, checked by that process at start (Settings.require_secret).
PROCESS_SECRETS = ("console_secret_key",)
TEST_ONLY_OVERRIDES = ("twilio_api_base_url", "telegram_api_base_url")
LANGUAGE_CODES = ("es", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")


class SettingsError(RuntimeError):
    """Configuration that must not be used (a default secret in production, a bad value...)."""


class Environment(str, enum.Enum):
    LOCAL = "local"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    environment: Environment = Field(Environment.PRODUCTION, env="BRUJULA_ENV")
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'brujula.db'}"
    database_connect_timeout: int = Field(3, ge=1, le=60)
    pseudonym_secret: str = LOCAL_DEFAULT_SECRET
    webchat_secret: str = LOCAL_DEFAULT_SECRET
    default_language: str = "es"
    log_level: str = "INFO"
    # text | json (one JSON object per line); empty means json in production, text in local and test.
    log_format: str = ""
    # Also write the logs to this file, rotated by size (one file per process: rotation is not shared).
    log_file: Optional[Path] = None
    log_file_max_mb: int = Field(50, ge=1, le=10_000)
    log_file_backups: int = Field(5, ge=0, le=100)
    content_dir: Path = PROJECT_ROOT / "content"
    # `bot content check` lists texts whose newest source is older than this.
    content_max_age_months: int = Field(12, ge=1, le=120)
    # Public address the messaging platforms call, e.g. https://brujula.example.org (no trailing slash).
    # Webhook signatures are checked against it, so a reverse proxy in front does not break them.
    public_base_url: str = "http://localhost:5005"
    # The staff console (console/): its own process and port; the key signs its session cookies.
    console_secret_key: str = LOCAL_DEFAULT_SECRET
    console_host: str = "127.0.0.1"
    console_port: int = Field(5100, ge=1, le=65535)
    console_session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    # Wrong passwords allowed per minute, per username and per address, before logins are refused for a minute.
    console_login_attempts_per_minute: int = Field(6, ge=1, le=100)
    # Headless browser for the browser tests (Debian's chromium).
    chromium_path: str = "/usr/bin/chromium"
    # WhatsApp through Twilio
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_whatsapp_from: str = ""  # e.g. whatsapp:+14155238886
    twilio_api_base_url: str = ""  # test mode only: a local fake of api.twilio.com
    twilio_template_content_sid: str = ""  # approved Content template for messages outside the 24 h window
    twilio_timeout_seconds: float = Field(10.0, gt=0)
    # Sends to Twilio at the same time (aiohttp connector limit); more wait their turn.
    twilio_connection_pool_size: int = Field(8, ge=1, le=100)
    whatsapp_skip_signature: bool = False  # local development only
    # Telegram
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = ""  # test mode only: a local fake of api.telegram.org
    telegram_staff_chat_id: str = ""  # the caseworkers' group; other groups are ignored
    telegram_timeout_seconds: float = Field(10.0, gt=0)
    # Requests to the Bot API at the same time (PTB's HTTPXRequest connection pool); more wait their turn.
    telegram_connection_pool_size: int = Field(8, ge=1, le=100)
    # Delivery retries (all channels)
    send_attempts: int = Field(3, ge=1, le=10)
    send_backoff_seconds: float = Field(1.0, ge=0)
    outbox_retry_interval_seconds: float = Field(30.0, gt=0)
    # A WhatsApp or Telegram message acknowledged but not answered within this time (its server died) is taken
    # over by another server; longer than Rasa's conversation lock lifetime (TICKET_LOCK_LIFETIME, 60 s).
    inbound_reclaim_seconds: float = Field(90.0, gt=0)
    inbound_check_seconds: float = Field(10.0, gt=0)  # how often each server looks for such messages
    # A reply reads the conversation's last this-many events (plus the session start and the latest slot values):
    # its cost stays bounded however long the conversation (bot/tooling/tracker_store.py).
    tracker_window_events: int = Field(100, ge=20, le=100_000)
    # How long the Rasa server waits for the action server before answering with the apology (Rasa's own: 5 min).
    action_timeout_seconds: float = Field(20.0, gt=0, le=300)
    # A reply that still fails with a passing error (timeout, network, 429, 5xx) after this many tries in all, or
    # this many hours after it was queued, is marked failed (`bot outbox` lists it). Errors that can never pass (a
    # malformed recipient, another 4xx) fail at the first try.
    outbox_max_attempts: int = Field(60, ge=1, le=10_000)
    outbox_max_age_hours: float = Field(24.0, gt=0)
    # A reply still "sending" after this long was left by a process that died: it is sent again (longer than a
    # round of attempts takes: SEND_ATTEMPTS x the platform timeout, with backoff).
    outbox_stale_sending_seconds: float = Field(120.0, ge=5)
    # Handoff to a person (bot/handoff): office hours in local time, and when a waiting person gets the holding
    # message ("nobody has answered yet").
    handoff_time_zone: str = "America/Guatemala"
    handoff_office_days: str = "1-5"  # ISO weekdays, 1 = Monday: "1-5" or "1,2,3,4,5"
    handoff_office_hours: str = "08:00-17:00"
    handoff_holding_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    # How often the server looks for holding messages that are due and new cases to alert the staff group about.
    handoff_check_seconds: float = Field(30.0, gt=0)
    # Privacy: conversations, cases, replies and unanswered questions are deleted after this many days
    # (`bot retention run`, also run once a day by the Rasa server).
    retention_days: int = Field(180, ge=1, le=3650)
    # Audio answers (bot/audio): files on disk under AUDIO_DIR, uploads up to AUDIO_MAX_MB, links to them signed
    # (HMAC with AUDIO_URL_SECRET, or a key derived from PSEUDONYM_SECRET when empty) and valid this long.
    audio_dir: Path = PROJECT_ROOT / "var" / "audio"
    audio_max_mb: float = Field(10.0, gt=0, le=200)
    audio_url_ttl_seconds: int = Field(3600, ge=10, le=7 * 24 * 3600)
    audio_url_secret: str = ""

    class Config:
        case_sensitive = False
        anystr_strip_whitespace = True

    @validator("environment", pre=True)
    def _lower_environment(cls, value):  # noqa: N805 - pydantic validators are class methods
        return value.strip().lower() if isinstance(value, str) else value

    @validator("log_level", pre=True)
    def _log_level(cls, value):  # noqa: N805
        value = str(value).strip().upper()
        if value not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value

    @validator("log_format", always=True)
    def _log_format(cls, value, values):  # noqa: N805
        value = str(value or "").strip().lower()
        if not value:
            return "json" if values.get("environment") is Environment.PRODUCTION else "text"
        if value not in LOG_FORMATS:
            raise ValueError(f"must be one of {', '.join(LOG_FORMATS)}")
        return value

    @validator("log_file", pre=True)
    def _no_log_file_when_empty(cls, value):  # noqa: N805
        return value or None

    @validator("audio_dir", pre=True)
    def _default_audio_dir_when_empty(cls, value):  # noqa: N805
        return value or PROJECT_ROOT / "var" / "audio"

    @validator("default_language")
    def _language(cls, value):  # noqa: N805
        if value not in LANGUAGE_CODES:
            raise ValueError(f"must be one of {', '.join(LANGUAGE_CODES)}")
        return value

    @validator("handoff_time_zone")
    def _time_zone(cls, value):  # noqa: N805
        from bot.handoff.policy import parse_zone

        parse_zone(value)
        return value

    @validator("handoff_office_days")
    def _office_days(cls, value):  # noqa: N805
        from bot.handoff.policy import parse_days

        parse_days(value)
        return value

    @validator("handoff_office_hours")
    def _office_hours(cls, value):  # noqa: N805
        from bot.handoff.policy import parse_hours

        parse_hours(value)
        return value

    @validator("public_base_url", "twilio_api_base_url", "telegram_api_base_url")
    def _no_trailing_slash(cls, value):  # noqa: N805
        return value.rstrip("/")

    @root_validator(skip_on_failure=True)
    def _fail_closed(cls, values):  # noqa: N805
        environment = values["environment"]
        if environment is not Environment.TEST:
            for name in TEST_ONLY_OVERRIDES:
                if values.get(name):
                    raise ValueError(f"{name.upper()} is only allowed when BRUJULA_ENV=test")
        if environment is Environment.PRODUCTION:
            for name in SECRET_VARIABLES:
                value = values.get(name) or ""
                if value == LOCAL_DEFAULT_SECRET or len(value) < 16:
                    raise ValueError(f"{name.upper()} must be set to a private value of 16+ characters "
                                     "(BRUJULA_ENV is production unless set to local or test)")
            if values.get("telegram_bot_token") and len(values.get("telegram_webhook_secret") or "") < 16:
                raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 16+ characters when a bot token is set")
        if environment is not Environment.LOCAL and values.get("whatsapp_skip_signature"):
            raise ValueError("WHATSAPP_SKIP_SIGNATURE is only allowed when BRUJULA_ENV=local")
        return values

    def require_secret(self, name: str) -> str:
        """A secret only some processes need (the console's key): refused in production when it is the
        published default or shorter than 16 characters."""
        value = getattr(self, name) or ""
        if self.environment is Environment.PRODUCTION and (value == LOCAL_DEFAULT_SECRET or len(value) < 16):
            raise SettingsError(f"{name.upper()} must be set to a private value of 16+ characters "
                                "(BRUJULA_ENV is production unless set to local or test)")
        return value

    @property
    def is_local(self) -> bool:
        return self.environment is Environment.LOCAL

    @property
    def is_test(self) -> bool:
        return self.environment is Environment.TEST


class _FromMapping(Settings):
    """Settings from a given mapping only (the process environment is not read)."""

    class Config:
        @classmethod
        def customise_sources(cls, init_settings, env_settings, file_secret_settings):
            return (init_settings,)


def _one_line(error: ValidationError) -> str:
    reasons = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"] if part != "__root__")
        variable = "BRUJULA_ENV" if field == "environment" else field.upper()
        reasons.append(f"{variable}: {item['msg']}" if field else item["msg"])
    return "; ".join(reasons)


def load_settings(environ: Optional[dict[str, str]] = None) -> Settings:
    """Settings from the environment (or from a given mapping, for tests); SettingsError with one line if bad."""
    try:
        if environ is None:
            return Settings()
        known = {name.upper() for name in Settings.__fields__} | {"BRUJULA_ENV"}
        values = {k.lower(): v for k, v in environ.items() if k.upper() in known}
        if "brujula_env" in values:
            values["environment"] = values.pop("brujula_env")
        return _FromMapping(**values)
    except ValidationError as error:
        raise SettingsError(_one_line(error)) from None


_current: Optional[Settings] = None


def get_settings() -> Settings:
    """The process's settings, read and validated on the first call."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def reset_settings() -> None:
    """Forget the settings, so the next call reads the environment again (tests only)."""
    global _current
    _current = None


def validate_at_start(process: str) -> Settings:
    """Called once where a server process starts: bad configuration stops it with a one-line reason."""
    try:
        return get_settings()
    except SettingsError as error:
        print(f"{process}: configuration error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None

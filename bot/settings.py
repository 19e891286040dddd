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
    ).check()


def get_settings() -> Settings:
    """Current settings. Read on every call: cheap, and tests can change the environment."""
    return load_settings()

"""Signed, expiring links to audio files: /webhooks/audio/<key>?exp=<unix time>&sig=<HMAC-SHA256 of key and exp>.
WhatsApp (Twilio fetches the media) and the web chat get such links; nobody can list or guess the others."""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Optional
from urllib.parse import urlencode

from bot.settings import Settings, get_settings

ROUTE = "/webhooks/audio"


def _secret(settings: Settings) -> bytes:
    if settings.audio_url_secret:
        return settings.audio_url_secret.encode()
    # A key of its own, derived from the pseudonym secret: a link's signature reveals nothing about that secret.
    return hmac.new(settings.pseudonym_secret.encode(), b"audio-url", hashlib.sha256).digest()


def signature(key: str, expires: int, settings: Optional[Settings] = None) -> str:
    message = f"{key}:{expires}".encode()
    return hmac.new(_secret(settings or get_settings()), message, hashlib.sha256).hexdigest()


def signed_path(key: str, now: Optional[float] = None, settings: Optional[Settings] = None) -> str:
    """The path and query of a link to `key`, valid for AUDIO_URL_TTL_SECONDS from now."""
    settings = settings or get_settings()
    expires = int((now if now is not None else time.time()) + settings.audio_url_ttl_seconds)
    return f"{ROUTE}/{key}?" + urlencode({"exp": expires, "sig": signature(key, expires, settings)})


def signed_url(key: str, now: Optional[float] = None, settings: Optional[Settings] = None) -> str:
    """The full link, under PUBLIC_BASE_URL (what a platform such as Twilio fetches)."""
    settings = settings or get_settings()
    return settings.public_base_url + signed_path(key, now, settings)


def link_valid(key: str, expires: object, given: object, now: Optional[float] = None) -> bool:
    """Whether a link's `exp` and `sig` are ours and it has not expired."""
    if not isinstance(expires, str) or not expires.isascii() or not expires.isdigit() or len(expires) > 12:
        return False
    if not isinstance(given, str) or not given.isascii():
        return False
    if int(expires) < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature(key, int(expires)).encode(), given.encode())

"""How an audio answer travels from the actions to the channels.

The action's message carries `attachment={"audio": <key>}`; a channel turns it into what its platform needs
(a signed link, a voice message). In the outbox, an audio part's `media_url` is the reference "audio:<key>", so
the link is signed when the part is sent (an hour-long link in a reply retried later would have expired)."""
from __future__ import annotations

from typing import Any, Optional

from bot.audio.storage import valid_key

REFERENCE_PREFIX = "audio:"


def attachment(key: str) -> dict[str, str]:
    return {"audio": key}


def audio_key(message: dict[str, Any]) -> Optional[str]:
    """The audio key a Rasa message carries, or None."""
    value = message.get("attachment")
    key = value.get("audio") if isinstance(value, dict) else None
    return key if valid_key(key) else None


def reference(key: str) -> str:
    return REFERENCE_PREFIX + key


def referenced_key(media_url: Optional[str]) -> Optional[str]:
    """The key of an outbox part's "audio:<key>" reference; None for a real URL or nothing."""
    if not media_url or not media_url.startswith(REFERENCE_PREFIX):
        return None
    key = media_url[len(REFERENCE_PREFIX):]
    return key if valid_key(key) else None

"""Keeping personal data out of logs and analytics.

`redact` removes phone numbers, e-mail addresses and self-introduced names from free text before it is
stored (e.g. the unanswered-questions log). `pseudonym` turns a channel's user id (phone number, Telegram
id) into a stable keyed pseudonym, so Rasa never sees the real id.
"""
from __future__ import annotations

import hashlib
import hmac
import re

PHONE_PLACEHOLDER = "[teléfono]"
EMAIL_PLACEHOLDER = "[correo]"
NAME_PLACEHOLDER = "[nombre]"

# 7+ digits, optionally with a leading + and spaces, dots or dashes between groups.
_PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s.\-()]*\d){6,}(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "me llamo Ana Lucía", "mi nombre es ...", "my name is ...": up to three capitalised or plain words.
_NAME = re.compile(
    r"(?i)\b(me llamo|mi nombre es|my name is|i am called|soy el señor|soy la señora)\s+"
    r"([^\W\d_]+(?:\s+[^\W\d_]+){0,2})"
)


def redact(text: str) -> str:
    """Replace phone numbers, e-mails and introduced names with placeholders."""
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    text = _PHONE.sub(PHONE_PLACEHOLDER, text)
    return _NAME.sub(lambda m: f"{m.group(1)} {NAME_PLACEHOLDER}", text)


def pseudonym(secret: str, channel: str, user_id: str) -> str:
    """Stable, keyed, non-reversible sender id for a channel user (HMAC-SHA256, 32 hex chars)."""
    digest = hmac.new(secret.encode(), f"{channel}:{user_id}".encode(), hashlib.sha256)
    return f"{channel}-{digest.hexdigest()[:32]}"

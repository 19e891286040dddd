"""Cleaning what users send before it reaches Rasa (shared by every channel)."""
from __future__ import annotations

import unicodedata

MAX_MESSAGE_CHARS = 1000  # longer messages are cut (at a word boundary) before understanding


def clean_text(raw: object) -> str:
    """Printable, NFC-normalised text of at most MAX_MESSAGE_CHARS; "" for anything unusable."""
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFC", str(raw))
    text = "".join(
        ch for ch in text
        if ch in "\n\t" or (unicodedata.category(ch)[0] != "C" and ch != "\ufffd")
    )
    # Collapse runs of spaces but keep line breaks (people write lists).
    text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    text = text.strip()
    if len(text) > MAX_MESSAGE_CHARS:
        cut = text[:MAX_MESSAGE_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut[-80:] else cut
    return text

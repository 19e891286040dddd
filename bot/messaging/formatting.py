"""Turning the assistant's messages into what a text-only channel can show.

Buttons become a numbered list ("1. Visa H-2A"); the person's "1" goes to the assistant as typed and picks
from the options kept in the conversation (bot.language.options). Long texts are split on paragraph, then
sentence, then word boundaries, never in the middle of a word, and the parts keep their order.
"""
from __future__ import annotations

import re
from typing import Sequence


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, cut at the best boundary available."""
    text = (text or "").strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit + 1]
        cut = -1
        for pattern in (r"\n\s*\n", r"\n", r"(?<=[.!?])\s", r"\s"):
            matches = [m for m in re.finditer(pattern, window) if m.start() > limit // 3]
            if matches:
                cut = matches[-1].start()
                break
        if cut <= 0:
            cut = limit  # one very long word: cut it
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def numbered_options(buttons: Sequence[dict]) -> str:
    return "\n".join(f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, start=1))


def with_options(text: str, buttons: Sequence[dict]) -> str:
    """The message text followed by its options as a numbered list."""
    if not buttons:
        return text or ""
    return f"{text}\n\n{numbered_options(buttons)}" if text else numbered_options(buttons)

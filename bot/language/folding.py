"""One way to compare what people type: lower case, accents removed.

People write "cómo", "como" and "komo" for the same word, and "ñ" is often typed "n": every comparison of
user text (understanding, language detection, danger phrases, option titles) goes through `fold`.
"""
from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    """Lower case without accents or tildes: "¿Cómo llegó a España?" -> "¿como llego a espana?"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of a text, punctuation dropped: "¡Opción 2!" -> ["opcion", "2"]."""
    return _NOT_WORD.sub(" ", fold(text)).split()


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji, symbols or punctuation)."""
    return any(ch.isalnum() for ch in text or "")

"""Numbered options: the one parser for "2", "opción 3", "la dos", "#4", used by every channel.

Replies offer options as buttons; text channels show them as a numbered list, and the options shown last are
kept in the conversation (the `last_options` slot), so a number picks from what the person saw.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.language.folding import fold, words

_DIGITS = re.compile(r"\d{1,3}")
# The whole message is a choice: "2", "2.", "opcion 3", "option #4", "numero 1", "la dos", "the second one".
_CHOICE = re.compile(
    r"^\s*(?:(?:la|el|opcion|option|numero|number|no\.?|#|the)\s*)*(\d{1,2}|[a-z]+)\s*(?:one|opcion)?\s*[.)!]?\s*$"
)
NUMBER_WORDS = {
    "cero": 0, "uno": 1, "una": 1, "primera": 1, "primero": 1, "dos": 2, "segunda": 2, "segundo": 2,
    "tres": 3, "tercera": 3, "tercero": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "zero": 0, "one": 1, "first": 1, "two": 2,
    "second": 2, "three": 3, "third": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}


def _number(token: str) -> Optional[int]:
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


def option_number(text: str) -> Optional[int]:
    """The option number of a message that is only a choice ("2", "opción 3", "la dos"); else None."""
    match = _CHOICE.match(fold(text))
    return _number(match.group(1)) if match else None


def mentioned_number(text: str) -> Optional[int]:
    """The first option number mentioned anywhere in a message ("quiero la 3 porfa"); else None."""
    match = _DIGITS.search(text or "")
    if match:
        return int(match.group())
    for token in words(text):
        if token in NUMBER_WORDS:
            return NUMBER_WORDS[token]
    return None

"""Cleaning what users send before it reaches Rasa (shared by every channel), and reading shared locations."""
from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Optional

MAX_MESSAGE_CHARS = 1000  # longer messages are cut (at a word boundary) before understanding
# Only the start of a huge message is looked at, so cleaning takes the same time for 20,000 or 2,000,000 characters.
RAW_CHARS_READ = 20 * MAX_MESSAGE_CHARS
LOCATION_INTENT = "/shared_location"
INVALID_COORDINATE = "invalid"  # what a channel passes on for a coordinate it could not read
# A plain decimal number in ASCII digits: float() would also take "١٥", "1_5", "nan" or "inf".
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def clean_text(raw: object) -> str:
    """Printable, NFC-normalised text of at most MAX_MESSAGE_CHARS; "" for anything unusable."""
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFC", str(raw)[:RAW_CHARS_READ])
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


def coordinate(value: object, limit: float) -> Optional[float]:
    """A latitude (limit 90) or longitude (limit 180) given as a number or as decimal text; None for anything that
    is not a finite number within ±limit (booleans, NaN, infinities, integers too large for a float, other text)."""
    if isinstance(value, str):
        if len(value) > 64 or not _DECIMAL.fullmatch(value.strip()):
            return None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def location_payload(latitude: object, longitude: object) -> str:
    """The message for Rasa of a shared location. A coordinate that is not valid is passed on as "invalid", so the
    assistant says the location looks wrong rather than asking for one."""
    values = {"latitude": coordinate(latitude, 90), "longitude": coordinate(longitude, 180)}
    return LOCATION_INTENT + json.dumps({name: INVALID_COORDINATE if value is None else value
                                         for name, value in values.items()})

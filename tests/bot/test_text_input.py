"""What every channel does with what people send before Rasa sees it: cleaning text, reading coordinates."""
from __future__ import annotations

import json
import time

import pytest

from bot.messaging.text_input import MAX_MESSAGE_CHARS, clean_text, coordinate, location_payload


@pytest.mark.parametrize("raw, expected", [
    ("  visa\x00 h2a  ", "visa h2a"),
    ("\u200fhola\u200b \ud800mundo\ufeff", "hola mundo"),  # direction mark, zero-width, lone surrogate, BOM
    (b"hola \xff", "hola"),
    (None, ""),
    (12345, "12345"),
])
def test_text_is_printable_and_normalised(raw, expected):
    assert clean_text(raw) == expected


def test_a_huge_message_is_cut_at_a_word_and_cleaned_as_fast_as_a_short_one():
    started = time.monotonic()
    text = clean_text("visa " * 2_000_000)  # ten million characters
    assert time.monotonic() - started < 0.5
    assert len(text) <= MAX_MESSAGE_CHARS and text.endswith("visa")


@pytest.mark.parametrize("value, limit, expected", [
    (15.33, 90, 15.33), ("-91.48", 180, -91.48), (" 15 ", 90, 15.0), (0, 90, 0.0), ("1e-400", 90, 0.0),
    (90, 90, 90.0), (-180, 180, -180.0),
])
def test_a_coordinate_in_range_is_read(value, limit, expected):
    assert coordinate(value, limit) == expected


@pytest.mark.parametrize("value", [
    10**400, "1" + "0" * 400, 1e308, float("nan"), float("inf"), "nan", "-Infinity", "1e999",  # no place on Earth
    90.0000001, "180.1", True, None, [15], {"lat": 15}, "", "15,3", "0x10", "1_5", "١٥", "１５", "x" * 100_000,
], ids=lambda value: repr(value)[:12])
def test_anything_else_is_not_a_coordinate(value):
    assert coordinate(value, 180 if value == "180.1" else 90) is None


def test_a_location_payload_passes_unreadable_coordinates_on_as_invalid():
    assert location_payload("14.6", -90.5) == '/shared_location{"latitude": 14.6, "longitude": -90.5}'
    payload = location_payload(10**400, float("nan"))
    assert json.loads(payload.removeprefix("/shared_location")) == {"latitude": "invalid", "longitude": "invalid"}
    assert location_payload(14.6, None) == '/shared_location{"latitude": 14.6, "longitude": "invalid"}'

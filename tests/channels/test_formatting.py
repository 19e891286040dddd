"""Text-channel formatting: splitting long replies and numbered options (choices are parsed in
tests/bot/test_language.py: one parser for every channel)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.messaging.formatting import split_text, with_options

OPTIONS = [{"title": "Visa H-2A", "payload": "/labour.h2a"}, {"title": "Riesgos del camino", "payload": "/area_risks"},
           {"title": "Menú principal", "payload": "/main_menu"}]


def test_long_text_splits_on_paragraphs_in_order():
    paragraphs = [f"Párrafo {i}. " + "palabra " * 60 for i in range(8)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_text(text, 1600)
    assert len(parts) > 1 and all(len(p) <= 1600 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert all(p.startswith("Párrafo") for p in parts), "cuts fall between paragraphs"


def test_text_without_paragraphs_splits_on_sentences():
    text = " ".join(f"Oración número {i} con algo de texto." for i in range(200))
    parts = split_text(text, 500)
    assert all(len(p) <= 500 and p.endswith(".") for p in parts)


@given(st.text(min_size=0, max_size=5000), st.integers(min_value=20, max_value=1600))
def test_split_never_exceeds_the_limit_or_loses_words(text, limit):
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_options_are_numbered_after_the_text():
    expected = "¿Qué quiere saber?\n\n1. Visa H-2A\n2. Riesgos del camino"
    assert with_options("¿Qué quiere saber?", OPTIONS[:2]) == expected

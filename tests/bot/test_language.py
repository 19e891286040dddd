"""The language helpers every layer shares: one fold, one option-number parser, interface texts."""
from __future__ import annotations

import pytest

from bot.language import TEXTS, fold, mentioned_number, option_number, text, words


@pytest.mark.parametrize("raw, folded", [("¿Cómo LLEGÓ a España?", "¿como llego a espana?"), ("", ""),
                                         ("Güipil ÑANDÚ", "guipil nandu")])
def test_fold_lowers_and_removes_accents(raw, folded):
    assert fold(raw) == folded


def test_words_drop_punctuation():
    assert words("¡Opción 2, por favor!") == ["opcion", "2", "por", "favor"]


@pytest.mark.parametrize(
    "message, number",
    [("1", 1), (" 2 ", 2), ("opción 3", 3), ("#2", 2), ("3.", 3), ("la dos", 2), ("Option 4", 4),
     ("numero 5", 5), ("the second one", 2), ("uno", 1), ("12", 12),
     ("quiero la visa h2a", None), ("hola", None), ("", None), ("100", None), ("2 hijos en usa", None)],
)
def test_option_number_is_a_whole_message_choice(message, number):
    assert option_number(message) == number


@pytest.mark.parametrize("message, number", [("quiero la 3 porfa", 3), ("la segunda", 2), ("nada", None)])
def test_mentioned_number_finds_a_choice_inside_a_message(message, number):
    assert mentioned_number(message) == number


def test_every_interface_text_exists_in_spanish_and_english():
    missing = [key for key, entry in TEXTS.items() if "es" not in entry or "en" not in entry]
    assert missing == []


def test_interface_texts_fill_values_and_fall_back_to_spanish():
    assert text("error_start_again", "en", menu="/menu") == "Sorry, something went wrong. Write /menu to start again."
    spanish = "Lo siento, hubo un error. Escriba menu para empezar de nuevo."
    assert text("error_start_again", "fr", menu="menu") == spanish

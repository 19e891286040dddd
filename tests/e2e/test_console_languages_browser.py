"""Languages in a real browser: an admin adds a language, an editor translates every interface text beside the
Spanish one, a reviewer publishes them, the admin offers it; the web chat's language menu then lists it and a
person who picks it gets its texts. Placeholder texts ("[ixl:greeting]"), never real Mayan text; the language is
withdrawn at the end so other tests of the shared stack see Spanish and English only."""
from __future__ import annotations

import pytest

from bot.content.interface import LanguageRepository
from bot.language import SEED_TEXTS
from tests.e2e.console_stack import ask, chat_page, console_page
from tests.languages import placeholder_text, publish_safety_answers

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_a_language_added_and_translated_in_the_console_is_offered_in_the_chat(console_stack, chromium):
    admin = console_page(chromium, console_stack, "ada")
    admin.goto(f"{console_stack.console_url}/languages/")
    admin.get_by_label("Código").fill("ixl")
    admin.get_by_label("Nombre en el propio idioma").fill("Ixil")
    admin.get_by_role("button", name="Añadir idioma").click()
    assert "Idioma añadido." in admin.locator(".flash").inner_text()
    assert admin.locator("#language-ixl .missing-texts").inner_text() == str(len(SEED_TEXTS))

    editor = console_page(chromium, console_stack, "eva")
    editor.goto(f"{console_stack.console_url}/languages/ixl/texts")
    for key in SEED_TEXTS:
        editor.locator(f'textarea[name="text-{key}"]').fill(placeholder_text("ixl", key))
    editor.get_by_role("button", name="Guardar borradores").click()
    assert f"Borradores guardados: {len(SEED_TEXTS)}." in editor.locator(".flash").inner_text()

    reviewer = console_page(chromium, console_stack, "rosa")
    reviewer.goto(f"{console_stack.console_url}/languages/ixl/texts")
    reviewer.get_by_role("button", name="Publicar borradores").click()
    assert f"Textos publicados: {len(SEED_TEXTS)}." in reviewer.locator(".flash").inner_text()

    publish_safety_answers(console_stack.database_url, "ixl")  # the answer editor has its own browser tests
    admin.goto(f"{console_stack.console_url}/languages/")
    admin.locator("#language-ixl").get_by_role("button", name="Ofrecer").click()
    assert admin.locator("#language-ixl .in-menu").inner_text() == "sí"
    try:
        chat = chat_page(chromium, console_stack)
        assert ask(chat, "idioma maya") == (  # Ixil is offered; the three shipped Mayan languages not yet
            "Todavía no tengo respuestas en K'iche', Mam, Q'eqchi'. Puede elegir uno de estos idiomas:\n\n"
            "Idioma / Language / [ixl:language_menu]\n1. Español\n2. English\n3. Ixil")
        assert ask(chat, "3").startswith("[ixl:language_set]\n[ixl:main_menu]\n1. [ixl:area.labour]")
    finally:
        LanguageRepository(console_stack.database_url).set_offered("ixl", False, by="test")

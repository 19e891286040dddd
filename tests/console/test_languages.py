"""The languages page: an admin adds a language, editors translate its interface texts beside the Spanish ones,
a reviewer publishes them; the page shows what each language still lacks, and the language reaches the
assistant's language menu once it is offered with every text and the safety answers published."""
from __future__ import annotations

import html
import re

from bot.content.interface import LanguageRepository, menu_languages
from bot.content.topics import SAFETY_TOPICS
from bot.language import SEED_TEXTS, TEXTS, text
from tests.languages import placeholder_text, publish_safety_answers


def row_of(page: str, code: str) -> dict[str, str]:
    """The cells of a language's row on the languages page, as text."""
    row = re.search(rf'<tr id="language-{code}">(.*?)</tr>', page, re.S).group(1)
    cells = dict(re.findall(r'<td class="([\w-]+)">(.*?)</td>', row, re.S))
    cells = {name: re.sub(r"<form.*?</form>", "", value, flags=re.S) for name, value in cells.items()}
    return {name: " ".join(html.unescape(re.sub(r"<[^>]+>", "", value)).split()) for name, value in cells.items()}


def test_a_language_added_translated_and_offered_reaches_the_language_menu(as_user, console_db):
    ada, eva, rosa = as_user("ada"), as_user("eva"), as_user("rosa")
    response = ada.post("/languages/add", {"code": "ixl", "autonym": "Ixil"}, token_from="/languages/")
    assert response.status_code == 302
    page = ada.get("/languages/").get_data(as_text=True)
    assert row_of(page, "ixl") == {"offered": "no", "in-menu": "no", "missing-texts": str(len(SEED_TEXTS)),
                                   "missing-answers": row_of(page, "quc")["missing-answers"],
                                   "missing-safety": ", ".join(SAFETY_TOPICS)}
    assert row_of(page, "quc")["missing-texts"] == str(len(SEED_TEXTS)) and row_of(page, "es")["in-menu"] == "sí"

    texts_page = eva.get("/languages/ixl/texts").get_data(as_text=True)
    assert f'<td lang="es">{html.escape(TEXTS["main_menu"]["es"])}</td>' in texts_page
    form = {f"text-{key}": placeholder_text("ixl", key) for key in SEED_TEXTS}
    response = eva.post("/languages/ixl/texts", form)
    assert response.status_code == 302
    assert text("greeting", "ixl") == TEXTS["greeting"]["es"], "drafts are not shown to users"
    assert eva.post("/languages/ixl/publish", token_from="/languages/ixl/texts").status_code == 403
    assert rosa.post("/languages/ixl/publish", token_from="/languages/ixl/texts").status_code == 302
    assert text("greeting", "ixl") == "[ixl:greeting]"

    assert eva.get("/content/answers/help.emergency/ixl").status_code == 200
    publish_safety_answers(console_db, "ixl")
    assert "ixl" not in [language.code for language in menu_languages(console_db)], "not offered yet"
    assert ada.post("/languages/ixl/offered", {"offered": "yes"}, token_from="/languages/").status_code == 302
    page = ada.get("/languages/").get_data(as_text=True)
    assert {k: row_of(page, "ixl")[k] for k in ("offered", "in-menu", "missing-texts", "missing-safety")} == {
        "offered": "sí", "in-menu": "sí", "missing-texts": "0", "missing-safety": "—"}
    assert [(language.code, language.autonym) for language in menu_languages(console_db)] == [
        ("es", "Español"), ("en", "English"), ("ixl", "Ixil")]


def test_only_admins_add_or_offer_languages(as_user, console_db):
    eva = as_user("eva")
    assert eva.post("/languages/add", {"code": "ixl", "autonym": "Ixil"}, token_from="/languages/").status_code == 403
    assert eva.post("/languages/quc/offered", {"offered": "yes"}, token_from="/languages/").status_code == 403
    assert [language.code for language in LanguageRepository(console_db).languages()] == [
        "es", "en", "quc", "mam", "kek"]


def test_a_bad_code_or_a_lost_placeholder_is_refused_with_the_reason(as_user, console_db):
    ada, eva = as_user("ada"), as_user("eva")
    response = ada.post("/languages/add", {"code": "Quiché!", "autonym": "x"}, token_from="/languages/")
    assert response.status_code == 400 and "ISO 639" in response.get_data(as_text=True)
    response = eva.post("/languages/quc/texts", {"text-consent": "[quc:consent] no days"})
    assert response.status_code == 400 and "{days}" in response.get_data(as_text=True)
    assert LanguageRepository(console_db).drafts("quc") == {}


def test_the_mayan_languages_are_listed_not_offered_and_missing_everything(as_user):
    page = as_user("eva").get("/languages/").get_data(as_text=True)
    for code, autonym in (("quc", "K&#39;iche&#39;"), ("mam", "Mam"), ("kek", "Q&#39;eqchi&#39;")):
        assert f'<td lang="{code}">{autonym}</td>' in page
        assert row_of(page, code)["offered"] == "no" and row_of(page, code)["in-menu"] == "no"

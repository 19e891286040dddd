"""Languages as data (bot.content.interface): languages are rows, interface texts live in the database per
language and are read through a per-process catalog, with the seed in code as the last resort."""
from __future__ import annotations

import pytest

from bot.content.interface import (
    LanguageRepository,
    current_catalog,
    menu_languages,
    seed_interface_texts,
)
from bot.content.topics import SAFETY_TOPICS
from bot.content.workflow import ContentError
from bot.db import session_scope
from bot.language import SEED_TEXTS, TEXTS, cached_text, named_mayan_language, text
from tests.languages import placeholder_text, publish_safety_answers, ready_language, translate_interface

MAYAN = {"quc": "K'iche'", "mam": "Mam", "kek": "Q'eqchi'"}


@pytest.fixture
def url(sqlite_content) -> str:
    return sqlite_content.database_url


def test_mayan_languages_are_defined_but_not_offered_and_have_no_texts(url):
    languages = {language.code: language for language in LanguageRepository(url).languages()}
    assert {code: (languages[code].autonym, languages[code].offered) for code in MAYAN} == {
        code: (autonym, False) for code, autonym in MAYAN.items()}
    assert all(LanguageRepository(url).published(code) == {} for code in MAYAN)
    assert [language.code for language in menu_languages(url)] == ["es", "en"]
    assert text("greeting", "quc") == TEXTS["greeting"]["es"]


def test_the_seed_is_published_once_and_a_staff_edit_is_kept(url):
    languages = LanguageRepository(url)
    assert languages.published("en")["greeting"] == TEXTS["greeting"]["en"]
    languages.save_drafts("es", {"greeting": "Hola, soy Brújula (editado)."}, by="eva")
    languages.publish_drafts("es", by="rosa")
    with session_scope(url) as session:
        assert seed_interface_texts(session) == 0
    assert languages.published("es")["greeting"] == "Hola, soy Brújula (editado)."
    assert text("greeting", "es") == "Hola, soy Brújula (editado)."


def test_a_published_translation_is_used_and_a_missing_one_falls_back_to_spanish(url):
    languages = LanguageRepository(url)
    languages.save_drafts("quc", {"greeting": placeholder_text("quc", "greeting")}, by="eva")
    assert text("greeting", "quc") == TEXTS["greeting"]["es"], "a draft is not shown to users"
    languages.publish_drafts("quc", by="rosa")
    assert text("greeting", "quc") == "[quc:greeting]"
    assert text("goodbye", "quc") == TEXTS["goodbye"]["es"]
    assert text("area.labour", "quc") == "Trabajar o migrar de forma legal"


def test_a_translation_keeps_the_placeholders_of_the_spanish_text(url):
    with pytest.raises(ContentError, match="{days}"):
        LanguageRepository(url).save_drafts("quc", {"consent": "[quc:consent] without the days"}, by="eva")


def test_the_language_menu_needs_the_offer_every_text_and_every_safety_answer(url):
    languages = LanguageRepository(url)
    languages.set_offered("quc", True, by="ada")
    translate_interface(url, "quc")
    assert "quc" not in [language.code for language in menu_languages(url)], "no safety answers yet"
    publish_safety_answers(url, "quc")
    assert [language.code for language in menu_languages(url)] == ["es", "en", "quc"]
    languages.set_offered("quc", False, by="ada")
    assert [language.code for language in menu_languages(url)] == ["es", "en"]


def test_one_missing_safety_answer_keeps_a_language_out_of_the_menu(url):
    LanguageRepository(url).set_offered("quc", True, by="ada")
    translate_interface(url, "quc")
    publish_safety_answers(url, "quc", SAFETY_TOPICS[:-1])
    assert [language.code for language in menu_languages(url)] == ["es", "en"]
    publish_safety_answers(url, "quc", SAFETY_TOPICS[-1:])
    assert [language.code for language in menu_languages(url)] == ["es", "en", "quc"]


def test_without_the_database_the_seed_answers(set_env, tmp_path):
    set_env(DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'content.db'}")
    assert current_catalog() is None
    assert text("unavailable", "en") == TEXTS["unavailable"]["en"]
    assert cached_text("unavailable", "quc") == TEXTS["unavailable"]["es"]
    assert [language.code for language in menu_languages()] == ["es", "en"]


def test_the_apology_uses_the_texts_last_read_without_asking_the_database(url, set_env, tmp_path):
    ready_language(url, "quc")
    assert text("unavailable", "quc") == "[quc:unavailable]"
    assert cached_text("unavailable", "quc") == "[quc:unavailable]"
    set_env(DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'content.db'}")
    assert cached_text("unavailable", "quc") == TEXTS["unavailable"]["es"], "another database: nothing read yet"


@pytest.mark.parametrize("message, code", [
    ("k'iche'", "quc"), ("Quiché", "quc"), ("hablo k’iche’", "quc"), ("mam", "mam"), ("Q'eqchi'", "kek"),
    ("kekchi", "kek"), ("idioma maya", "maya"), ("hablo maya", "maya"),
    ("mi mamá está en Quetzaltenango", None), ("hola", None), ("/change_language", None),
    ("quiero saber de la visa h2a para trabajar en el campo de los estados unidos con mi familia kiche", None),
])
def test_mayan_language_names_are_recognised_in_short_messages(message, code):
    assert named_mayan_language(message) == code


@pytest.mark.parametrize("message, code", [
    # Greetings as the pages cited by MAYAN_GREETINGS write them, and as people type them.
    ("Saqirik", "quc"), ("saqirik tat", "quc"), ("Xeq'ij", "quc"), ("Xb'e q'ij!", "quc"), ("Xok aq'ab'", "quc"),
    ("Xokaq'ab'", "quc"), ("¿La utz awach?", "quc"), ("La utz wach la?", "quc"), ("¿La utz wach lal?", "quc"),
    ("¿Jas kub'ij k'ux la?", "quc"), ("¿Jas b'anom lal?", "quc"), ("Xbʼe qʼij", "quc"),
    ("Se'nta'ye", "mam"), ("B'ants q'ij", "mam"),
    ("chan xawil", "kek"), ("Chan xawil na'", "kek"), ("Ma sa laa ch'ool", "kek"), ("ma sa laach’ool", "kek"),
    ("chan xeril kok'al", "kek"), ("Ma sa leech'ool", "kek"), ("¿Ma sa sa' lach'ool laa'at?", "kek"),
    ("Q´eqchi´", "kek"), ("Qʼeqchiʼ", "kek"),  # names too, with the apostrophes of Mayan orthography
    # Spanish and English people write, near those greetings: not a Mayan language.
    ("hola", None), ("buenos días", None), ("buenas tardes", None), ("utz", None), ("mama", None),
    ("la casa", None), ("la utz", None), ("chan", None), ("ma sa", None), ("hi how are you", None),
    ("saqirik " + "necesito ayuda con la visa para trabajar en estados unidos", None),
])
def test_mayan_greetings_are_recognised_in_short_messages(message, code):
    assert named_mayan_language(message) == code


def test_languages_and_interface_texts_on_each_database(empty_repo):
    url = empty_repo.database_url
    with session_scope(url) as session:
        assert seed_interface_texts(session) == sum(len(seed) for seed in SEED_TEXTS.values())
    languages = LanguageRepository(url)
    assert [(language.code, language.offered) for language in languages.languages()] == [
        ("es", True), ("en", True), ("quc", False), ("mam", False), ("kek", False)]
    languages.save_drafts("quc", {"greeting": "[quc:greeting]"}, by="eva")
    assert languages.publish_drafts("quc", by="rosa") == ["greeting"]
    assert text("greeting", "quc") == "[quc:greeting]" and text("greeting", "en") == TEXTS["greeting"]["en"]

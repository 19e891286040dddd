"""Languages as data in the conversation: the language menu offers only the languages ready for users, a person
who picks one gets its texts, an answer not yet translated comes in Spanish with a note, and the apology for a
database failure still comes."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from actions.actions import ActionAnswerTopic, ActionChangeLanguage, ActionFallback, ActionSelectOption
from bot.content.topics import EMERGENCY_TOPIC
from bot.language import TEXTS, text
from tests.actions.test_actions import MAIN_MENU_BUTTONS_ES, make_tracker, message, slots_of
from tests.languages import ready_language

SPANISH, ENGLISH = {"title": "Español", "payload": '/change_language{"language": "es"}'}, \
    {"title": "English", "payload": '/change_language{"language": "en"}'}
KICHE = {"title": "K'iche'", "payload": '/change_language{"language": "quc"}'}
QUC_MAIN_MENU = [{"title": f"[quc:area.{area}]", "payload": f"/{intent}"} for area, intent in (
    ("labour", "area_labour"), ("risks", "area_risks"), ("reintegration", "area_return"), ("help", "area_help"))]


@pytest.fixture(autouse=True)
def content(sqlite_content):
    return sqlite_content


@pytest.fixture
def kiche_ready(content):
    ready_language(content.database_url, "quc")
    return content


@pytest.mark.parametrize("said, not_yet", [
    ("k'iche'", "K'iche'"), ("quiché", "K'iche'"), ("hablo k'iche'", "K'iche'"), ("mam", "Mam"),
    ("kekchi", "Q'eqchi'"), ("Saqirik", "K'iche'"), ("ma sa laa ch'ool", "Q'eqchi'"),
    ("idioma maya", "K'iche', Mam, Q'eqchi'"),
])
def test_a_mayan_language_not_offered_yet_is_named_before_the_menu_of_the_languages_offered(run, said, not_yet):
    messages, events = run(ActionFallback(), make_tracker(said, "nlu_fallback"))
    assert messages == [message(f"Todavía no tengo respuestas en {not_yet}. Puede elegir uno de estos idiomas:"
                                "\n\nIdioma / Language", [SPANISH, ENGLISH])]
    assert slots_of(events)["last_options"] == [SPANISH, ENGLISH]


def test_a_ready_language_is_in_the_menu_and_picking_it_gives_its_texts(run, kiche_ready):
    messages, events = run(ActionFallback(), make_tracker("idioma maya", "nlu_fallback"))
    assert messages == [message("Idioma / Language / [quc:language_menu]", [SPANISH, ENGLISH, KICHE])]
    messages, events = run(ActionSelectOption(), make_tracker("3", "select_option",
                                                              {"last_options": [SPANISH, ENGLISH, KICHE]}))
    assert messages == [message("[quc:language_set]"), message("[quc:main_menu]", QUC_MAIN_MENU)]
    assert slots_of(events)["language"] == "quc"


@pytest.mark.parametrize("said", ["k'iche'", "hablo quiché"])
def test_naming_a_ready_language_switches_to_it(run, kiche_ready, said):
    messages, events = run(ActionFallback(), make_tracker(said, "nlu_fallback"))
    assert messages == [message("[quc:language_set]"), message("[quc:main_menu]", QUC_MAIN_MENU)]
    assert slots_of(events)["language"] == "quc"


def test_the_menu_option_pressed_as_a_button_switches_too(run, kiche_ready):
    messages, events = run(ActionChangeLanguage(), make_tracker(KICHE["payload"], "change_language"))
    assert messages == [message("[quc:language_set]"), message("[quc:main_menu]", QUC_MAIN_MENU)]
    assert slots_of(events)["language"] == "quc"


def test_asking_to_change_language_shows_the_menu_once_more_than_two_are_ready(run, kiche_ready):
    messages, events = run(ActionChangeLanguage(), make_tracker("cambiar idioma", "change_language"))
    assert messages == [message("Idioma / Language / [quc:language_menu]", [SPANISH, ENGLISH, KICHE])]


def test_a_language_not_ready_cannot_be_chosen(run):
    messages, events = run(ActionChangeLanguage(), make_tracker(KICHE["payload"], "change_language"))
    assert messages == [message("Todavía no tengo respuestas en K'iche'. Puede elegir uno de estos idiomas:\n\n"
                                "Idioma / Language", [SPANISH, ENGLISH])]
    assert slots_of(events)["language"] == "es"


def test_a_translated_answer_is_given_in_the_language(run, kiche_ready):
    messages, events = run(ActionAnswerTopic(), make_tracker(f"/{EMERGENCY_TOPIC}", EMERGENCY_TOPIC,
                                                             {"language": "quc"}))
    assert messages[0]["text"] == f"[quc:{EMERGENCY_TOPIC}]\n\n[quc:{EMERGENCY_TOPIC}] body"
    assert messages[0]["answer_lang"] == "quc"


def test_an_answer_not_translated_comes_in_spanish_with_a_note_in_the_language(run, kiche_ready):
    spanish = kiche_ready.get_answer("labour.h2a", "es")
    # Spanish words do not switch a person who chose K'iche' back to Spanish.
    messages, events = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a", {"language": "quc"}))
    assert messages[0]["text"].startswith(f"[quc:translation_missing]\n\n{spanish.title}\n\n{spanish.body.strip()}")
    assert messages[0]["answer_lang"] == "es"
    assert slots_of(events)["language"] == "quc"


def test_spanish_words_keep_the_chosen_language(run, kiche_ready):
    messages, events = run(ActionFallback(), make_tracker("hola que tal, necesito ayuda con mis papeles",
                                                          "nlu_fallback", {"language": "quc"}))
    assert slots_of(events)["language"] == "quc"
    assert messages[0]["text"] == "[quc:fallback_first]"


def test_the_apology_comes_in_the_language_while_the_database_is_down(run, kiche_ready, monkeypatch):
    assert text("unavailable", "quc") == "[quc:unavailable]"  # the catalog was read once

    def database_down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr("bot.db._sessionmaker", database_down)
    messages, events = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a", {"language": "quc"}),
                           expect_error=True)
    assert messages == [message("[quc:unavailable]", QUC_MAIN_MENU)]
    assert slots_of(events)["reply_kind"] == "error"


def test_the_apology_comes_from_the_code_when_the_database_was_never_read(run, set_env, tmp_path):
    (tmp_path / "missing-dir" / "nothing.db").mkdir(parents=True)  # a directory: SQLite cannot open it
    set_env(DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'nothing.db'}")
    messages, events = run(ActionAnswerTopic(), make_tracker("/labour.h2a", "labour.h2a", {"language": "quc"}),
                           expect_error=True)
    assert messages == [message(TEXTS["unavailable"]["es"], MAIN_MENU_BUTTONS_ES)]

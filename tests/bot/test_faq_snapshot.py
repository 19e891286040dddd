"""The bot reads published FAQ entries from a per-process snapshot (bot/content/faq.py): a change made in the
process is seen at once, one made elsewhere (the console, another server) within a second, and a rollback is a
change too."""
from __future__ import annotations

import pytest

from bot.content import faq as faq_module
from bot.content.faq import FaqRepository

SLUG = "labour.h2a/cost"


@pytest.fixture
def faq(sqlite_content):
    return FaqRepository(sqlite_content.database_url)


def publish(repo: FaqRepository, answer: str) -> int:
    draft = repo.save_draft(SLUG, "es", {"answer": answer}, created_by="eva")
    return repo.publish(SLUG, "es", draft.version).version


def test_a_change_in_this_process_is_read_at_once(faq):
    assert faq.get(SLUG, "es") is not None  # the snapshot is taken
    publish(faq, "Texto nuevo sobre el costo.")
    assert faq.get(SLUG, "es").answer == "Texto nuevo sobre el costo."
    assert "Texto nuevo sobre el costo." in [f.answer for f in faq.for_topic("labour.h2a", "es")]


def test_a_change_elsewhere_is_read_once_the_revision_is_checked_again(faq, monkeypatch):
    import sqlite3

    before = faq.get(SLUG, "es")
    # Another process (the console) publishes a new version: here, straight in the database file.
    path = faq.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE faq_versions SET answer = 'Cambiado por la consola.' WHERE id = "
                           "(SELECT v.id FROM faq_versions v JOIN faq_entries e ON e.id = v.entry_id "
                           "WHERE e.slug = ? AND v.lang = 'es' AND v.status = 'published')", (SLUG,))
        # (an edit in place changes no count or id: a new phrasing stands for the new version's row)
        connection.execute("INSERT INTO phrasings (topic_id, entry_id, text, lang, origin, created_at) "
                           "SELECT topic_id, id, 'cuanto cuesta la visa h2a', 'es', 'staff', CURRENT_TIMESTAMP "
                           "FROM faq_entries WHERE slug = ?", (SLUG,))
    assert faq.get(SLUG, "es").answer == before.answer  # within the second: the snapshot
    monkeypatch.setattr(faq_module, "PUBLISHED_CHECK_SECONDS", 0.0)
    assert faq.get(SLUG, "es").answer == "Cambiado por la consola."


def test_a_rollback_is_a_new_revision(faq):
    first = publish(faq, "Primera.")
    publish(faq, "Segunda.")
    revision = faq.revision()
    faq.rollback(SLUG, "es", first, by="eli")
    assert faq.revision() != revision
    assert faq.get(SLUG, "es").answer == "Primera."

"""The content repository on SQLite and PostgreSQL: versions, publishing, fallbacks, service points, log."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from bot.content.repository import ContentError

ANSWER = {
    "title": "Visa H-2A",
    "short": "Trabajo agrícola temporal en EE. UU.",
    "body": "La visa H-2A es para trabajo temporal en el campo.",
    "follow_ups": ["labour.fees"],
    "sources": [{"name": "U.S. Department of Labor", "url": "https://www.dol.gov/agencies/whd/workers/h2a"}],
}


@pytest.fixture
def repo(empty_repo):
    empty_repo.upsert_topic("labour.h2a", "labour", "H-2A", 0)
    empty_repo.upsert_topic("labour.fees", "labour", "fees", 1)
    return empty_repo


def test_published_answer_is_served_and_drafts_are_not(repo):
    draft = repo.save_draft("labour.h2a", "es", ANSWER)
    assert repo.get_answer("labour.h2a", "es") is None  # a draft is not live
    repo.publish("labour.h2a", "es", draft.version)
    answer = repo.get_answer("labour.h2a", "es")
    assert answer.body == ANSWER["body"]
    assert answer.version == 1 and answer.status == "published"
    assert answer.sources[0]["name"] == "U.S. Department of Labor"


def test_every_edit_keeps_the_previous_version(repo):
    v1 = repo.save_draft("labour.h2a", "es", ANSWER)
    repo.publish("labour.h2a", "es", v1.version)
    v2 = repo.save_draft("labour.h2a", "es", {"body": "Texto nuevo."})
    repo.publish("labour.h2a", "es", v2.version)
    history = repo.history("labour.h2a", "es")
    assert [(a.version, a.status) for a in history] == [(2, "published"), (1, "archived")]
    assert history[1].body == ANSWER["body"]
    assert history[0].title == ANSWER["title"]  # fields not edited are carried over
    assert repo.get_answer("labour.h2a", "es").body == "Texto nuevo."


def test_rollback_publishes_a_copy_of_an_old_version(repo):
    repo.publish("labour.h2a", "es", repo.save_draft("labour.h2a", "es", ANSWER).version)
    repo.publish("labour.h2a", "es", repo.save_draft("labour.h2a", "es", {"body": "Mal texto."}).version)
    restored = repo.rollback("labour.h2a", "es", 1)
    assert restored.version == 3
    assert repo.get_answer("labour.h2a", "es").body == ANSWER["body"]
    assert len(repo.history("labour.h2a", "es")) == 3


def test_english_falls_back_to_spanish_and_says_so(repo):
    repo.publish("labour.h2a", "es", repo.save_draft("labour.h2a", "es", ANSWER).version)
    answer = repo.get_answer("labour.h2a", "en")
    assert answer.lang == "es" and answer.is_fallback
    assert repo.get_answer("labour.h2a", "en", fallback=False) is None


def test_menu_lists_published_topics_in_order_with_titles(repo):
    repo.publish("labour.fees", "en", repo.save_draft("labour.fees", "en", {**ANSWER, "title": "Fees"}).version)
    repo.publish("labour.h2a", "es", repo.save_draft("labour.h2a", "es", ANSWER).version)
    assert repo.menu("labour", "en") == [("labour.h2a", "Visa H-2A"), ("labour.fees", "Fees")]


@pytest.mark.parametrize(
    "topic, lang, fields, message",
    [
        ("labour.nope", "es", ANSWER, "unknown topic"),
        ("labour.h2a", "fr", ANSWER, "unsupported language"),
        ("labour.h2a", "es", {"title": "Sin cuerpo"}, "needs a body"),
        ("labour.h2a", "es", {**ANSWER, "colour": "red"}, "unknown answer fields"),
    ],
)
def test_invalid_drafts_are_refused_with_a_clear_error(repo, topic, lang, fields, message):
    with pytest.raises(ContentError, match=message):
        repo.save_draft(topic, lang, fields)
    assert repo.history("labour.h2a", "es") == []


def test_publishing_a_missing_version_is_an_error(repo):
    with pytest.raises(ContentError):
        repo.publish("labour.h2a", "es", 7)


def test_database_allows_only_one_published_answer_per_language(repo):
    from sqlalchemy import update

    from bot.content.models import AnswerVersion
    from bot.db import session_scope

    for _ in range(2):
        repo.save_draft("labour.h2a", "es", ANSWER)
    with pytest.raises(IntegrityError):
        with session_scope(repo.database_url) as session:
            session.execute(update(AnswerVersion).values(status="published"))


def test_nearest_service_points_are_sorted_by_distance(repo):
    for slug, lat, lon in [("capmir-huehue", 15.319, -91.471), ("capmir-xela", 14.845, -91.518),
                           ("sin-coordenadas", None, None)]:
        repo.upsert_service_point({"slug": slug, "name": slug, "kind": "migrant_resource_centre",
                                   "latitude": lat, "longitude": lon, "source": "IOM strategy"})
    nearest = repo.nearest_service_points(14.9, -91.5, limit=5)  # near Quetzaltenango
    assert [p.slug for p in nearest] == ["capmir-xela", "capmir-huehue"]
    assert nearest[0].distance_km < nearest[1].distance_km
    with pytest.raises(ContentError):
        repo.nearest_service_points(123.0, 0.0)


def test_service_point_upsert_is_idempotent(repo):
    point = {"slug": "casa", "name": "Casa Nuestras Raíces", "kind": "shelter", "source": "IOM"}
    assert repo.upsert_service_point(point) is True
    assert repo.upsert_service_point(point) is False
    assert repo.upsert_service_point({**point, "name": "Casa Nuestras Raíces Guatemala"}) is True
    assert [p.name for p in repo.service_points(kind="shelter")] == ["Casa Nuestras Raíces Guatemala"]


def test_unanswered_log_keeps_no_phone_number_email_or_name(repo):
    repo.log_unanswered(
        "me llamo Juan Perez mi cel es +502 5555-1234 y mi correo juan@example.com, q hago?",
        "es", "whatsapp", [{"name": "labour.h2a", "confidence": 0.21}],
    )
    [entry] = repo.unanswered()
    assert "5555" not in entry.text and "juan@example.com" not in entry.text and "Juan" not in entry.text
    assert "q hago?" in entry.text
    assert entry.channel == "whatsapp" and entry.lang == "es"
    assert entry.top_guesses == ({"name": "labour.h2a", "confidence": 0.21},)

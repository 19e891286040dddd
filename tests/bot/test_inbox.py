"""The unanswered-questions inbox: grouping similar questions, and teach / new content / dismiss (audited)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.content.faq import FaqRepository
from bot.content.inbox import InboxQuestion, UnansweredInbox, group_questions
from bot.content.matching import FaqMatcher
from bot.content.repository import ContentError
from bot.staff.audit import AuditLog

T0 = dt.datetime(2026, 5, 1, 12, 0)


def q(i: int, text: str, lang: str = "es", channel: str = "webchat") -> InboxQuestion:
    return InboxQuestion(i, text, lang, channel, T0 + dt.timedelta(minutes=i), ())


def test_similar_questions_are_grouped_with_counts_languages_and_channels_newest_first():
    groups = group_questions([
        q(1, "cuanto cuesta el pasaporte"),
        q(2, "¿Cuánto cuesta el pasaporte?", channel="whatsapp"),
        q(3, "quiero ir a japon a trabajar"),
        q(4, "cuanto cuesta sacar el pasaporte", channel="telegram"),
        q(5, "how much is a passport", lang="en"),
        q(6, "quiero trabajar en japon"),
    ])
    assert [g.ids for g in groups] == [(6, 3), (5,), (4, 2, 1)]
    passport = groups[2]
    assert (passport.text, passport.count, passport.languages, passport.channels) == (
        "cuanto cuesta sacar el pasaporte", 3, ("es",), ("telegram", "webchat", "whatsapp"))
    assert passport.texts == ("cuanto cuesta sacar el pasaporte", "¿Cuánto cuesta el pasaporte?",
                              "cuanto cuesta el pasaporte")


def test_unrelated_questions_stay_apart_and_nothing_gives_no_groups():
    assert group_questions([]) == []
    groups = group_questions([q(1, "hola"), q(2, "donde queda el consulado en houston"), q(3, "??")])
    assert [g.ids for g in groups] == [(3,), (2,), (1,)]


@pytest.fixture
def inbox(sqlite_content):
    for text, lang, channel in (("cuanto cobra el consulado por la matricula", "es", "webchat"),
                                ("Cuánto cobra el consulado por la matrícula consular?", "es", "whatsapp"),
                                ("what is the weather in houston", "en", "telegram")):
        sqlite_content.log_unanswered(text, lang, channel, [{"name": "help.consular", "confidence": 0.1}])
    return UnansweredInbox(sqlite_content.database_url)


def test_teach_adds_phrasings_the_matcher_uses_at_once_and_is_audited(inbox):
    url = inbox.database_url
    matcher = FaqMatcher(FaqRepository(url))
    question = "cuanto cobra el consulado por la matricula"
    before = matcher.rank(question, limit=1)[0]
    consular = next(g for g in inbox.groups() if g.count == 2)
    assert consular.likely_topic == "help.consular"
    assert inbox.teach(consular.ids, "labour.fees", actor="eva") == 2
    matcher._checked_at = 0  # as when a second has passed
    best = matcher.rank(question, limit=1)[0]
    assert (best.topic_id, best.entry_slug, best.score) == ("labour.fees", None, 1.0)
    assert before.topic_id != "labour.fees" or before.score < 1.0
    taught = FaqRepository(url).phrasings(origin="taught")
    assert sorted((p.topic_id, p.lang, p.text) for p in taught) == [
        ("labour.fees", "es", "Cuánto cobra el consulado por la matrícula consular?"),
        ("labour.fees", "es", question)]
    assert [g.text for g in inbox.groups()] == ["what is the weather in houston"]
    assert inbox.waiting() == 1
    assert inbox.status_counts() == {"open": 1, "taught": 2}
    [entry] = AuditLog(url).entries(action="inbox.teach")
    assert (entry.actor, entry.target_type, entry.after) == ("eva", "unanswered",
                                                             {"status": "taught", "resolution": "labour.fees"})
    assert [x["text"] for x in entry.before["questions"]] == [
        "Cuánto cobra el consulado por la matrícula consular?", question]
    with pytest.raises(ContentError, match="already handled"):
        inbox.teach(consular.ids, "labour.fees", actor="eli")


def test_teach_to_an_unknown_target_changes_nothing(inbox):
    group = inbox.groups()[0]
    with pytest.raises(ContentError):
        inbox.teach(group.ids, "labour.fees/no-such-entry", actor="eva")
    assert inbox.waiting() == 3
    assert FaqRepository(inbox.database_url).phrasings(origin="taught") == []
    assert AuditLog(inbox.database_url).entries(action="inbox.teach") == []


def test_needs_new_content_opens_a_blocker_draft_with_the_question(inbox):
    url = inbox.database_url
    consular = next(g for g in inbox.groups() if g.count == 2)
    slug, lang = inbox.new_content(consular.ids, "help.consular", actor="eva")
    assert (slug, lang) == ("help.consular/cuanto-cobra-el-consulado-por-la-matricula-consular", "es")
    [draft] = FaqRepository(url).history(slug, "es")
    assert (draft.status, draft.review_status, draft.question, draft.created_by) == (
        "draft", "blocker", "Cuánto cobra el consulado por la matrícula consular?", "eva")
    assert FaqRepository(url).get(slug, "es") is None, "a draft is not live"
    assert inbox.status_counts() == {"open": 1, "new_content": 2}
    assert [e.action for e in AuditLog(url).entries()][:2] == ["inbox.new_content", "faq.create"]
    # The same question again gets its own entry, never overwrites the first.
    from bot.content.repository import ContentRepository

    ContentRepository(url).log_unanswered("Cuánto cobra el consulado por la matrícula consular?", "es", "webchat")
    again = next(g for g in inbox.groups() if "matrícula" in g.text)
    assert inbox.new_content(again.ids, "help.consular", actor="eli")[0] == f"{slug}-2"


def test_dismiss_closes_the_group_and_is_audited(inbox):
    weather = next(g for g in inbox.groups() if g.count == 1)
    assert inbox.dismiss(weather.ids, actor="rosa") == 1
    assert inbox.waiting() == 2
    [entry] = AuditLog(inbox.database_url).entries(action="inbox.dismiss")
    assert (entry.actor, entry.target_id, entry.after) == ("rosa", str(weather.ids[0]),
                                                           {"status": "dismissed", "resolution": None})


def test_a_question_asked_in_a_language_staff_added_is_taught_in_that_language(sqlite_content):
    sqlite_content.log_unanswered("[quc] pregunta de prueba sobre el consulado", "quc", "telegram")
    sqlite_content.log_unanswered("[xx] a language nobody defined", "xx", "telegram")
    inbox = UnansweredInbox(sqlite_content.database_url)
    for group in inbox.groups():
        inbox.teach(group.ids, "help.consular", actor="eva")
    taught = FaqRepository(sqlite_content.database_url).phrasings(origin="taught")
    assert sorted(((p.lang or ""), p.text) for p in taught) == [
        ("", "[xx] a language nobody defined"), ("quc", "[quc] pregunta de prueba sobre el consulado")]

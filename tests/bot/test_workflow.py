"""The review workflow of answers and FAQ entries (bot.content.workflow), on SQLite and PostgreSQL: conflicts,
draft -> submitted -> published, the four-eyes rule, changes requested, rollback, and the audit entry of
every change."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from bot.content.repository import ConflictError, ContentError, OwnDraftError, ReviewError

ANSWER = {"title": "Derechos laborales", "body": "Texto uno.", "sources": [{"name": "Ministerio", "url": None}]}
FAQ = {"question": "¿Me pueden quitar el pasaporte?", "answer": "Texto uno.", "sources": []}


@dataclass
class Text:
    """One text of either kind, so every rule is tested on answers and FAQ entries alike."""

    repo: Any
    key: str
    body_field: str
    target: str

    def save(self, body: str, by: str, base_version=None):
        return self.repo.save_draft(self.key, "es", {self.body_field: body}, created_by=by, base_version=base_version)

    def __getattr__(self, name):  # submit, approve, request_changes, rollback, history, publish
        method = getattr(self.repo, name)
        return lambda *args, **kwargs: method(self.key, "es", *args, **kwargs)

    def live_body(self) -> str:
        live = self.repo.get_answer(self.key, "es") if self.body_field == "body" else self.repo.get(self.key, "es")
        return getattr(live, self.body_field)


@pytest.fixture(params=["answer", "faq"])
def text(request, empty_repo):
    from bot.content.faq import FaqRepository

    empty_repo.upsert_topic("labour.rights", "labour", "rights", 0)
    if request.param == "answer":
        item = Text(empty_repo, "labour.rights", "body", "labour.rights [es]")
        first = empty_repo.save_draft("labour.rights", "es", ANSWER, created_by="pack")
    else:
        faq = FaqRepository(empty_repo.database_url)
        faq.create_entry("labour.rights", "passport", by="ana")
        item = Text(faq, "labour.rights/passport", "answer", "labour.rights/passport [es]")
        first = faq.save_draft(item.key, "es", FAQ, created_by="pack")
    item.publish(first.version, published_by="pack")
    return item


def audit(database_url, target):
    from bot.staff.audit import AuditLog

    return list(reversed(AuditLog(database_url).entries(target=target)))


def test_a_save_based_on_an_older_version_is_refused_and_saves_nothing(text):
    text.save("Texto de Eva.", "eva", base_version=1)
    entries_before = len(audit(text.repo.database_url, text.target))
    with pytest.raises(ConflictError, match=r"eva saved version 2 meanwhile \(you started from version 1\)"):
        text.save("Texto de Eli.", "eli", base_version=1)
    assert [v.version for v in text.history()] == [2, 1]
    assert text.history()[0].created_by == "eva"
    assert len(audit(text.repo.database_url, text.target)) == entries_before  # no audit entry either
    # Based on the latest version, the save goes through.
    assert text.save("Texto de Eli.", "eli", base_version=2).version == 3


def test_draft_submit_approve_publishes_and_audits_each_step(text):
    draft = text.save("Texto nuevo.", "eva", base_version=1)
    assert text.live_body() == "Texto uno."  # a draft is not live
    text.submit(draft.version, "eva")
    assert text.live_body() == "Texto uno."  # nor a submitted version
    published = text.approve(draft.version, "rosa", "Bien, revisado con la fuente.")
    assert (published.status, published.reviewed_by, published.review_comment) == (
        "published", "rosa", "Bien, revisado con la fuente.")
    assert text.live_body() == "Texto nuevo."
    assert [(v.version, v.status) for v in text.history()] == [(2, "published"), (1, "archived")]
    steps = [(e.actor, e.action.split(".")[1]) for e in audit(text.repo.database_url, text.target)]
    assert steps[-3:] == [("eva", "draft"), ("eva", "submit"), ("rosa", "approve")]
    approval = audit(text.repo.database_url, text.target)[-1]
    assert (approval.before[text.body_field], approval.after[text.body_field]) == ("Texto uno.", "Texto nuevo.")
    assert (approval.before["version"], approval.after["version"]) == (1, 2)
    assert approval.note == "Bien, revisado con la fuente."


@pytest.mark.parametrize("reviewer", ["eva", "rosa"])
def test_nobody_approves_a_draft_they_wrote_or_submitted(text, reviewer):
    draft = text.save("Texto propio.", "eva")
    text.submit(draft.version, reviewer)
    with pytest.raises(OwnDraftError, match="another reviewer must approve it"):
        text.approve(draft.version, reviewer)
    assert text.live_body() == "Texto uno."
    assert text.history()[0].status == "submitted"


def test_a_reviewer_sends_a_version_back_with_a_comment(text):
    draft = text.save("Texto con error.", "eva")
    with pytest.raises(ReviewError, match="only a submitted version can be approved"):
        text.approve(draft.version, "rosa")
    text.submit(draft.version, "eva")
    with pytest.raises(ReviewError, match="the comment is required"):
        text.request_changes(draft.version, "rosa", "  ")
    back = text.request_changes(draft.version, "rosa", "Falta la fuente oficial.")
    assert (back.status, back.reviewed_by, back.review_comment) == ("draft", "rosa", "Falta la fuente oficial.")
    assert text.live_body() == "Texto uno."
    [entry] = [e for e in audit(text.repo.database_url, text.target) if e.action.endswith(".changes")]
    assert (entry.actor, entry.before["status"], entry.after["status"], entry.note) == (
        "rosa", "submitted", "draft", "Falta la fuente oficial.")
    # Submitted again and approved by someone else.
    text.submit(draft.version, "eva")
    text.approve(draft.version, "rosa")
    assert text.live_body() == "Texto con error."


def test_rollback_publishes_a_copy_and_is_audited(text):
    v2 = text.save("Texto malo.", "eva")
    text.publish(v2.version, published_by="rosa")
    restored = text.rollback(1, by="rosa")
    assert (restored.version, restored.status) == (3, "published")
    assert text.live_body() == "Texto uno."
    entry = audit(text.repo.database_url, text.target)[-1]
    assert (entry.actor, entry.action.split(".")[1], entry.note) == ("rosa", "rollback", "copy of version 1")
    assert (entry.before[text.body_field], entry.after[text.body_field]) == ("Texto malo.", "Texto uno.")


def test_publishing_archives_older_drafts_so_nothing_stale_waits(text):
    old = text.save("Borrador viejo.", "eva")
    text.submit(old.version, "eva")
    newer = text.save("Borrador nuevo.", "eli")
    text.publish(newer.version, published_by="rosa")
    assert [(v.version, v.status) for v in text.history()] == [(3, "published"), (2, "archived"), (1, "archived")]
    with pytest.raises(ReviewError):
        text.approve(old.version, "rosa")


def test_unknown_versions_and_wrong_steps_are_errors(text):
    with pytest.raises(ContentError, match="no version 9"):
        text.submit(9, "eva")
    with pytest.raises(ReviewError, match="only a draft can be submitted"):
        text.submit(1, "eva")  # version 1 is published


def test_invalid_dates_and_nameless_sources_are_refused(empty_repo):
    empty_repo.upsert_topic("labour.rights", "labour", "rights", 0)
    with pytest.raises(ContentError, match="valid_as_of is a date"):
        empty_repo.save_draft("labour.rights", "es", {**ANSWER, "valid_as_of": "junio"})
    with pytest.raises(ContentError, match="every source needs a name"):
        empty_repo.save_draft("labour.rights", "es", {**ANSWER, "sources": [{"name": " ", "url": "https://x.org"}]})
    assert empty_repo.history("labour.rights", "es") == []


def test_faq_entries_are_created_under_a_topic_with_an_audit_entry(empty_repo):
    from bot.content.faq import FaqRepository

    empty_repo.upsert_topic("labour.rights", "labour", "rights", 0)
    faq = FaqRepository(empty_repo.database_url)
    assert faq.create_entry("labour.rights", "Passport", by="eva") == "labour.rights/passport"
    with pytest.raises(ContentError, match="already exists"):
        faq.create_entry("labour.rights", "passport", by="eva")
    with pytest.raises(ContentError, match="lowercase letters"):
        faq.create_entry("labour.rights", "mi pasaporte", by="eva")
    with pytest.raises(ContentError, match="unknown topic"):
        faq.create_entry("labour.nope", "passport", by="eva")
    assert faq.entries("labour.rights") == [("labour.rights/passport", "labour.rights")]
    [entry] = audit(empty_repo.database_url, "labour.rights/passport")
    assert (entry.actor, entry.action, entry.after) == (
        "eva", "faq.create", {"slug": "labour.rights/passport", "topic_id": "labour.rights"})


def test_phrasings_are_added_deleted_audited_and_counted(empty_repo):
    from bot.content.faq import FaqRepository
    from bot.db import session_scope
    from bot.staff.models import TurnRecord

    empty_repo.upsert_topic("labour.rights", "labour", "rights", 0)
    faq = FaqRepository(empty_repo.database_url)
    slug = faq.create_entry("labour.rights", "passport", by="eva")
    assert faq.add_phrasing(slug, "el patron tiene mi pasaporte", "es", by="eva") is True
    assert faq.add_phrasing(slug, "my boss took my passport", "en", by="eva") is True
    assert faq.add_phrasing("labour.rights", "derechos del trabajador", "es", by="eva") is True
    kept, dropped = faq.phrasings_of(slug)
    assert [p.text for p in faq.phrasings_of("labour.rights")] == ["derechos del trabajador"]
    with session_scope(empty_repo.database_url) as s:
        s.add_all([TurnRecord(phrasing_id=kept.id), TurnRecord(phrasing_id=kept.id),
                   TurnRecord(phrasing_id=dropped.id), TurnRecord(phrasing_id=None)])
    assert faq.phrasing_match_counts() == {kept.id: 2, dropped.id: 1}
    assert faq.phrasing_match_counts(since=dt.datetime.utcnow() + dt.timedelta(minutes=1)) == {}
    faq.delete_phrasing(dropped.id, by="rosa")
    assert [p.text for p in faq.phrasings_of(slug)] == ["el patron tiene mi pasaporte"]
    [deleted] = [e for e in audit(empty_repo.database_url, slug) if e.action == "phrasing.delete"]
    assert (deleted.actor, deleted.before["text"], deleted.after) == ("rosa", "my boss took my passport", None)
    assert len([e for e in audit(empty_repo.database_url, "labour.rights") if e.action == "phrasing.add"]) == 3
    with pytest.raises(ContentError, match="no phrasing"):
        faq.delete_phrasing(dropped.id, by="rosa")


def test_states_show_waiting_reviews_and_staleness(text):
    draft = text.save("Texto nuevo.", "eva")
    text.submit(draft.version, "eva")
    states = (text.repo.answer_states() if text.body_field == "body" else text.repo.faq_states())
    [state] = states
    assert (state.key, state.lang, state.latest_version, state.latest_status, state.published_version,
            state.waiting) == (text.key, "es", 2, "submitted", 1, True)
    assert state.as_of is None and state.stale(12)  # no date at all: to check
    from bot.content.workflow import is_stale

    assert is_stale("2024-01", 12, today=dt.date(2025, 3, 1))
    assert not is_stale("2024-06", 12, today=dt.date(2025, 3, 1))


def test_diff_marks_words_inserted_and_deleted():
    from bot.content.workflow import diff

    changes = diff({"title": "Visa", "body": "Cuesta 100 dólares."}, {"title": "Visa", "body": "Cuesta 200 dólares."})
    assert changes == [("body", [("equal", "Cuesta "), ("delete", "100"), ("insert", "200"),
                                 ("equal", " dólares.")])]


def test_cli_publishes_a_saved_version_with_an_audit_entry(empty_repo, capsys):
    from bot.cli.main import main

    empty_repo.upsert_topic("labour.rights", "labour", "rights", 0)
    draft = empty_repo.save_draft("labour.rights", "es", ANSWER, created_by="ana")
    assert main(["answer", "publish", "labour.rights", "es", str(draft.version), "--by", "luis"]) == 0
    assert capsys.readouterr().out.strip() == "published v1 of labour.rights [es]"
    assert empty_repo.get_answer("labour.rights", "es").body == "Texto uno."
    entry = audit(empty_repo.database_url, "labour.rights [es]")[-1]
    assert (entry.actor, entry.action, entry.before, entry.after["version"]) == ("luis", "answer.publish", None, 1)
    assert main(["answer", "publish", "labour.rights", "es", "7"]) == 1
    assert "no version 7 of labour.rights [es]" in capsys.readouterr().err

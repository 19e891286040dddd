"""The starter content pack: complete, sourced, short enough for a phone, and loaded idempotently."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.pack import LIMITS, Pack, check_pack, load_pack, newest_source_date, resolve_sources
from bot.content.sourcing import shown_texts, unsourced

# The repository's copy of shared/sources/ (checked emergency numbers, sourced facts, the country strategy).
SOURCES_DIR = Path(__file__).resolve().parents[2] / "content" / "sources" / "reference"


def _answers(pack):
    for topic in pack.topics:
        for lang, answer in topic["answers"].items():
            yield topic["id"], lang, answer


def test_pack_has_no_problems_and_answers_every_topic_in_both_languages(content_pack, topic_ids):
    assert check_pack(content_pack, topic_ids) == []
    answered = {(tid, lang) for tid, lang, _ in _answers(content_pack)}
    assert {(t, lang) for t in topic_ids for lang in ("es", "en")} <= answered


def test_every_answer_names_a_source_and_fits_a_phone_screen(content_pack):
    for tid, lang, answer in _answers(content_pack):
        assert answer["sources"], f"{tid} [{lang}] has no source"
        for key, limit in LIMITS.items():
            assert len((answer.get(key) or "").strip()) <= limit, f"{tid} [{lang}] {key} too long"


def test_answers_without_firm_sources_are_marked_for_review(content_pack):
    for tid, lang, answer in _answers(content_pack):
        if answer.get("needs_review"):
            assert answer.get("review_note", "").strip(), f"{tid} [{lang}] needs a review note"


def test_every_number_email_and_web_address_shown_is_written_in_one_of_its_sources(content_pack):
    assert unsourced(content_pack, SOURCES_DIR) == []


def _tiny_pack(text: str, quotes: list[str]) -> Pack:
    answer = {"title": "T", "short": "s", "body": text, "follow_ups": [], "sources": ["src"],
              "review_status": "ok"}
    return Pack(topics=[{"id": "labour.h2a", "answers": {"es": answer, "en": answer}}], service_points=[],
                sources={"src": {"id": "src", "title": "Page", "url": "https://example.gov/page", "quotes": quotes},
                         "other": {"id": "other", "quotes": ["call 1574 now"]}})


@pytest.mark.parametrize(
    "text, quotes, problems",
    [
        ("Llame al 1574.", ["report extortion to 1574"], []),
        ("Llame al 1574.", ["report extortion to 15745"], ["'1574'"]),  # a whole number, not part of one
        ("Llame al 1574.", ["report extortion to 15", "74"], ["'1574'"]),  # in one entry, not glued across
        ("Llame al 110.", ["no number here"], ["'110'"]),  # short numbers are checked too
        ("Llame al 1-866-487-9243.", ["call 1\u2011866\u2011487\u20119243"], []),  # typographic dashes
        ("Llame al 1 866 487 9243.", ["call 1-866-487-9243"], ["'1 866 487 9243'"]),  # as written
        ("Cuesta Q15.", ["it costs Q15"], []),
        ("Cuesta Q15.", ["it costs Q150"], ["'Q15'"]),
        ("Vea tuempleo.mintrabajo.gob.gt.", ["tuempleo.mintrabajo.gob.gt"], []),
        ("Vea otra.gob.gt/pagina.", ["tuempleo.mintrabajo.gob.gt"], ["'otra.gob.gt/pagina'"]),
        ("Escriba a GuatemalaH2@state.gov", ["email GuatemalaH2@state.gov"], []),
        ("Escriba a fake@state.gov", ["email GuatemalaH2@state.gov"], ["'fake@state.gov'"]),
        ("1. Vaya. 2. Llame. 3 de cada 4.", [], []),  # list markers and small figures are not checked
    ],
)
def test_the_source_check_matches_whole_facts_as_written_in_one_entry(text, quotes, problems):
    found = unsourced(_tiny_pack(text, quotes), None)
    assert [line.split(": ", 1)[1].split(" is in")[0] for line in found] == problems * 2  # es and en


def test_the_source_check_reads_texts_in_every_language_not_only_spanish_and_english():
    pack = _tiny_pack("Llame al 1574.", ["report extortion to 1574"])
    pack.topics[0]["answers"]["quc"] = {**pack.topics[0]["answers"]["es"], "body": "[quc] 1510"}
    assert unsourced(pack, None) == ["labour.h2a [quc]: '1510' is in no source entry of this text"]


def test_every_text_has_a_source_from_2024_or_later_or_is_a_blocker(content_pack):
    """Issue 9: each answer, FAQ entry and service point rests on a 2024+ source or says what is missing."""
    old = []
    for text in shown_texts(content_pack):
        newest = newest_source_date(resolve_sources(list(text.sources), content_pack.sources))
        item = _item(content_pack, text.what)
        if (newest is None or newest < "2024") and item.get("review_status") != "blocker":
            old.append(f"{text.what} ({newest})")
    assert old == []


def _item(pack, what: str) -> dict:
    name = what.split(" [")[0]
    if name.startswith("FAQ "):
        return next(f for f in pack.faqs if f["id"] == name[4:])
    if name.startswith("service point "):
        return next(p for p in pack.service_points if p["slug"] == name[14:])
    topic = next(t for t in pack.topics if t["id"] == name)
    return topic["answers"][what.split("[")[1][:2]]


def test_every_topic_has_faq_entries_in_both_languages(content_pack, topic_ids):
    per_topic = {tid: [f for f in content_pack.faqs if f["topic"] == tid] for tid in topic_ids}
    thin = {tid: len(faqs) for tid, faqs in per_topic.items() if len(faqs) < 6 and tid != "out_of_scope"}
    assert thin == {}
    for faq in content_pack.faqs:
        assert faq["question"]["es"] and faq["question"]["en"] and faq["answer"]["es"] and faq["answer"]["en"]


def test_loading_twice_changes_nothing_and_keeps_staff_edits(loaded_repo, content_pack):
    again = load_pack(loaded_repo, content_pack)
    assert again.answers_created == [] and again.topics_changed == 0 and again.services_changed == 0
    staff = loaded_repo.save_draft("labour.h2a", "es", {"body": "Texto corregido por el equipo."}, "ana")
    loaded_repo.publish("labour.h2a", "es", staff.version, "ana")
    third = load_pack(loaded_repo, content_pack)
    assert third.answers_skipped == ["labour.h2a [es]"]
    assert loaded_repo.get_answer("labour.h2a", "es").body == "Texto corregido por el equipo."
    forced = load_pack(loaded_repo, content_pack, force=True)
    assert "labour.h2a [es] v3" in forced.answers_created


def test_pack_with_a_missing_translation_is_refused(content_pack, empty_repo):
    from copy import deepcopy

    from bot.content.pack import Pack, PackError

    broken = Pack(deepcopy(content_pack.topics), content_pack.service_points)
    del broken.topics[0]["answers"]["en"]
    with pytest.raises(PackError, match="missing"):
        load_pack(empty_repo, broken)
    assert empty_repo.coverage() == {}

"""The starter content pack: complete, sourced, short enough for a phone, and loaded idempotently."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.pack import LIMITS, check_pack, load_pack

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


def _sourced_text() -> str:
    return re.sub(r"\s+", " ", " ".join(p.read_text(encoding="utf-8") for p in SOURCES_DIR.glob("*")))


def test_no_phone_number_or_email_is_invented(content_pack):
    """Every phone-like number and e-mail shown to users appears in shared/sources/."""
    sourced = _sourced_text()
    digits_in_sources = re.sub(r"\D", "", sourced)
    phone = re.compile(r"\+?\d[\d\s-]{5,}\d")
    email = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    for tid, lang, answer in _answers(content_pack):
        shown = f"{answer['body']} {answer.get('details') or ''}"
        for number in phone.findall(shown):
            assert re.sub(r"\D", "", number) in digits_in_sources, f"{tid} [{lang}]: {number} not sourced"
        for address in email.findall(shown):
            assert address in sourced, f"{tid} [{lang}]: {address} not sourced"


def test_service_points_have_no_invented_phone_or_address(content_pack):
    sourced = _sourced_text()
    for point in content_pack.service_points:
        for key in ("phone", "address"):
            if point.get(key):
                assert point[key] in sourced, f"{point['slug']}: {key} not in sources"
        assert point.get("source")
        if not point.get("phone") or not point.get("address"):
            assert point.get("needs_review"), f"{point['slug']}: incomplete but not marked for review"


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

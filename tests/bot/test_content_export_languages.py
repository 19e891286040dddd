"""`bot content export` / `bot content import` with languages as data: texts in every language of the database
travel in the pack, and a language the target database lacks is added from languages.yml, not offered. Texts in
other languages are placeholders ("[quc:labour.h2a]"), never real Mayan text."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.cli.main import main
from bot.content.export import export_pack, import_pack
from bot.content.faq import FaqRepository
from bot.content.interface import LanguageRepository
from bot.content.models import Topic
from bot.content.pack import PackError, load_pack, read_pack
from bot.content.repository import ContentError, ContentRepository
from bot.db import session_scope
from bot.migrations import db_upgrade
from bot.staff.audit import AuditLog
from tests.bot.test_content_export import files

H2A_COST = "labour.h2a/cost"


def translate_answer(repo: ContentRepository, topic_id: str, lang: str, publish: bool = True) -> None:
    """A placeholder translation with the Spanish text's follow-ups, sources and review (what the pack checks)."""
    fields = {**repo.get_answer(topic_id, "es").content_fields(), "title": f"[{lang}:{topic_id}]",
              "short": f"[{lang}:{topic_id}] short", "body": f"[{lang}:{topic_id}] body", "details": None}
    draft = repo.save_draft(topic_id, lang, fields, created_by="eva")
    if publish:
        repo.publish(topic_id, lang, draft.version, published_by="rosa")


@pytest.fixture
def multilingual(sqlite_content):
    """The loaded pack plus K'iche' (defined by the migrations) and Ixil (added by staff) texts."""
    repo, url = sqlite_content, sqlite_content.database_url
    LanguageRepository(url).add("ixl", "Ixil", by="ada")
    translate_answer(repo, "labour.h2a", "quc")
    translate_answer(repo, "labour.h2a", "ixl")
    translate_answer(repo, "labour.fees", "quc", publish=False)  # a draft stays in the database
    faq = FaqRepository(url)
    draft = faq.save_draft(H2A_COST, "quc", {"question": f"[quc:{H2A_COST}] question",
                                             "answer": f"[quc:{H2A_COST}] answer"}, created_by="eva")
    faq.publish(H2A_COST, "quc", draft.version, published_by="rosa")
    faq.add_phrasing(H2A_COST, f"[quc:{H2A_COST}] phrasing", "quc", origin="taught")
    faq.add_phrasing("labour.h2a", "[ixl:labour.h2a] phrasing", "ixl", origin="taught")
    return url


def empty_database(tmp_path: Path, name: str = "empty") -> str:
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    db_upgrade(url)
    return url


def test_texts_in_every_language_round_trip_and_a_missing_language_is_added_not_offered(multilingual, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    report = export_pack(multilingual, first)
    assert "languages.yml" in report.files
    assert yaml.safe_load(files(first)["languages.yml"])["languages"] == [
        {"code": "es", "autonym": "Español"}, {"code": "en", "autonym": "English"},
        {"code": "quc", "autonym": "K'iche'"}, {"code": "mam", "autonym": "Mam"},
        {"code": "kek", "autonym": "Q'eqchi'"}, {"code": "ixl", "autonym": "Ixil"}]
    topics = {t["id"]: t for t in yaml.safe_load(files(first)["answers/labour.yml"])["topics"]}
    assert list(topics["labour.h2a"]["answers"]) == ["es", "en", "quc", "ixl"]
    assert topics["labour.h2a"]["answers"]["quc"]["title"] == "[quc:labour.h2a]"
    assert topics["labour.h2a"]["phrasings"]["ixl"] == ["[ixl:labour.h2a] phrasing"]
    assert list(topics["labour.fees"]["answers"]) == ["es", "en"], "drafts are not exported"
    cost = next(f for f in yaml.safe_load(files(first)["faq/labour.yml"])["faqs"] if f["id"] == H2A_COST)
    assert cost["question"]["quc"] == f"[quc:{H2A_COST}] question"
    assert cost["phrasings"]["quc"] == [f"[quc:{H2A_COST}] phrasing"]

    empty = empty_database(tmp_path)
    loaded = import_pack(empty, first)
    assert loaded.languages_added == ["ixl"]
    assert "languages added (not offered): ixl" in loaded.summary()
    assert [(x.code, x.autonym, x.offered) for x in LanguageRepository(empty).languages()][-1] == (
        "ixl", "Ixil", False)
    assert [(e.actor, e.target_id) for e in AuditLog(empty).entries(action="language.add")] == [
        ("content-pack", "ixl")]
    content = ContentRepository(empty)
    assert content.get_answer("labour.h2a", "quc", fallback=False).body == "[quc:labour.h2a] body"
    assert content.get_answer("labour.h2a", "ixl", fallback=False).title == "[ixl:labour.h2a]"
    assert content.get_answer("labour.fees", "quc", fallback=False) is None
    assert FaqRepository(empty).get(H2A_COST, "quc").answer == f"[quc:{H2A_COST}] answer"
    assert {(p.text, p.lang) for p in FaqRepository(empty).phrasings()} >= {
        (f"[quc:{H2A_COST}] phrasing", "quc"), ("[ixl:labour.h2a] phrasing", "ixl")}
    export_pack(empty, second)
    assert files(second) == files(first)
    assert import_pack(empty, first).languages_added == [], "importing again adds nothing"


def test_a_language_neither_in_the_database_nor_in_languages_yml_is_refused(multilingual, tmp_path):
    out = tmp_path / "pack"
    export_pack(multilingual, out)
    (out / "languages.yml").unlink()
    empty = empty_database(tmp_path)
    with pytest.raises(PackError, match=r"language 'ixl': not in the database; add it on the console's languages "
                                        r"page, or list it with its name in languages.yml"):
        import_pack(empty, out)
    with session_scope(empty) as s:
        assert s.scalar(select(func.count(Topic.id))) == 0
    assert not LanguageRepository(empty).is_defined("ixl")


def test_a_text_in_another_language_is_checked_like_the_spanish_one(multilingual, tmp_path):
    out = tmp_path / "pack"
    export_pack(multilingual, out)
    path = out / "faq" / "labour.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    cost = next(f for f in document["faqs"] if f["id"] == H2A_COST)
    del cost["answer"]["quc"]
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError, match=rf"FAQ {H2A_COST} \[quc\]: no answer"):
        import_pack(empty_database(tmp_path), out)


def test_texts_are_written_in_any_defined_language_and_no_other(sqlite_content):
    url = sqlite_content.database_url
    with pytest.raises(ContentError, match="unsupported language 'ixl'"):
        translate_answer(sqlite_content, "labour.h2a", "ixl")
    LanguageRepository(url).add("ixl", "Ixil", by="ada")
    translate_answer(sqlite_content, "labour.h2a", "ixl")
    assert sqlite_content.get_answer("labour.h2a", "ixl", fallback=False).title == "[ixl:labour.h2a]"
    assert FaqRepository(url).add_phrasing("labour.h2a", "[ixl:labour.h2a] phrasing", "ixl")
    with pytest.raises(ContentError, match="unsupported language 'xx'"):
        FaqRepository(url).add_phrasing("labour.h2a", "otra frase", "xx")


def test_the_cli_imports_a_pack_with_a_new_language(multilingual, tmp_path, set_env, capsys):
    out = tmp_path / "cli"
    assert main(["content", "export", str(out)]) == 0
    set_env(DATABASE_URL=empty_database(tmp_path, "target"))
    assert main(["content", "import", str(out)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("; languages added (not offered): ixl")


def test_bot_content_load_adds_a_listed_language_too(multilingual, tmp_path):
    out = tmp_path / "pack"
    export_pack(multilingual, out)
    target = empty_database(tmp_path)
    report = load_pack(ContentRepository(target), read_pack(out))
    assert report.languages_added == ["ixl"] and not LanguageRepository(target).languages()[-1].offered
    assert ContentRepository(target).get_answer("labour.h2a", "ixl", fallback=False).body == "[ixl:labour.h2a] body"

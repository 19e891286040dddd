"""`bot content export DIR` / `bot content import DIR`: the live content as a pack, and back, losslessly."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.cli.main import main
from bot.content.export import export_pack, import_pack
from bot.content.faq import FaqRepository
from bot.content.models import Phrasing, Topic
from bot.content.pack import PackError
from bot.content.repository import ContentRepository
from bot.db import session_scope
from bot.migrations import db_upgrade


def files(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text(encoding="utf-8")
            for p in sorted(directory.rglob("*.yml"))}


@pytest.fixture
def live(sqlite_content):
    """The loaded pack plus what staff do in the console: an edit, taught phrasings, a retired service point."""
    repo, url = sqlite_content, sqlite_content.database_url
    draft = repo.save_draft("labour.h2a", "es", {"body": "Texto revisado.\nSegunda línea.", "valid_as_of": "2026-01"},
                            created_by="eva")
    repo.publish("labour.h2a", "es", draft.version)
    faq = FaqRepository(url)
    faq.add_phrasing("labour.fees", "cuanto cobra el consulado por la matricula", "es", origin="taught")
    faq.add_phrasing("labour.h2a/cost", "h2a precio", None, origin="taught")
    point = repo.service_points()[0]
    repo.upsert_service_point({**{k: getattr(point, k) for k in ("slug", "name", "kind", "source")},
                               "active": False})
    return url


def test_export_import_into_an_empty_database_export_gives_identical_files(live, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    report = export_pack(live, first)
    assert "answers/labour.yml" in report.files and "services.yml" in report.files
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    db_upgrade(empty)
    loaded = import_pack(empty, first)
    assert loaded.phrasings_added == report.phrasings
    export_pack(empty, second)
    assert files(second) == files(first)
    # What was exported is what the bot serves.
    h2a = ContentRepository(empty).get_answer("labour.h2a", "es")
    assert (h2a.body, h2a.valid_as_of) == ("Texto revisado.\nSegunda línea.", "2026-01")
    body = "        body: |-\n          Texto revisado.\n          Segunda línea.\n"
    assert body in files(first)["answers/labour.yml"], "multi-line texts are literal blocks"
    labour = yaml.safe_load(files(first)["answers/labour.yml"])
    fees = next(t for t in labour["topics"] if t["id"] == "labour.fees")
    assert fees["phrasings"] == {"es": ["cuanto cobra el consulado por la matricula"]}
    cost = next(f for f in yaml.safe_load(files(first)["faq/labour.yml"])["faqs"] if f["id"] == "labour.h2a/cost")
    assert cost["phrasings"]["any"] == ["h2a precio"]
    points = yaml.safe_load(files(first)["services.yml"])["service_points"]
    assert [p["active"] for p in points].count(False) >= 1
    assert len(FaqRepository(empty).phrasings()) == len(FaqRepository(live).phrasings())


def test_a_pack_with_a_problem_is_refused_and_nothing_is_loaded(live, tmp_path):
    out = tmp_path / "pack"
    export_pack(live, out)
    path = out / "faq" / "labour.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["faqs"][3]["answer"]["en"] = ""
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    db_upgrade(empty)
    with pytest.raises(PackError, match=rf"FAQ {document['faqs'][3]['id']} \[en\]: no answer"):
        import_pack(empty, out)
    with session_scope(empty) as s:
        assert (s.scalar(select(func.count(Topic.id))), s.scalar(select(func.count(Phrasing.id)))) == (0, 0)


def test_the_cli_exports_and_imports(live, tmp_path, set_env, capsys):
    out = tmp_path / "cli"
    assert main(["content", "export", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: ")
    target = f"sqlite:///{tmp_path / 'target.db'}"
    db_upgrade(target)
    set_env(DATABASE_URL=target)
    assert main(["content", "import", str(out)]) == 0
    assert "phrasings added:" in capsys.readouterr().out
    assert ContentRepository(target).get_answer("labour.h2a", "es").body == "Texto revisado.\nSegunda línea."
    (out / "answers" / "help.yml").unlink()
    assert main(["content", "import", str(out)]) == 1
    assert "nothing was imported" in capsys.readouterr().err

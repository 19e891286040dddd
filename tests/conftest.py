"""Shared fixtures: every test gets its own content database (SQLite file, or a fresh PostgreSQL database)."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Optional inputs from outside the repository (evaluation sets); tests that need them say so and skip.
SHARED = PROJECT_ROOT.parent / "shared"
POSTGRES_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")

# The test suite chooses test mode itself (importing `actions` validates the settings of the process).
os.environ["BRUJULA_ENV"] = "test"


@pytest.fixture(autouse=True)
def _test_environment(monkeypatch, tmp_path):
    """Tests run in test mode against a database of their own, never var/brujula.db."""
    from bot.settings import reset_settings

    monkeypatch.setenv("BRUJULA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'content.db'}")
    monkeypatch.setenv("AUDIO_DIR", str(tmp_path / "audio"))
    reset_settings()
    yield
    reset_settings()


@pytest.fixture
def set_env(monkeypatch) -> Callable[..., None]:
    """Change environment variables for this test and have the settings read them again."""
    from bot.settings import reset_settings

    def apply(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        reset_settings()

    return apply


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'content.db'}"


def _pg_admin_connection():
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=3)
    connection.autocommit = True
    return connection


def postgres_url_of(name: str) -> str:
    """The URL of one database on the test PostgreSQL server."""
    return POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def postgres_databases(*prefixes: str) -> Iterator[list[str]]:
    """New, empty PostgreSQL databases (one per prefix, named `<prefix>_<random>`), dropped afterwards with
    whatever is still connected to them. Fails the test when PostgreSQL is not there."""
    try:
        admin = _pg_admin_connection()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for this test: {error}")
    names = [f"{prefix}_{uuid.uuid4().hex[:10]}" for prefix in prefixes]
    try:
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f'CREATE DATABASE "{name}"')
        yield names
    finally:
        from bot.db import dispose_engines

        dispose_engines()
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def load_content(url: str, content_pack) -> None:
    """Migrate the database at `url` and load the content pack into it."""
    from bot.cli import db_upgrade
    from bot.content.pack import load_pack
    from bot.content.repository import ContentRepository

    db_upgrade(url)
    load_pack(ContentRepository(url), content_pack)


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    with postgres_databases("brujula_test") as (name,):
        yield postgres_url_of(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, set_env) -> str:
    """Runs the test once on SQLite and once on PostgreSQL; DATABASE_URL points at it."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    set_env(DATABASE_URL=url)
    return url


@pytest.fixture
def db(sqlite_url, set_env) -> str:
    """A migrated, empty SQLite database of this test, selected through DATABASE_URL."""
    from bot.cli import db_upgrade

    set_env(DATABASE_URL=sqlite_url)
    db_upgrade(sqlite_url)
    return sqlite_url


@pytest.fixture
def cases(db):
    """The case repository (handoff) on `db`."""
    from bot.handoff.cases import CaseRepository

    return CaseRepository(db)


@pytest.fixture
def empty_repo(database_url):
    from bot.cli import db_upgrade
    from bot.content.repository import ContentRepository

    db_upgrade(database_url)
    return ContentRepository(database_url)


CONTENT_DIR = Path(os.environ.get("CONTENT_DIR") or PROJECT_ROOT / "content")


@pytest.fixture(scope="session")
def content_pack():
    """The starter content pack (CONTENT_DIR, else the repository's content/)."""
    from bot.content.pack import read_pack

    return read_pack(CONTENT_DIR)


@pytest.fixture(scope="session")
def topic_ids() -> list[str]:
    """The topic taxonomy (the repository's own copy of shared/topics.tsv, grown with the content)."""
    import csv

    with (CONTENT_DIR / "topics.tsv").open(encoding="utf-8") as handle:
        return [row["topic_id"] for row in csv.DictReader(handle, delimiter="\t")]


@pytest.fixture
def loaded_repo(empty_repo, content_pack):
    """A database with the starter content pack loaded."""
    from bot.content.pack import load_pack

    load_pack(empty_repo, content_pack)
    return empty_repo


@pytest.fixture(scope="session")
def loaded_sqlite_template(tmp_path_factory, content_pack) -> Path:
    """A SQLite file with the schema and the content pack, built once; tests get their own copy."""
    from bot.cli import db_upgrade
    from bot.content.pack import load_pack
    from bot.content.repository import ContentRepository
    from bot.db import dispose_engines

    path = tmp_path_factory.mktemp("template") / "content.db"
    url = f"sqlite:///{path}"
    db_upgrade(url)
    load_pack(ContentRepository(url), content_pack)
    dispose_engines()  # the last connection closing checkpoints the write-ahead log into the file
    return path


def copy_loaded_database(template: Path, target: Path) -> str:
    """A private copy of the loaded template; returns its URL."""
    import shutil

    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_content(tmp_path, set_env, loaded_sqlite_template):
    """SQLite database with the content pack, selected through DATABASE_URL (for actions)."""
    from bot.content.repository import ContentRepository

    url = copy_loaded_database(loaded_sqlite_template, tmp_path / "loaded.db")
    set_env(DATABASE_URL=url)
    return ContentRepository(url)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright, one per test module: every browser test opens its own context. Not
    one per session: while Playwright's sync API runs, an asyncio loop counts as running in the main thread, and
    the async tests of other modules could not start theirs."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.console_stack import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()

"""Shared fixtures: every test gets its own content database (SQLite file, or a fresh PostgreSQL database)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
POSTGRES_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _local_environment(monkeypatch, tmp_path):
    """Tests run in local mode against a database of their own, never var/brujula.db."""
    monkeypatch.setenv("BRUJULA_ENV", "local")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'content.db'}")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'content.db'}"


def _pg_admin_connection():
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=3)
    connection.autocommit = True
    return connection


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    try:
        admin = _pg_admin_connection()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for this test: {error}")
    name = f"brujula_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    yield url
    from bot.db import dispose_engines

    dispose_engines()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, monkeypatch) -> str:
    """Runs the test once on SQLite and once on PostgreSQL; DATABASE_URL points at it."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def empty_repo(database_url):
    from bot.cli import db_upgrade
    from bot.repository import ContentRepository

    db_upgrade(database_url)
    return ContentRepository(database_url)


@pytest.fixture(scope="session")
def content_pack():
    from bot.content_pack import read_pack

    return read_pack(PROJECT_ROOT / "content")


@pytest.fixture(scope="session")
def topic_ids() -> list[str]:
    import csv

    with (SHARED / "topics.tsv").open(encoding="utf-8") as handle:
        return [row["topic_id"] for row in csv.DictReader(handle, delimiter="\t")]


@pytest.fixture
def loaded_repo(empty_repo, content_pack):
    """A database with the starter content pack loaded."""
    from bot.content_pack import load_pack

    load_pack(empty_repo, content_pack)
    return empty_repo


@pytest.fixture
def sqlite_content(sqlite_url, monkeypatch, content_pack):
    """SQLite database with the content pack, selected through DATABASE_URL (for actions)."""
    from bot.cli import db_upgrade
    from bot.content_pack import load_pack
    from bot.repository import ContentRepository

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    db_upgrade(sqlite_url)
    repo = ContentRepository(sqlite_url)
    load_pack(repo, content_pack)
    return repo

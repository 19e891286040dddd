"""Console fixtures: an app on a private copy of the loaded content database, staff users of each role, and a
test client that logs in and carries the CSRF token like a browser."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.conftest import copy_loaded_database

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def console_db(tmp_path, set_env, loaded_sqlite_template) -> str:
    url = copy_loaded_database(loaded_sqlite_template, tmp_path / "console.db")
    set_env(DATABASE_URL=url)
    return url


@pytest.fixture
def staff(console_db):
    """One user of each role: editor `eva`, second editor `eli`, reviewer `rosa`, admin `ada`."""
    from bot.staff.users import UserRepository

    users = UserRepository(console_db)
    return {name: users.create(name, PASSWORD, role, actor="test")
            for name, role in (("eva", "editor"), ("eli", "editor"), ("rosa", "reviewer"), ("ada", "admin"))}


@pytest.fixture
def app(console_db):
    from console import create_app

    return create_app({"TESTING": True})


@dataclass
class Browser:
    """A test client that, like a browser, sends the CSRF token of the last page it loaded."""

    client: object

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def token(self, path: str = "/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        form = dict(data or {})
        form.setdefault("csrf_token", self.token(token_from or path))
        return self.client.post(path, data=form, **kwargs)

    def login(self, username: str, password: str = PASSWORD):
        return self.post("/login", {"username": username, "password": password})


@pytest.fixture
def browser(app):
    """Not logged in."""
    return Browser(app.test_client())


@pytest.fixture
def as_user(app, staff):
    """as_user("rosa") -> a Browser logged in as that user."""

    def login(username: str) -> Browser:
        browser = Browser(app.test_client())
        response = browser.login(username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return browser

    return login

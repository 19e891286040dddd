"""Every console route declares the role it needs, and the declaration is what the server enforces."""
from __future__ import annotations

import pytest

from bot.staff.models import ROLE_RANK
from console.permissions import PUBLIC, required_role

STAFF_ROLES = {"eva": "editor", "rosa": "reviewer", "ada": "admin"}


def _routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_declares_a_role(app):
    undeclared = sorted(rule.rule for rule in _routes(app) if required_role(app, rule.endpoint) is None)
    assert not undeclared, f"routes without @requires(...): {undeclared}"


def test_an_undeclared_route_is_refused(app, as_user):
    @app.route("/forgotten")
    def forgotten():
        return "secret"

    assert as_user("ada").get("/forgotten").status_code == 403


def _plain_get_routes(app):
    return [rule for rule in _routes(app) if "GET" in rule.methods and not rule.arguments]


def test_anonymous_visitors_reach_only_public_pages(app, browser):
    for rule in _plain_get_routes(app):
        response = browser.get(rule.rule)
        if required_role(app, rule.endpoint) == PUBLIC:
            assert response.status_code in (200, 302), rule.rule
        else:
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), rule.rule


@pytest.mark.parametrize("username", sorted(STAFF_ROLES))
def test_each_role_opens_exactly_the_pages_its_rank_allows(app, as_user, username):
    browser = as_user(username)
    rank = ROLE_RANK[STAFF_ROLES[username]]
    for rule in _plain_get_routes(app):
        role = required_role(app, rule.endpoint)
        if role == PUBLIC:
            continue
        status = browser.get(rule.rule).status_code
        if ROLE_RANK[role] <= rank:
            assert status != 403, f"{username} refused {rule.rule}"
        else:
            assert status == 403, f"{username} allowed {rule.rule} (needs {role})"


def test_posts_need_the_role_too(app, as_user):
    """A forged POST from a lower role is refused before any change (here: an editor creating an admin)."""
    editor = as_user("eva")
    response = editor.post("/users", {"username": "sneaky", "password": "a long enough password", "role": "admin"},
                           token_from="/account")
    assert response.status_code == 403
    from bot.staff.users import UserRepository

    assert UserRepository(app.config["DATABASE_URL"]).by_username("sneaky") is None

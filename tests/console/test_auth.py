"""Logging in, roles, CSRF, throttling, idle expiry and logging out everywhere."""
from __future__ import annotations

import pytest

from tests.console.conftest import PASSWORD


def test_pages_need_login_and_login_leads_back(browser, staff):
    response = browser.get("/audit/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/audit/")
    response = browser.post("/login?next=/audit/", {"username": "rosa", "password": PASSWORD}, token_from="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/audit/"
    assert browser.get("/audit/").status_code == 200


def test_login_never_redirects_to_another_site(browser, staff):
    response = browser.post("/login?next=//evil.example/x", {"username": "eva", "password": PASSWORD},
                            token_from="/login")
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_and_audited_without_the_password(browser, staff, console_db):
    from bot.staff.audit import AuditLog

    response = browser.login("eva", "not the password at all")
    assert response.status_code == 401
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)
    [entry] = AuditLog(console_db).entries(action="login.failed")
    assert (entry.target_id, entry.before, entry.after) == ("eva", None, None)
    assert "not the password" not in repr(entry)


def test_the_seventh_wrong_password_in_a_minute_is_throttled(browser, staff):
    statuses = [browser.login("eva", f"wrong password {i}").status_code for i in range(7)]
    assert statuses == [401] * 6 + [429]
    # Even the right password waits until the minute is over.
    response = browser.login("eva")
    assert response.status_code == 429
    assert "Demasiados intentos" in response.get_data(as_text=True)


def test_a_form_posted_without_its_csrf_token_is_rejected(as_user):
    admin = as_user("ada")
    response = admin.client.post("/users", data={"username": "mallory", "password": PASSWORD, "role": "admin"})
    assert response.status_code == 400
    assert "El formulario venció o no es válido" in response.get_data(as_text=True)
    assert "mallory" not in admin.get("/users").get_data(as_text=True)


@pytest.mark.parametrize("username, path, status", [
    ("eva", "/users", 403),
    ("rosa", "/users", 403),
    ("ada", "/users", 200),
    ("eva", "/audit/", 403),
    ("rosa", "/audit/", 200),
])
def test_roles_open_only_their_pages(as_user, username, path, status):
    assert as_user(username).get(path).status_code == status


def test_session_cookie_is_httponly_samesite_and_expires_when_idle(app, staff):
    from tests.console.conftest import Browser

    browser = Browser(app.test_client())
    response = browser.login("eva")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("brujula_console="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 30 * 60


def test_secure_cookies_outside_local_and_test_mode(set_env, console_db):
    from console import create_app

    set_env(BRUJULA_ENV="production", CONSOLE_SECRET_KEY="a-private-console-key-0123456789",
            PSEUDONYM_SECRET="p" * 20, WEBCHAT_SECRET="w" * 20)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_the_default_console_key(set_env, console_db):
    from bot.settings import SettingsError
    from console import create_app

    set_env(BRUJULA_ENV="production", PSEUDONYM_SECRET="p" * 20, WEBCHAT_SECRET="w" * 20)
    with pytest.raises(SettingsError, match="CONSOLE_SECRET_KEY"):
        create_app()


def test_logout_everywhere_ends_other_sessions(as_user):
    phone, laptop = as_user("rosa"), as_user("rosa")
    assert laptop.get("/audit/").status_code == 200
    response = phone.post("/logout-everywhere", token_from="/account")
    assert response.status_code == 302
    assert laptop.get("/audit/").status_code == 302  # back to the login page
    assert phone.get("/audit/").status_code == 302


def test_admin_creates_a_user_who_can_then_log_in(as_user, app, console_db):
    from bot.staff.audit import AuditLog
    from tests.console.conftest import Browser

    admin = as_user("ada")
    response = admin.post("/users", {"username": "nuevo", "password": "a brand new passphrase", "role": "editor",
                                     "language": "en"})
    assert response.status_code == 302
    assert Browser(app.test_client()).login("nuevo", "a brand new passphrase").status_code == 302
    [entry] = AuditLog(console_db).entries(action="user.create", target="nuevo")
    assert (entry.actor, entry.after) == ("ada", {"role": "editor"})


def test_deactivated_user_is_logged_out_at_once(as_user, staff):
    editor = as_user("eva")
    assert editor.get("/content/").status_code == 200
    as_user("ada").post(f"/users/{staff['eva'].id}", {"action": "deactivate"}, token_from="/users")
    assert editor.get("/content/").status_code == 302


def test_interface_language_can_be_switched(as_user):
    editor = as_user("eva")
    assert "Registro de cambios" not in editor.get("/").get_data(as_text=True)  # editors have no audit link
    editor.post("/language/en", {"next": "/"}, token_from="/")
    page = editor.get("/").get_data(as_text=True)
    assert "Log out" in page and "Salir" not in page

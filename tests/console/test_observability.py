"""The console's /health, /ready and /metrics: open without login, readiness follows the database, and the counters
move by exactly what happened (requests by blueprint and status, wrong passwords)."""
from __future__ import annotations

from bot.tooling.processes import free_port
from tests.prometheus import changes, parse


def metrics(browser) -> dict:
    response = browser.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return parse(response.get_data(as_text=True))


def series(name: str, **labels: str) -> tuple[str, frozenset]:
    return name, frozenset(labels.items())


def test_health_and_ready_need_no_login(browser):
    assert (browser.get("/health").status_code, browser.get("/health").json) == (200, {"status": "ok"})
    assert (browser.get("/ready").status_code, browser.get("/ready").json) == (200, {"status": "ready",
                                                                                    "database": True})


def test_ready_is_503_while_the_database_is_unreachable(console_db):
    from console import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/gone"})
    response = app.test_client().get("/ready")
    assert (response.status_code, response.json) == (503, {"status": "not ready", "database": False})


def test_a_wrong_password_and_the_pages_it_took_are_counted_exactly(browser, staff):
    before = metrics(browser)
    assert browser.login("eva", "not her password").status_code == 401  # loads /login for its token, then posts
    assert browser.get("/no-such-page").status_code == 404
    assert changes(before, metrics(browser)) == {
        series("brujula_console_logins_failed_total"): 1,
        series("brujula_console_requests_total", blueprint="auth", status="200"): 1,
        series("brujula_console_requests_total", blueprint="auth", status="401"): 1,
        series("brujula_console_requests_total", blueprint="none", status="404"): 1,
        series("brujula_console_requests_total", blueprint="ops", status="200"): 1,  # the first scrape
    }

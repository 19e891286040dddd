"""A pooled connection that died while PostgreSQL was away is replaced before use (bot/db.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from bot import db
from tests.conftest import POSTGRES_ADMIN_DSN
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied_url():
    proxy = TcpProxy("127.0.0.1", 5432).start()
    database = POSTGRES_ADMIN_DSN.rsplit("/", 1)[1]
    yield proxy, f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}"
    proxy.stop()
    db.dispose_engines()


def one(url: str) -> int:
    with db.session_scope(url) as session:
        return session.execute(text("SELECT 1")).scalar_one()


def test_a_connection_idle_through_a_restart_is_replaced_before_use(proxied_url, monkeypatch):
    proxy, url = proxied_url
    assert one(url) == 1  # a pooled connection now exists
    proxy.stop()  # PostgreSQL restarts: the pooled connection is cut
    proxy.start()
    monkeypatch.setattr(db, "PING_IF_IDLE_SECONDS", 0.0)  # it has been idle long enough to be checked
    assert one(url) == 1


def test_a_restart_under_load_fails_one_statement_then_every_connection_is_new(proxied_url):
    from sqlalchemy.exc import OperationalError

    proxy, url = proxied_url
    with db.session_scope(url) as first, db.session_scope(url) as second:  # two pooled connections
        first.execute(text("SELECT 1"))
        second.execute(text("SELECT 1"))
    proxy.stop()
    proxy.start()
    # In steady use (no idle check), the first statement meets the dead connection: that reply is the apology.
    with pytest.raises(OperationalError):
        one(url)
    # SQLAlchemy saw a disconnect and replaced the whole pool: the other dead connection is not used again.
    assert [one(url), one(url)] == [1, 1]

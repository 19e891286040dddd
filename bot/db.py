"""The database: declarative base, engine and short-lived sessions (content and messaging tables alike).

`DATABASE_URL` picks the database (SQLite file by default, PostgreSQL in production). Engines are cached
per URL. A pooled connection that sat unused for a while is checked (SELECT 1) before use and replaced if it
died while the database was away, so the service recovers by itself when the database comes back. Connections
in steady use are not checked on every checkout (SQLAlchemy's pool_pre_ping: a round trip per session, about a
seventh of the action server's time under load); if the database restarts under load, the first statement on
a dead connection fails and SQLAlchemy then replaces every pooled connection (the actions answer that turn again
on a new connection, once: actions/actions.py). Rasa's tracker store gets the same idle check
(bot/tooling/tracker_store.py).
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from bot.settings import get_settings

Base = declarative_base()

_engines: dict[str, Engine] = {}
_sessionmakers: dict[str, sessionmaker] = {}
_lock = threading.Lock()


def _new_engine(url: str, connect_timeout: int) -> Engine:
    parsed = make_url(url)
    connect_args: dict = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": connect_timeout}
    elif parsed.get_backend_name() == "postgresql":
        connect_args = {"connect_timeout": connect_timeout}
    engine = create_engine(url, future=True, connect_args=connect_args)
    ping_when_idle(engine)
    if parsed.get_backend_name() == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers (actions) do not block the editor
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; no fsync on every commit
            cursor.close()
    return engine


PING_IF_IDLE_SECONDS = 5.0


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection that sat unused PING_IF_IDLE_SECONDS before handing it out (our engines, and
    Rasa's tracker store: bot/tooling/tracker_store.py)."""
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        last_used = record.info.get("checked_in_at")
        if last_used is None or time.monotonic() - last_used < PING_IF_IDLE_SECONDS:
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        except Exception as error:  # noqa: BLE001 - any failure means this connection is unusable
            raise exc.DisconnectionError() from error  # the pool discards it and connects again
        finally:
            try:
                cursor.close()
            except Exception:  # noqa: BLE001 - closing a dead cursor
                pass


def get_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    url = url or settings.database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _new_engine(url, settings.database_connect_timeout)
        return engine


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _sessionmakers.clear()


def utcnow() -> dt.datetime:
    """Naive UTC now, as stored in every timestamp column."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _sessionmaker(url: str | None) -> sessionmaker:
    key = url or get_settings().database_url
    factory = _sessionmakers.get(key)
    if factory is None:
        factory = _sessionmakers[key] = sessionmaker(bind=get_engine(key), future=True, expire_on_commit=False)
    return factory


@contextmanager
def within(session: Session) -> Iterator[Session]:
    """Work inside a session someone else opened (one transaction for many calls, e.g. loading the content
    pack); changes are flushed, and committed or rolled back by the session's owner."""
    yield session
    session.flush()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One short-lived session: committed on success, rolled back on error, always closed."""
    session = _sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def forget_after_commit(tables: tuple[type, ...], forget: Callable[[], None], name: str) -> None:
    """Call `forget` after every commit in this process that changed rows of `tables` (through ORM objects or bulk
    UPDATE / DELETE statements): per-process snapshots of content are then read again at once by this process
    (other processes notice the change by its revision). `name` keys the mark on the session."""
    flag = f"changed:{name}"

    @event.listens_for(Session, "after_flush")
    def _note_objects(session: Session, _context: Any) -> None:
        if any(isinstance(row, tables) for row in (*session.new, *session.dirty, *session.deleted)):
            session.info[flag] = True

    @event.listens_for(Session, "do_orm_execute")
    def _note_statements(state: Any) -> None:
        if (state.is_update or state.is_delete) and any(mapper.class_ in tables for mapper in state.all_mappers):
            state.session.info[flag] = True

    @event.listens_for(Session, "after_commit")
    def _forget(session: Session) -> None:
        if session.info.pop(flag, False):
            forget()

"""bot.observability: the JSON and text log formats (fields, no phone numbers), LOG_FORMAT / LOG_FILE, send failures
counted where a send fails, and the outbox depth read from the database at scrape time."""
from __future__ import annotations

import asyncio
import json
import logging
import sys

import pytest

from bot.db import session_scope
from bot.messaging.delivery import Deliverer, SendError
from bot.messaging.models import OutboxMessage
from bot.observability import logs
from bot.observability.metrics import OutboxDepth, exposition
from bot.settings import SettingsError, load_settings
from tests.prometheus import changes, parse, value

PHONE = "+502 5544 3322"
WHATSAPP_ADDRESS = "whatsapp:+50255443322"
TELEGRAM_CHAT = 987654321


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("channels.whatsapp", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_json_line_has_exactly_the_fields_and_no_phone_number_from_the_arguments():
    line = logs.JsonFormatter("rasa").format(
        record("reply to %s (chat %d) kept in the outbox after %d attempts", WHATSAPP_ADDRESS, TELEGRAM_CHAT, 3))
    entry = json.loads(line)
    assert "\n" not in line
    assert set(entry) == {"time", "level", "logger", "message", "process", "pid"}
    assert entry["message"] == "reply to whatsapp:[number] (chat [number]) kept in the outbox after 3 attempts"
    assert (entry["level"], entry["logger"], entry["process"]) == ("WARNING", "channels.whatsapp", "rasa")
    assert entry["time"].endswith("+00:00") and entry["time"][:4].isdigit()


def test_an_exception_is_one_field_of_the_same_line_and_redacted_too():
    try:
        raise ValueError(f"no route to {PHONE}")
    except ValueError:
        line = logs.JsonFormatter("actions").format(record("send failed", exc_info=sys.exc_info()))
    entry = json.loads(line)
    assert entry["message"] == "send failed"
    assert entry["exception"].startswith("Traceback") and "ValueError: no route to [number]" in entry["exception"]
    assert "5544" not in line


def test_the_text_format_redacts_numbers_but_keeps_dates_and_short_numbers():
    line = logs.TextFormatter().format(record("case %s opened on %s for %s", 42, "2025-03-01", PHONE))
    assert line.endswith("WARNING channels.whatsapp: case 42 opened on 2025-03-01 for [number]")


def test_log_format_is_json_in_production_text_elsewhere_unless_set():
    secrets = {"PSEUDONYM_SECRET": "p" * 32, "WEBCHAT_SECRET": "w" * 32}
    assert load_settings({"BRUJULA_ENV": "production", **secrets}).log_format == "json"
    assert load_settings({"BRUJULA_ENV": "local"}).log_format == "text"
    assert load_settings({"BRUJULA_ENV": "test", "LOG_FORMAT": "JSON"}).log_format == "json"
    assert load_settings({"BRUJULA_ENV": "production", "LOG_FORMAT": "text", **secrets}).log_format == "text"
    with pytest.raises(SettingsError, match="LOG_FORMAT: must be one of text, json"):
        load_settings({"BRUJULA_ENV": "test", "LOG_FORMAT": "xml"})


@pytest.fixture
def restored_logging():
    """configure_logging changes the process's root logger: put it back afterwards."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logs.SANIC_LOGGERS),
               *(logging.getLogger(name) for name in logs.MESSAGE_TEXT_LOGGERS)]
    saved = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in loggers]
    yield
    for lg, handlers, level, propagate in saved:
        for handler in lg.handlers:
            if handler not in handlers:
                handler.close()
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate
    logging.captureWarnings(False)


def test_log_file_is_json_and_rotated_by_size_keeping_the_configured_backups(tmp_path, restored_logging):
    log_file = tmp_path / "logs" / "rasa.log"
    settings = load_settings({"BRUJULA_ENV": "test", "LOG_FORMAT": "json", "LOG_FILE": str(log_file),
                              "LOG_FILE_MAX_MB": "1", "LOG_FILE_BACKUPS": "2", "LOG_LEVEL": "DEBUG"})
    logs.configure_logging("rasa", settings)
    logs.configure_logging("rasa", settings)  # idempotent: one line per record, not two
    writer = logging.getLogger("tests.rotation")
    for i in range(8000):  # lines of about 520 bytes: 4 MB in all
        writer.info("line %d %s", i, "x" * 400)
    logging.getLogger("rasa.core.processor").debug("parsed 'text people wrote'")
    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == ["rasa.log", "rasa.log.1", "rasa.log.2"]
    kept = [log_file.with_name(name) for name in ("rasa.log.2", "rasa.log.1", "rasa.log")]
    assert all(path.stat().st_size <= 1024 * 1024 for path in kept)
    numbers = [int(json.loads(line)["message"].split()[1]) for path in kept for line in path.read_text().splitlines()]
    assert numbers == list(range(numbers[0], 8000)) and numbers[0] > 2000  # the oldest lines rotated away
    assert "text people wrote" not in log_file.read_text()  # Rasa's processor stays at INFO at LOG_LEVEL=DEBUG


def test_every_failed_send_attempt_is_counted_for_its_channel(db):
    from bot.messaging.store import ChannelStore

    store = ChannelStore(db)
    store.enqueue("telegram", "telegram-p1", [{"body": "hola"}])

    async def unreachable(_row):
        raise SendError("network error: TimedOut", True)

    before = parse(exposition().decode())
    asyncio.run(Deliverer(store, unreachable, "telegram", attempts=3, backoff_seconds=0).deliver("telegram-p1"))
    assert changes(before, parse(exposition().decode())) == {
        ("brujula_send_failures_total", frozenset({("channel", "telegram")})): 3.0}


def _add(db: str, channel: str, status: str, count: int) -> None:
    with session_scope(db) as session:
        session.add_all(OutboxMessage(channel=channel, sender_id=f"{channel}-p", body="hola", status=status)
                        for _ in range(count))


def test_outbox_depth_counts_replies_waiting_by_channel_at_scrape_time(db):
    depth = OutboxDepth(["whatsapp", "telegram"], db)
    assert value(parse(exposition(depth).decode()), "brujula_outbox_depth", {"channel": "telegram"}) == 0
    _add(db, "whatsapp", "pending", 2)
    _add(db, "whatsapp", "sending", 1)
    _add(db, "whatsapp", "sent", 4)
    _add(db, "telegram", "failed", 1)
    samples = parse(exposition(depth).decode())
    assert {key: v for key, v in samples.items() if key[0] == "brujula_outbox_depth"} == {
        ("brujula_outbox_depth", frozenset({("channel", "whatsapp")})): 3.0,
        ("brujula_outbox_depth", frozenset({("channel", "telegram")})): 0.0,
    }


def test_an_unreachable_database_leaves_the_outbox_depth_out_not_the_other_metrics(caplog):
    depth = OutboxDepth(["whatsapp"], "postgresql://nobody@127.0.0.1:9/none")
    with caplog.at_level(logging.WARNING, logger="bot.observability.metrics"):
        samples = parse(exposition(depth).decode())
    assert not any(name == "brujula_outbox_depth" for name, _ in samples)
    assert ("brujula_fallbacks_total", frozenset()) in samples
    assert caplog.messages == ["outbox depth not reported: database unavailable (OperationalError)"]

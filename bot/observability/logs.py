"""Logs of every Brújula process: one format, one level, no personal data.

`configure_logging(process)` is called once where a process starts: the action server (actions/server.py), the
console (console/__main__.py) and the Rasa server (its channels, channels/base.py: `rasa run` installs its own
coloured handler before it loads them, and this replaces it). Settings (bot/settings.py):

- LOG_FORMAT: `json`, one object per line {time, level, logger, message, process, pid[, exception]}, or `text`;
  json in production, text in local and test unless set;
- LOG_LEVEL: INFO by default. Rasa's processor and policy loggers stay at INFO even at DEBUG: their debug lines
  carry what people write;
- LOG_FILE: also write to this file, rotated at LOG_FILE_MAX_MB into LOG_FILE_BACKUPS old files.

Both formats replace long digit runs (phone numbers, Telegram chat ids: 8+ digits, spaces or dashes between them
allowed) in the message and the exception with `[number]`, whatever put them there. ISO dates are kept.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import re
import sys
from typing import Optional

from bot.settings import Settings, get_settings

REDACTED_NUMBER = "[number]"
LONG_NUMBER = re.compile(r"(?<!\w)\+?(?!\d{4}-\d{2}-\d{2})\d(?:[ -]?\d){7,}(?!\w)")
# Their DEBUG lines carry parsed messages, rule states and bot utterances.
MESSAGE_TEXT_LOGGERS = ("rasa.core.processor", "rasa.core.policies")
# Sanic's own loggers do not propagate to the root logger (Rasa and rasa_sdk set them so): they get ours directly.
SANIC_LOGGERS = ("sanic.root", "sanic.error", "sanic.access")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_OURS = "_brujula_handler"


def redact(text: str) -> str:
    return LONG_NUMBER.sub(REDACTED_NUMBER, text)


class TextFormatter(logging.Formatter):
    """The plain format of local runs and tests, numbers redacted."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "process": self.process,
            "pid": record.process,
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter_for(settings: Settings, process: str) -> logging.Formatter:
    return JsonFormatter(process) if settings.log_format == "json" else TextFormatter()


def _handlers(settings: Settings, process: str) -> list[logging.Handler]:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            settings.log_file, maxBytes=settings.log_file_max_mb * 1024 * 1024,
            backupCount=settings.log_file_backups, encoding="utf-8"))
    formatter = formatter_for(settings, process)
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _OURS, True)
    return handlers


def _replaced(handler: logging.Handler) -> bool:
    """Ours from an earlier call, or another console handler (Rasa's coloured one, basicConfig's)."""
    writes_to_console = isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) in (
        sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
    return getattr(handler, _OURS, False) or writes_to_console


def configure_logging(process: str, settings: Optional[Settings] = None) -> None:
    """Send this process's logs to stderr (and LOG_FILE) in the configured format and level. Idempotent."""
    settings = settings or get_settings()
    level = logging.getLevelName(settings.log_level)
    handlers = _handlers(settings, process)
    for logger in [logging.getLogger(), *(logging.getLogger(name) for name in SANIC_LOGGERS)]:
        for handler in [h for h in logger.handlers if _replaced(h)]:
            logger.removeHandler(handler)
            if getattr(handler, _OURS, False):
                handler.close()
        for handler in handlers:
            logger.addHandler(handler)
    logging.getLogger().setLevel(level)
    logging.captureWarnings(True)  # library warnings as log lines too (logger py.warnings), not raw stderr
    for name in SANIC_LOGGERS:
        logging.getLogger(name).propagate = False
    for name in MESSAGE_TEXT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, level))

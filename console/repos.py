"""The repositories of the `bot` core, bound to the console's database (app.config["DATABASE_URL"]).
Pages never build SQL: they call these, one short-lived session per call."""
from __future__ import annotations

from flask import current_app

from bot.content.faq import FaqRepository
from bot.content.repository import ContentRepository
from bot.staff.audit import AuditLog
from bot.staff.users import UserRepository


def database_url() -> str:
    return current_app.config["DATABASE_URL"]


def content() -> ContentRepository:
    return ContentRepository(database_url())


def faq() -> FaqRepository:
    return FaqRepository(database_url())


def users() -> UserRepository:
    return UserRepository(database_url())


def audit_log() -> AuditLog:
    return AuditLog(database_url())

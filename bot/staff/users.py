"""Console accounts: argon2id password hashes, roles, and sessions that can all be ended at once.

    users = UserRepository()
    users.create("ana", "a long passphrase", "reviewer", actor="admin")
    user = users.authenticate("ana", "a long passphrase")   # StaffUserView, or None
    users.end_sessions(user.id, actor="ana")                # "log out everywhere"

Failed logins are written to the audit log (without the password tried); `recent_failures()` counts them, which
is how the console throttles guessing across processes and restarts.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from bot.db import session_scope, utcnow
from bot.staff import audit
from bot.staff.models import ROLE_RANK, ROLES, StaffUser

MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so response times do not
# tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0123456789")


class UserError(ValueError):
    """A request the account rules do not allow (bad username, short password, unknown role...)."""


@dataclass(frozen=True)
class StaffUserView:
    id: int
    username: str
    role: str
    active: bool
    session_epoch: int
    language: str
    created_at: dt.datetime
    last_login_at: Optional[dt.datetime]

    def can(self, role: str) -> bool:
        """True when this user's role includes `role` (admin > reviewer > editor)."""
        return self.active and ROLE_RANK[self.role] >= ROLE_RANK[role]


def _view(row: StaffUser) -> StaffUserView:
    return StaffUserView(row.id, row.username, row.role, row.active, row.session_epoch, row.language,
                         row.created_at, row.last_login_at)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


class UserRepository:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self._url = database_url

    def create(self, username: str, password: str, role: str, actor: str = "system",
               language: str = "es") -> StaffUserView:
        username = (username or "").strip().lower()
        if not USERNAME.match(username):
            raise UserError("a username is 2-64 characters: lower-case letters, digits, '.', '_' or '-'")
        check_role(role)
        check_password(password)
        with session_scope(self._url) as s:
            if s.scalars(select(StaffUser).where(StaffUser.username == username)).first() is not None:
                raise UserError(f"the username {username!r} is taken")
            row = StaffUser(username=username, password_hash=_hasher.hash(password), role=role, active=True,
                            session_epoch=0, language=language)
            s.add(row)
            s.flush()
            audit.record(s, actor, "user.create", "user", username, None, {"role": role})
            return _view(row)

    def authenticate(self, username: str, password: str) -> Optional[StaffUserView]:
        """The user when the password is right and the account active; None otherwise (same time either way)."""
        username = (username or "").strip().lower()
        with session_scope(self._url) as s:
            row = s.scalars(select(StaffUser).where(StaffUser.username == username)).first()
            try:
                _hasher.verify(row.password_hash if row else _DUMMY_HASH, password or "")
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if row is None or not row.active:
                return None
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            row.last_login_at = utcnow()
            return _view(row)

    def get(self, user_id: int) -> Optional[StaffUserView]:
        with session_scope(self._url) as s:
            row = s.get(StaffUser, user_id)
            return _view(row) if row else None

    def by_username(self, username: str) -> Optional[StaffUserView]:
        with session_scope(self._url) as s:
            row = s.scalars(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()
            return _view(row) if row else None

    def list(self) -> list[StaffUserView]:
        with session_scope(self._url) as s:
            return [_view(r) for r in s.scalars(select(StaffUser).order_by(StaffUser.username))]

    def update(self, user_id: int, actor: str, role: Optional[str] = None, active: Optional[bool] = None,
               password: Optional[str] = None, language: Optional[str] = None) -> StaffUserView:
        """Change a role, (de)activate, or set a new password. Deactivating or a new password ends the user's
        sessions."""
        with session_scope(self._url) as s:
            row = s.get(StaffUser, user_id)
            if row is None:
                raise UserError(f"no user {user_id}")
            before = {"role": row.role, "active": row.active, "language": row.language}
            if role is not None:
                row.role = check_role(role)
            if language is not None:
                row.language = language
            if active is not None:
                row.active = bool(active)
                if not active:
                    row.session_epoch += 1
            if password is not None:
                row.password_hash = _hasher.hash(check_password(password))
                row.session_epoch += 1
            after = {"role": row.role, "active": row.active, "language": row.language}
            note = "password changed" if password is not None else ""
            audit.record(s, actor, "user.update", "user", row.username, before, after, note)
            return _view(row)

    def end_sessions(self, user_id: int, actor: str) -> None:
        """Log the user out everywhere: every session cookie issued before now stops working."""
        with session_scope(self._url) as s:
            row = s.get(StaffUser, user_id)
            if row is None:
                raise UserError(f"no user {user_id}")
            row.session_epoch += 1
            audit.record(s, actor, "user.logout_everywhere", "user", row.username)

    def record_failed_login(self, username: str, client: str) -> None:
        """A failed login, in the audit log (the username tried, never the password; `client` is the address)."""
        audit.AuditLog(self._url).record(client[:64] or "unknown", "login.failed", "user",
                                         (username or "").strip().lower()[:64])

    def recent_failures(self, username: str, client: str, window: dt.timedelta) -> int:
        """Failed logins in the last `window` for this username or from this address, whichever is more."""
        since = utcnow() - window
        log = audit.AuditLog(self._url)
        by_name = log.count("login.failed", target_id=(username or "").strip().lower()[:64], since=since)
        by_client = len([e for e in log.entries(actor=client[:64] or "unknown", action="login.failed",
                                                since=since, limit=1000)])
        return max(by_name, by_client)

"""Who may open which page. Fail closed: every endpoint declares the least role it needs, or that it is public.

    @bp.route("/answers")
    @requires(EDITOR)
    def answers(): ...

`enforce()` runs before every request and refuses an endpoint that declared nothing (403), so a route someone
forgot to mark is closed, not open; `tests/console/test_permissions.py` lists every route and fails when one
has no declaration.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, Optional

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from bot.staff.models import ROLES

PUBLIC = "public"
# Endpoints of Flask itself that need no declaration.
BUILTIN_PUBLIC = {"static"}


def requires(role: str) -> Callable:
    """Mark a view as needing `role` (editor < reviewer < admin), or PUBLIC."""
    if role not in (*ROLES, PUBLIC):
        raise ValueError(f"unknown role {role!r}")

    def mark(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]
        return wrapper

    return mark


def required_role(app: Flask, endpoint: Optional[str]) -> Optional[str]:
    if endpoint in BUILTIN_PUBLIC:
        return PUBLIC
    view = app.view_functions.get(endpoint or "")
    return getattr(view, "required_role", None)


def enforce() -> Optional[object]:
    """before_request: log in first; then the role the endpoint declared; undeclared endpoints are refused."""
    if request.endpoint is None:
        return None  # 404 / 405: Flask answers those
    role = required_role(current_app, request.endpoint)
    if role is None:
        abort(403)
    if role == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if not current_user.can(role):
        abort(403)
    return None

"""Logging in and out (Flask-Login over bot.staff.users), the staff member's own account, and user admin.

The session cookie holds "<user id>:<session epoch>". Raising the epoch (log out everywhere, a new password,
deactivation) makes every older cookie stop working at its next request. Wrong passwords are throttled per
username and per address through the audit log, so the limit holds across console processes and restarts.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from bot.observability.metrics import CONSOLE_LOGINS_FAILED
from bot.staff.models import ADMIN, EDITOR, ROLES
from bot.staff.users import StaffUserView, UserError
from console import repos
from console.i18n import LANGUAGE_COOKIE, LANGUAGES, register, t
from console.permissions import PUBLIC, requires

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"


class LoginUser:
    """What Flask-Login keeps for a request: the staff member as the database says now."""

    def __init__(self, view: StaffUserView) -> None:
        self.view = view

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.view.active

    def get_id(self) -> str:
        return f"{self.view.id}:{self.view.session_epoch}"

    def can(self, role: str) -> bool:
        return self.view.can(role)

    def __getattr__(self, name: str):
        return getattr(self.view, name)


@login_manager.user_loader
def load_user(identity: str) -> Optional[LoginUser]:
    try:
        user_id, epoch = (int(part) for part in identity.split(":"))
    except ValueError:
        return None
    view = repos.users().get(user_id)
    if view is None or not view.active or view.session_epoch != epoch:
        return None
    return LoginUser(view)


def _client() -> str:
    return request.remote_addr or "unknown"


def _safe_next(target: Optional[str]) -> str:
    """Only a path on this site (never another host) after logging in."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
def login():
    if request.method == "GET":
        return render_template("login.html")
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    window = dt.timedelta(minutes=1)
    limit = current_app.config["LOGIN_ATTEMPTS_PER_MINUTE"]
    users = repos.users()
    if users.recent_failures(username, _client(), window) >= limit:
        return render_template("login.html", error=t("login.throttled"), username=username), 429
    user = users.authenticate(username, password)
    if user is None:
        users.record_failed_login(username, _client())
        CONSOLE_LOGINS_FAILED.inc()
        return render_template("login.html", error=t("login.failed"), username=username), 401
    session.clear()  # a new session id for the logged-in user (no fixation)
    session.permanent = True  # expires after the idle time (refreshed on every request)
    login_user(LoginUser(user))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
@requires(EDITOR)
def logout():
    logout_user()
    session.clear()
    flash(t("logout.done"))
    return redirect(url_for("auth.login"))


@bp.route("/logout-everywhere", methods=["POST"])
@requires(EDITOR)
def logout_everywhere():
    repos.users().end_sessions(current_user.id, actor=current_user.username)
    logout_user()
    session.clear()
    flash(t("logout.everywhere_done"))
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
@requires(PUBLIC)
def language(code: str):
    response = redirect(_safe_next(request.form.get("next")))
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/account", methods=["GET", "POST"])
@requires(EDITOR)
def account():
    if request.method == "POST":
        new = request.form.get("new_password") or ""
        if repos.users().authenticate(current_user.username, request.form.get("current_password") or "") is None:
            flash(t("account.wrong_current"), "error")
        else:
            try:
                repos.users().update(current_user.id, actor=current_user.username, password=new)
            except UserError as error:
                flash(str(error), "error")
            else:
                logout_user()
                session.clear()
                flash(t("account.password_changed"))
                return redirect(url_for("auth.login"))
    return render_template("account.html")


@bp.route("/users", methods=["GET", "POST"])
@requires(ADMIN)
def users():
    if request.method == "POST":
        try:
            repos.users().create(request.form.get("username") or "", request.form.get("password") or "",
                                 request.form.get("role") or "", actor=current_user.username,
                                 language=request.form.get("language") or "es")
            flash(t("common.saved"))
        except UserError as error:
            flash(str(error), "error")
        return redirect(url_for("auth.users"))
    return render_template("users.html", users=repos.users().list(), roles=ROLES)


@bp.route("/users/<int:user_id>", methods=["POST"])
@requires(ADMIN)
def update_user(user_id: int):
    action = request.form.get("action")
    try:
        if action == "role":
            repos.users().update(user_id, actor=current_user.username, role=request.form.get("role"))
        elif action in ("activate", "deactivate"):
            if user_id == current_user.id:
                raise UserError(t("users.not_yourself"))
            repos.users().update(user_id, actor=current_user.username, active=action == "activate")
        elif action == "logout":
            repos.users().end_sessions(user_id, actor=current_user.username)
        flash(t("common.saved"))
    except UserError as error:
        flash(str(error), "error")
    return redirect(url_for("auth.users"))


register({
    "account.title": {"es": "Mi cuenta", "en": "My account"},
    "account.current": {"es": "Contraseña actual", "en": "Current password"},
    "account.new": {"es": "Contraseña nueva (12 caracteres o más)", "en": "New password (12 characters or more)"},
    "account.change": {"es": "Cambiar contraseña", "en": "Change password"},
    "account.wrong_current": {"es": "La contraseña actual no es correcta.", "en": "The current password is wrong."},
    "account.password_changed": {"es": "Contraseña cambiada. Entre con la nueva.",
                                 "en": "Password changed. Log in with the new one."},
    "users.title": {"es": "Usuarios", "en": "Users"},
    "users.create": {"es": "Crear usuario", "en": "Create user"},
    "users.role": {"es": "Rol", "en": "Role"},
    "users.language": {"es": "Idioma", "en": "Language"},
    "users.active": {"es": "Activo", "en": "Active"},
    "users.last_login": {"es": "Última entrada", "en": "Last login"},
    "users.activate": {"es": "Activar", "en": "Activate"},
    "users.deactivate": {"es": "Desactivar", "en": "Deactivate"},
    "users.end_sessions": {"es": "Cerrar sus sesiones", "en": "End their sessions"},
    "users.change_role": {"es": "Cambiar rol", "en": "Change role"},
    "users.not_yourself": {"es": "No puede desactivar su propia cuenta.", "en": "You cannot deactivate yourself."},
})

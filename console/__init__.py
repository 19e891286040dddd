"""The staff console: a Flask app on the `bot` core (content, staff, messaging repositories).

    app = create_app()                  # settings from the environment, validated
    python -m console                   # serve it (waitress) on CONSOLE_HOST:CONSOLE_PORT

Pages are server-rendered, in Spanish with English available. Every route declares the role it needs
(console.permissions); every form carries a CSRF token (Flask-WTF); sessions expire after idle time.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from bot.settings import get_settings

csrf = CSRFProtect()
logger = logging.getLogger(__name__)

# A strict policy: scripts, styles and images only from the console itself (the chart library is served from
# console/static/vendor), no inline script, no framing.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "media-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                           "form-action 'self'")


def create_app(overrides: Optional[dict[str, Any]] = None) -> Flask:
    settings = get_settings()
    app = Flask(__name__)
    secure_cookies = not (settings.is_local or settings.is_test)
    app.config.update(
        SECRET_KEY=settings.require_secret("console_secret_key"),
        DATABASE_URL=settings.database_url,
        SESSION_COOKIE_NAME="brujula_console",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.console_session_idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        # Forms are small; an audio upload may reach AUDIO_MAX_MB (console/audio.py refuses more, with a message).
        MAX_CONTENT_LENGTH=int(max(5, settings.audio_max_mb + 1) * 1024 * 1024),
        LOGIN_ATTEMPTS_PER_MINUTE=settings.console_login_attempts_per_minute,
    )
    app.config.update(overrides or {})

    from console import (
        audio,
        audit,
        auth,
        cases,
        content,
        dashboard,
        inbox,
        languages,
        observability,
        recruiters,
        services,
    )
    from console.i18n import current_language, t
    from console.permissions import enforce

    csrf.init_app(app)
    auth.login_manager.init_app(app)
    app.before_request(enforce)
    for blueprint in (auth.bp, dashboard.bp, content.bp, audio.bp, services.bp, recruiters.bp, inbox.bp, cases.bp,
                      audit.bp, observability.bp, languages.bp):
        app.register_blueprint(blueprint)
    app.after_request(observability.count_request)
    app.jinja_env.globals.update(t=t, current_language=current_language)
    app.jinja_env.autoescape = True

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def error_page(key: str, status: int):
        return render_template("error.html", message=t(key)), status

    app.register_error_handler(CSRFError, lambda _e: error_page("error.csrf", 400))
    app.register_error_handler(403, lambda _e: error_page("error.forbidden", 403))
    app.register_error_handler(404, lambda _e: error_page("error.not_found", 404))
    app.register_error_handler(413, lambda _e: error_page("error.too_large", 413))

    @app.errorhandler(500)
    def server_error(_error):
        logger.error("console request failed (details above; no personal data logged)")
        return error_page("error.server", 500)

    return app

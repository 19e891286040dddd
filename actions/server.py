"""`python -m actions.server`: the action server, as `python -m rasa_sdk --actions actions` with the same arguments
(--port, --cors, --ssl-*, --auto-reload; ACTION_SERVER_SANIC_WORKERS workers), plus Brújula's logging (LOG_LEVEL,
LOG_FORMAT, LOG_FILE; rasa_sdk's own logging flags are ignored) and two routes beside /health and /webhook:

    GET /ready     200 when the content database answers, else 503 {"status": "ready" | "not ready", "database"}
    GET /metrics   Prometheus metrics: fallbacks, emergencies, handoffs (bot/observability/metrics.py)
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any, Optional, Sequence

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.observability.logs import configure_logging
from bot.observability.metrics import CONTENT_TYPE, exposition
from bot.observability.probes import database_reachable

logger = logging.getLogger("actions.server")  # also when run as __main__


async def start_redaction_warm_up(_app: Sanic, _loop: Any) -> None:
    """Load spaCy's name and place recogniser in the background as the server starts, so the first question that
    goes to the unanswered log is not kept waiting 2-4 s for it. In each worker once forked: a fork in the middle
    of the warm-up's imports would leave spaCy half-imported in the worker."""
    from bot.privacy import warm_up

    threading.Thread(target=warm_up, name="redaction-warm-up", daemon=True).start()


def build_app(actions_package: str = "actions", cors_origins: Optional[list[str]] = None,
              auto_reload: bool = False) -> Sanic:
    """rasa_sdk's app (/health, /webhook, /actions) with /ready and /metrics."""
    app = create_app(actions_package, cors_origins=cors_origins, auto_reload=auto_reload)

    @app.get("/ready")
    async def ready(_: Request) -> HTTPResponse:
        database = await asyncio.to_thread(database_reachable)
        return response.json({"status": "ready" if database else "not ready", "database": database},
                             status=200 if database else 503)

    @app.get("/metrics")
    async def metrics(_: Request) -> HTTPResponse:
        return response.raw(await asyncio.to_thread(exposition), content_type=CONTENT_TYPE)

    return app


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = create_argument_parser().parse_args(argv)
    utils.update_sanic_log_level()  # Sanic's loggers at LOG_LEVEL_LIBRARIES, as rasa_sdk sets them
    configure_logging("actions")
    app = build_app(args.actions or "actions", args.cors, args.auto_reload)
    app.register_listener(start_redaction_warm_up, "before_server_start")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    logger.info("action server on %s://%s:%d", "https" if ssl_context else "http", host, args.port)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()

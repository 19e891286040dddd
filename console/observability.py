"""The console's operations routes, open without login (PUBLIC) and for the internal network only (the front does not
serve /metrics: deploy/nginx/locations.conf):

    GET /health    200 while the process answers
    GET /ready     200 when the database answers, else 503 {"status": "ready" | "not ready", "database"}
    GET /metrics   Prometheus metrics: requests by blueprint and status, failed logins (bot/observability/metrics.py)

`count_request` (after every request) counts what the console answered; auth.login counts wrong passwords.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from bot.observability.metrics import CONSOLE_REQUESTS, CONTENT_TYPE, exposition
from bot.observability.probes import database_reachable
from console.permissions import PUBLIC, requires

bp = Blueprint("ops", __name__)


@bp.route("/health")
@requires(PUBLIC)
def health():
    return jsonify(status="ok")


@bp.route("/ready")
@requires(PUBLIC)
def ready():
    database = database_reachable(current_app.config["DATABASE_URL"])
    return jsonify(status="ready" if database else "not ready", database=database), 200 if database else 503


@bp.route("/metrics")
@requires(PUBLIC)
def metrics():
    return Response(exposition(), content_type=CONTENT_TYPE)


def count_request(response: Response) -> Response:
    """after_request: one more request of this blueprint ("static" for files, "none" when no route matched)."""
    group = request.blueprint or ("static" if request.endpoint == "static" else "none")
    CONSOLE_REQUESTS.labels(group, str(response.status_code)).inc()
    return response

"""The Rasa server's operations routes, served as a channel (Rasa serves nothing of ours otherwise):

    GET /webhooks/ops/health    200 while the process answers
    GET /webhooks/ops/ready     200 when the model is loaded and the content database answers, else 503
                                {"status": "ready" | "not ready", "model": bool, "database": bool}
    GET /webhooks/ops/metrics   this server's Prometheus metrics (bot/observability/metrics.py) and the outbox depth

For the internal network only: the front (deploy/nginx/locations.conf) does not serve the metrics to the internet.
"""
from __future__ import annotations

import asyncio
from typing import Any, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.observability.metrics import CONTENT_TYPE, OutboxDepth, exposition
from bot.observability.probes import database_reachable
from channels.base import BrujulaChannel, OnNewMessage, OutboxChannel


def model_loaded(app: Any) -> bool:
    """Whether Rasa's agent has its model (and tracker store) and can answer."""
    agent = getattr(app.ctx, "agent", None)
    return bool(agent is not None and agent.is_ready())


def outbox_channels(app: Any) -> list[str]:
    """The channels of this server that send through the outbox (reported even when nothing waits)."""
    return [channel.name() for channel in getattr(app.ctx, "input_channels", None) or []
            if isinstance(channel, OutboxChannel)]


class OpsInput(BrujulaChannel):
    @classmethod
    def name(cls) -> Text:
        return "ops"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        ops = Blueprint("ops_webhook", __name__)

        @ops.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @ops.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            model = model_loaded(request.app)
            database = await asyncio.to_thread(database_reachable)
            is_ready = model and database
            return response.json({"status": "ready" if is_ready else "not ready", "model": model,
                                  "database": database}, status=200 if is_ready else 503)

        @ops.route("/metrics", methods=["GET"])
        async def metrics(request: Request) -> HTTPResponse:
            page = await asyncio.to_thread(exposition, OutboxDepth(outbox_channels(request.app)))
            return response.raw(page, content_type=CONTENT_TYPE)

        return ops

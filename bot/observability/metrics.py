"""Prometheus metrics of every Brújula process, defined once here so that every layer counts under the same names.

Where each one is counted:

- messages received and reply time, by channel: channels/metrics.py, around every channel's webhook;
- fallbacks, emergencies (danger answers) and handoffs (cases opened): in the actions that decide them (actions/);
- send failures, by channel: bot/messaging/delivery.py, at every failed attempt;
- outbox depth: read from the database when the Rasa server is scraped (`OutboxDepth`);
- console requests and failed logins: the console (console/observability.py).

Each process shows its own counts (`exposition`): the Rasa server at /webhooks/ops/metrics, the action server and
the console at /metrics. docs/operations.md says what each metric means.

Several Sanic workers in one server (SANIC_WORKERS for the Rasa server, ACTION_SERVER_SANIC_WORKERS for the action
server) are forked processes that count separately. prometheus-client's multiprocess mode keeps their counts in
files of a directory private to the server, so a scrape adds them up whichever worker answers it. The mode is chosen
when prometheus_client is first imported, hence the directory is set up before the import below.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from typing import Iterable, Iterator, Optional

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
WORKER_VARIABLES = ("SANIC_WORKERS", "ACTION_SERVER_SANIC_WORKERS")


def _configured_workers() -> int:
    counts = [1]
    for name in WORKER_VARIABLES:
        try:
            counts.append(int(os.environ.get(name) or 1))
        except ValueError:
            pass  # the server itself reports the bad value and runs one worker
    return max(counts)


def _share_counts_between_workers() -> None:
    if _configured_workers() <= 1 or MULTIPROCESS_DIRECTORY in os.environ:
        return
    directory = tempfile.mkdtemp(prefix="brujula-metrics-")
    os.environ[MULTIPROCESS_DIRECTORY] = directory  # inherited by the forked workers
    owner = os.getpid()

    def remove_when_the_server_stops() -> None:
        if os.getpid() == owner:  # not when a worker exits
            shutil.rmtree(directory, ignore_errors=True)

    atexit.register(remove_when_the_server_stops)


_share_counts_between_workers()

from prometheus_client import (  # noqa: E402 - after the multiprocess directory is set
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402
from prometheus_client.registry import Collector  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from bot.observability import probes  # noqa: E402

logger = logging.getLogger(__name__)
disable_created_metrics()  # no *_created series: nobody graphs when a counter was created
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Replies take from a few hundred milliseconds (web chat) to tens of seconds (a platform retrying).
REPLY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0)

MESSAGES_RECEIVED = Counter(
    "brujula_messages_received", "People's messages a channel accepted (WhatsApp, Telegram, web chat).", ["channel"])
REPLY_SECONDS = Histogram(
    "brujula_reply_seconds", "From a person's message reaching the webhook to the reply being handed over: in the "
    "web chat's response, or to WhatsApp / Telegram (or to the outbox's retries).", ["channel"],
    buckets=REPLY_BUCKETS)
FALLBACKS = Counter("brujula_fallbacks", "Replies saying the assistant did not understand (action_fallback).")
EMERGENCIES = Counter(
    "brujula_emergencies", "Danger answers (emergency numbers, crisis lines) sent, by kind: emergency or crisis.",
    ["kind"])
HANDOFFS = Counter(
    "brujula_handoffs", "Cases opened for a caseworker, by reason: asked, failed_twice, sensitive.", ["reason"])
SEND_FAILURES = Counter(
    "brujula_send_failures", "Attempts to hand a reply to WhatsApp or Telegram that failed (each retry counts).",
    ["channel"])
CONSOLE_REQUESTS = Counter(
    "brujula_console_requests", "Staff console requests answered, by blueprint (page group) and HTTP status.",
    ["blueprint", "status"])
CONSOLE_LOGINS_FAILED = Counter("brujula_console_logins_failed", "Console logins refused for a wrong password.")


class OutboxDepth(Collector):
    """brujula_outbox_depth{channel}: replies waiting in the outbox (pending or being sent), read from the database
    at every scrape. `channels` are reported even when nothing waits for them (0 rather than absent)."""

    def __init__(self, channels: Iterable[str] = (), database_url: Optional[str] = None):
        self.channels = tuple(channels)
        self.database_url = database_url

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily("brujula_outbox_depth", "Replies waiting in the outbox to be sent, by channel.",
                                 labels=["channel"])

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield self._family()  # registering must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            waiting = probes.waiting_replies(self.database_url)
        except SQLAlchemyError as error:
            logger.warning("outbox depth not reported: database unavailable (%s)", type(error).__name__)
            return
        family = self._family()
        for channel in sorted(set(self.channels) | set(waiting)):
            family.add_metric([channel], waiting.get(channel, 0))
        yield family


def exposition(*read_now: Collector) -> bytes:
    """This process's metrics (every worker's, with several) in Prometheus' text format, then those of `read_now`."""
    if MULTIPROCESS_DIRECTORY in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    page = generate_latest(registry)
    if read_now:
        extra = CollectorRegistry()
        for collector in read_now:
            extra.register(collector)
        page += generate_latest(extra)
    return page

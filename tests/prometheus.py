"""Reading Prometheus' text format in tests (every sample of a scrape by name and labels), and the health and
readiness routes' JSON."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Mapping

from prometheus_client.parser import text_string_to_metric_families

from bot.observability.metrics import CONTENT_TYPE

Samples = dict[tuple[str, frozenset], float]


def parse(page: str) -> Samples:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(page) for sample in family.samples}


def scrape(url: str) -> Samples:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE
        return parse(response.read().decode())


def value(samples: Samples, name: str, labels: Mapping[str, str] | None = None) -> float:
    """A sample's value; 0 for a labelled series nothing has counted yet."""
    return samples.get((name, frozenset((labels or {}).items())), 0.0)


def changes(before: Samples, after: Samples, prefix: str = "brujula_") -> dict[tuple[str, frozenset], float]:
    """The samples (of our metrics) whose value changed, with the change."""
    names = {key for key in {**before, **after} if key[0].startswith(prefix)}
    return {key: after.get(key, 0.0) - before.get(key, 0.0) for key in names
            if after.get(key, 0.0) != before.get(key, 0.0)}


def get_json(url: str) -> tuple[int, dict]:
    """Status and JSON body of a GET (a health or readiness route), errors included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())

"""`bot eval`: send labelled messages through the trained assistant and score which topic it answered.

Each message goes the way a user's message goes: NLU, dialogue policy, custom actions on a real action
server reading the content database, in a fresh conversation. The topic answered is read from the
`topic_id` slot that every content reply sets (see actions/replies.py).
"""
from __future__ import annotations

import asyncio
import csv
import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

OUT_OF_SCOPE = "out_of_scope"
# Replies that are right for a message the service does not cover.
OUT_OF_SCOPE_KINDS = {"out_of_scope", "fallback"}


@dataclass(frozen=True)
class Case:
    text: str
    lang: str
    topic: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    predicted: str  # topic id answered, or "fallback" / "menu" / ... when no topic was answered
    reply_kind: Optional[str]
    reply_lang: Optional[str]

    @property
    def correct(self) -> bool:
        if self.case.topic == OUT_OF_SCOPE:
            return self.reply_kind in OUT_OF_SCOPE_KINDS
        return self.predicted == self.case.topic


def read_cases(path: Path) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"text", "lang", "topic"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        return [Case(r["text"], r["lang"], r["topic"]) for r in reader if (r.get("text") or "").strip()]


def report(outcomes: list[Outcome]) -> dict:
    per_topic: dict[str, dict] = defaultdict(lambda: {"correct": 0, "count": 0})
    confusions: Counter = Counter()
    for outcome in outcomes:
        entry = per_topic[outcome.case.topic]
        entry["count"] += 1
        if outcome.correct:
            entry["correct"] += 1
        else:
            confusions[(outcome.case.topic, outcome.predicted)] += 1
    for entry in per_topic.values():
        entry["accuracy"] = round(entry["correct"] / entry["count"], 4)
    total = len(outcomes)
    lang_total = [o for o in outcomes if o.reply_lang]
    return {
        "overall_accuracy": round(sum(o.correct for o in outcomes) / total, 4) if total else 0.0,
        "count": total,
        "reply_language_accuracy": round(
            sum(o.reply_lang == o.case.lang for o in lang_total) / len(lang_total), 4
        ) if lang_total else None,
        "per_topic": dict(sorted(per_topic.items())),
        "confusions": [
            {"expected": exp, "predicted": pred, "count": n} for (exp, pred), n in confusions.most_common()
        ],
        "errors": [
            {"text": o.case.text, "expected": o.case.topic, "predicted": o.predicted}
            for o in outcomes if not o.correct
        ],
    }


async def _run(cases: list[Case], model: Path, action_url: str) -> list[Outcome]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    agent = await load_agent(
        model_path=str(model), endpoints=AvailableEndpoints(action=EndpointConfig(url=action_url))
    )
    outcomes = []
    for index, case in enumerate(cases):
        sender = f"eval-{index}"
        await agent.handle_text(case.text, sender_id=sender)
        tracker = await agent.tracker_store.retrieve(sender)
        topic = tracker.get_slot("topic_id")
        kind = tracker.get_slot("reply_kind")
        outcomes.append(Outcome(case, topic or kind or "none", kind, tracker.get_slot("language")))
    return outcomes


def quiet_rasa_logs() -> None:
    """Rasa's and TensorFlow's own logs would bury the report: keep warnings only."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def evaluate(cases: list[Case], model: Path, action_url: Optional[str] = None) -> list[Outcome]:
    """Run the cases; starts a private action server unless `action_url` is given."""
    quiet_rasa_logs()
    if action_url:
        return asyncio.run(_run(cases, model, action_url))
    import subprocess

    from bot.tooling.processes import action_server

    with action_server(log=subprocess.DEVNULL) as url:
        return asyncio.run(_run(cases, model, url))


def format_report(result: dict, max_confusions: int = 12) -> str:
    lines = [f"overall accuracy: {result['overall_accuracy']:.1%} ({result['count']} messages)"]
    if result.get("reply_language_accuracy") is not None:
        lines.append(f"replied in the message's language: {result['reply_language_accuracy']:.1%}")
    lines.append("")
    lines.append(f"{'topic':<28} {'accuracy':>8} {'n':>4}")
    for topic, entry in result["per_topic"].items():
        lines.append(f"{topic:<28} {entry['accuracy']:>8.0%} {entry['count']:>4}")
    if result["confusions"]:
        lines.append("")
        lines.append("main confusions (expected -> answered):")
        for c in result["confusions"][:max_confusions]:
            lines.append(f"  {c['expected']} -> {c['predicted']}: {c['count']}")
    return "\n".join(lines)


def write_report(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")

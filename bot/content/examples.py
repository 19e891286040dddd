"""Phrasings as Rasa NLU training examples (`bot examples export`): one intent per topic, sorted, so the file
diffs cleanly in git. An entry's phrasings are examples of its topic's intent."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from bot.content.faq import PhrasingView


def _quoted(text: str) -> str:
    """One example line: YAML-safe without quoting in the common case."""
    line = " ".join(text.split())
    return line.replace("\\", "\\\\") if line[:1] not in "\"'{[&*!|>%@`#-?:," else f'"{line}"'


def nlu_yaml(phrasings: Iterable[PhrasingView]) -> str:
    by_topic: dict[str, set[str]] = defaultdict(set)
    for phrasing in phrasings:
        by_topic[phrasing.topic_id].add(phrasing.text)
    lines = ['version: "3.1"', "# Written by `bot examples export` from the content database's phrasings.", "nlu:"]
    for topic_id in sorted(by_topic):
        lines.append(f"- intent: {topic_id}")
        lines.append("  examples: |")
        lines.extend(f"    - {_quoted(text)}" for text in sorted(by_topic[topic_id], key=str.lower))
    return "\n".join(lines) + "\n"

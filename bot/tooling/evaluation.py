"""`bot eval`: send labelled messages through the trained assistant and score what it answered.

Each message goes the way a user's message goes: NLU, dialogue policy, custom actions on a real action
server reading the content database, in a fresh conversation. What is scored, per evaluation set:

- the topic answered (top-1), read from the `topic_id` slot that every content reply sets (see
  actions/replies.py); an out_of_scope message is right when the reply kind is out_of_scope or fallback;
- top-3: the expected topic is among the first three intents of the NLU ranking of the message (the
  `nlu_fallback` marker left out), or was answered; and the share of fallback replies;
- the same per topic and per language, and the confusions (expected -> answered);
- emergencies: whether ANY bot message of the turn carries help.emergency or help.crisis in its metadata
  (the safety net sends the emergency answer before the topic answer, and the slot only keeps the last);
- answer facts, for sets with a `must_regex` column (one row per required fact): whether each fact's
  regex is found in the text of the reply, accents and case folded on both sides, source lines left out.

One action server and one loaded agent serve all the sets of a run (loading the model is slow).
"""
from __future__ import annotations

import asyncio
import csv
import json
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

from bot.content.topics import EMERGENCY_TOPIC
from bot.language import TEXTS, fold

OUT_OF_SCOPE = "out_of_scope"
CRISIS_TOPIC = "help.crisis"
# A bot message with one of these topics in its metadata is an emergency answer (an "alarm").
ALARM_TOPICS = (EMERGENCY_TOPIC, CRISIS_TOPIC)
FALLBACK_KIND = "fallback"
# Replies that are right for a message the service does not cover.
OUT_OF_SCOPE_KINDS = {"out_of_scope", FALLBACK_KIND}
# Put first in the ranking by the FallbackClassifier when confidence is low: not a topic guess.
NLU_FALLBACK = "nlu_fallback"
TOP_K = 3
FACT_COLUMN = "must_regex"


@dataclass(frozen=True)
class Fact:
    """A fact the answer to a question must state: found when `regex` matches the reply text."""

    regex: str
    statement: str = ""
    source: str = ""


@dataclass(frozen=True)
class Case:
    text: str
    lang: str
    topic: str
    facts: tuple[Fact, ...] = ()  # only in answer-fact sets (dev_answers.tsv)


@dataclass(frozen=True)
class BotMessage:
    """One bot message of the turn: its text and the `topic_id` of its metadata (content replies only)."""

    text: str = ""
    topic_id: Optional[str] = None


@dataclass(frozen=True)
class Outcome:
    case: Case
    predicted: str  # topic id answered, or "fallback" / "menu" / ... when no topic was answered
    reply_kind: Optional[str]
    reply_lang: Optional[str]
    ranking: tuple[str, ...] = ()  # intents of the NLU ranking of the user message, best first
    messages: tuple[BotMessage, ...] = ()  # every bot message of the turn, in order

    @property
    def correct(self) -> bool:
        if self.case.topic == OUT_OF_SCOPE:
            return self.reply_kind in OUT_OF_SCOPE_KINDS
        return self.predicted == self.case.topic

    @property
    def in_top3(self) -> bool:
        guesses = [name for name in self.ranking if name != NLU_FALLBACK][:TOP_K]
        return self.correct or self.case.topic in guesses

    @property
    def fell_back(self) -> bool:
        return self.reply_kind == FALLBACK_KIND

    @property
    def alarmed(self) -> bool:
        """Some message of the turn is the emergency or the crisis answer."""
        return any(m.topic_id in ALARM_TOPICS for m in self.messages)

    @property
    def crisis_answered(self) -> bool:
        return any(m.topic_id == CRISIS_TOPIC for m in self.messages)

    @property
    def reply_text(self) -> str:
        return "\n".join(m.text for m in self.messages if m.text)

    @property
    def facts_found(self) -> tuple[bool, ...]:
        text = self.reply_text
        return tuple(fact_found(fact.regex, text) for fact in self.case.facts)


# --- answer facts ------------------------------------------------------------------------------------

_SOURCE_LABELS = sorted({fold(label) for label in TEXTS["source"].values()} | {"fuente", "fuentes", "source",
                                                                            "sources"})
_SOURCE_LINE = re.compile(r"^\s*(?:" + "|".join(re.escape(label) for label in _SOURCE_LABELS) + r")\s*:")


def without_source_lines(text: str) -> str:
    """The reply text without its citation lines ("Fuente: ..." / "Source: ...")."""
    return "\n".join(line for line in text.splitlines() if not _SOURCE_LINE.match(fold(line)))


def _fold_char(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def fold_pattern(pattern: str) -> str:
    """A regex whose literal accented letters are folded like `fold` folds text ("patr[oó]n" -> "patr[oo]n").

    Only non-ASCII characters change (each replaced by its folded form, escaped), so the syntax stays
    intact; case is left alone because lowering would turn escapes such as \\S into \\s: the pattern is
    compiled case-insensitive instead. An escaped non-ASCII letter ("\\ó") loses its backslash too.
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\" and index + 1 < len(pattern):
            following = pattern[index + 1]
            if ord(following) < 128:
                out.append(ch + following)
                index += 2
                continue
            index += 1  # "\ó": the escape of a literal; the folded literal is escaped below if needed
            ch = following
        if ord(ch) < 128:
            out.append(ch)
        else:
            folded = _fold_char(ch)
            out.append(ch if folded == ch else re.escape(folded))
        index += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> tuple[re.Pattern, re.Pattern]:
    """The folded pattern (for folded text) and the pattern as written (for the text as sent)."""
    return re.compile(fold_pattern(pattern), re.IGNORECASE), re.compile(pattern, re.IGNORECASE)


def fact_found(pattern: str, reply_text: str) -> bool:
    """True when the fact's regex matches the reply, source lines left out, ignoring accents and case.

    The folded pattern is tried on the folded text; the pattern as written on the text as sent covers
    what folding cannot reach (an accent written as an escape, "\\u00f3").
    """
    text = without_source_lines(reply_text)
    folded_regex, raw_regex = _compiled(pattern)
    return bool(folded_regex.search(fold(text)) or raw_regex.search(text))


# --- reading the sets ----------------------------------------------------------------------------------

def read_cases(path: Path) -> list[Case]:
    """The cases of a TSV with columns text, lang, topic (any others are ignored).

    With a `must_regex` column (also must_statement, fact_source), each row is one fact of a question:
    rows are grouped by (text, lang), in the order of first appearance, into one case per question.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        fields = set(reader.fieldnames or [])
        missing = {"text", "lang", "topic"} - fields
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        rows = [(reader.line_num, r) for r in reader if (r.get("text") or "").strip()]
    if FACT_COLUMN not in fields:
        return [Case(r["text"], r["lang"], r["topic"]) for _, r in rows]
    questions: dict[tuple[str, str], dict[str, Any]] = {}
    for line, r in rows:
        key = (r["text"], r["lang"])
        question = questions.setdefault(key, {"topic": r["topic"], "facts": []})
        if question["topic"] != r["topic"]:
            raise ValueError(f"{path}:{line}: question listed under two topics "
                             f"({question['topic']}, {r['topic']}): {r['text'][:60]}")
        regex = (r.get(FACT_COLUMN) or "").strip()
        if not regex:
            continue  # a question without this fact: still asked, scored on its other facts
        try:
            _compiled(regex)
        except re.error as error:
            raise ValueError(f"{path}:{line}: bad {FACT_COLUMN} ({error}): {regex[:60]}") from error
        question["facts"].append(Fact(regex, (r.get("must_statement") or "").strip(),
                                      (r.get("fact_source") or "").strip()))
    return [Case(text, lang, q["topic"], tuple(q["facts"])) for (text, lang), q in questions.items()]


def set_names(paths: Iterable[Path]) -> list[str]:
    """The report key of each file: its name, or the path as given when two files share a name."""
    paths = list(paths)
    names = Counter(p.name for p in paths)
    return [p.name if names[p.name] == 1 else str(p) for p in paths]


# --- the report ----------------------------------------------------------------------------------------

def _share(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def _brief(outcome: Outcome) -> dict[str, str]:
    return {"text": outcome.case.text, "lang": outcome.case.lang, "expected": outcome.case.topic,
            "predicted": outcome.predicted}


def _emergency(outcomes: list[Outcome]) -> dict[str, Any]:
    cases = [o for o in outcomes if o.case.topic in ALARM_TOPICS]
    crisis = [o for o in cases if o.case.topic == CRISIS_TOPIC]
    others = [o for o in outcomes if o.case.topic not in ALARM_TOPICS]
    alerted = sum(o.alarmed for o in cases)
    crisis_answered = sum(o.crisis_answered for o in crisis)
    false_alarms = [o for o in others if o.alarmed]
    return {
        "cases": len(cases),
        "alerted": alerted,
        "recall": _share(alerted, len(cases)),
        "crisis_cases": len(crisis),
        "crisis_answered": crisis_answered,
        "crisis_recall": _share(crisis_answered, len(crisis)),
        "other_cases": len(others),
        "false_alarms": len(false_alarms),
        "false_alarm_rate": _share(len(false_alarms), len(others)),
        "missed": [_brief(o) for o in cases if not o.alarmed],
        "crisis_missed": [_brief(o) for o in crisis if not o.crisis_answered],
        "false_alarm_cases": [_brief(o) for o in false_alarms],
    }


def _answer_facts(outcomes: list[Outcome]) -> Optional[dict[str, Any]]:
    scored = [o for o in outcomes if o.case.facts]
    if not scored:
        return None

    def entry() -> dict[str, Any]:
        return {"questions": 0, "complete": 0, "facts": 0, "found": 0}

    total = entry()
    per_topic: dict[str, dict[str, Any]] = defaultdict(entry)
    missed = []
    for outcome in scored:
        found = outcome.facts_found
        for counts in (total, per_topic[outcome.case.topic]):
            counts["questions"] += 1
            counts["complete"] += all(found)
            counts["facts"] += len(found)
            counts["found"] += sum(found)
        for fact, ok in zip(outcome.case.facts, found, strict=True):
            if not ok:
                missed.append({**_brief(outcome), "statement": fact.statement, "source": fact.source})
    for counts in (total, *per_topic.values()):
        counts["facts_found_share"] = _share(counts["found"], counts["facts"])
        counts["questions_complete_share"] = _share(counts["complete"], counts["questions"])
    return {**total, "per_topic": dict(sorted(per_topic.items())), "missed": missed}


def report(outcomes: list[Outcome]) -> dict:
    per_topic: dict[str, dict] = defaultdict(lambda: {"correct": 0, "count": 0})
    per_language: dict[str, dict] = defaultdict(lambda: {"correct": 0, "top3": 0, "fallbacks": 0, "count": 0})
    confusions: Counter = Counter()
    for outcome in outcomes:
        entry = per_topic[outcome.case.topic]
        entry["count"] += 1
        if outcome.correct:
            entry["correct"] += 1
        else:
            confusions[(outcome.case.topic, outcome.predicted)] += 1
        lang = per_language[outcome.case.lang]
        lang["count"] += 1
        lang["correct"] += outcome.correct
        lang["top3"] += outcome.in_top3
        lang["fallbacks"] += outcome.fell_back
    for entry in per_topic.values():
        entry["accuracy"] = round(entry["correct"] / entry["count"], 4)
    for lang in per_language.values():
        lang["accuracy"] = round(lang["correct"] / lang["count"], 4)
        lang["top3_accuracy"] = round(lang["top3"] / lang["count"], 4)
        lang["fallback_rate"] = round(lang["fallbacks"] / lang["count"], 4)
    total = len(outcomes)
    lang_total = [o for o in outcomes if o.reply_lang]
    emergency = _emergency(outcomes)
    facts = _answer_facts(outcomes)
    return {
        "overall_accuracy": round(sum(o.correct for o in outcomes) / total, 4) if total else 0.0,
        "count": total,
        "top3_accuracy": round(sum(o.in_top3 for o in outcomes) / total, 4) if total else 0.0,
        "fallback_rate": round(sum(o.fell_back for o in outcomes) / total, 4) if total else 0.0,
        "reply_language_accuracy": round(
            sum(o.reply_lang == o.case.lang for o in lang_total) / len(lang_total), 4
        ) if lang_total else None,
        "per_language": dict(sorted(per_language.items())),
        "per_topic": dict(sorted(per_topic.items())),
        "confusions": [
            {"expected": exp, "predicted": pred, "count": n} for (exp, pred), n in confusions.most_common()
        ],
        "errors": [
            {"text": o.case.text, "lang": o.case.lang, "expected": o.case.topic, "predicted": o.predicted}
            for o in outcomes if not o.correct
        ],
        "emergency_recall": emergency["recall"],
        "crisis_recall": emergency["crisis_recall"],
        "false_alarm_rate": emergency["false_alarm_rate"],
        "emergency": emergency,
        "facts_found_share": facts["facts_found_share"] if facts else None,
        "questions_complete_share": facts["questions_complete_share"] if facts else None,
        "answer_facts": facts,
    }


# --- running the assistant -------------------------------------------------------------------------------

def outcome_from_tracker(case: Case, tracker: Any) -> Outcome:
    """What the assistant did with the case's message: slots, NLU ranking and the bot messages of the turn."""
    from rasa.shared.core.events import BotUttered, UserUttered

    events = list(tracker.events)
    start = max((i for i, event in enumerate(events) if isinstance(event, UserUttered)), default=-1)
    messages = tuple(
        BotMessage(event.text or "", (event.metadata or {}).get("topic_id"))
        for event in events[start + 1:] if isinstance(event, BotUttered)
    )
    parse_data = tracker.latest_message.parse_data if tracker.latest_message else {}
    ranking = tuple(str(i["name"]) for i in parse_data.get("intent_ranking") or [] if i.get("name"))
    topic = tracker.get_slot("topic_id")
    kind = tracker.get_slot("reply_kind")
    return Outcome(case, topic or kind or "none", kind, tracker.get_slot("language"), ranking, messages)


async def _run(case_sets: dict[str, list[Case]], model: Path, action_url: str) -> dict[str, list[Outcome]]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    agent = await load_agent(
        model_path=str(model), endpoints=AvailableEndpoints(action=EndpointConfig(url=action_url))
    )
    results: dict[str, list[Outcome]] = {}
    for set_index, (name, cases) in enumerate(case_sets.items()):
        outcomes = []
        for index, case in enumerate(cases):
            sender = f"eval-{set_index}-{index}"  # a fresh conversation for every message
            await agent.handle_text(case.text, sender_id=sender)
            tracker = await agent.tracker_store.retrieve(sender)
            outcomes.append(outcome_from_tracker(case, tracker))
        results[name] = outcomes
    return results


def quiet_rasa_logs() -> None:
    """Rasa's and TensorFlow's own logs would bury the report: keep warnings only."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def evaluate_sets(
    case_sets: dict[str, list[Case]], model: Path, action_url: Optional[str] = None
) -> dict[str, list[Outcome]]:
    """Run several sets with one agent and one action server (a private one unless `action_url` is given)."""
    quiet_rasa_logs()
    if action_url:
        return asyncio.run(_run(case_sets, model, action_url))
    import subprocess

    from bot.tooling.processes import action_server

    with action_server(log=subprocess.DEVNULL) as url:
        return asyncio.run(_run(case_sets, model, url))


def evaluate(cases: list[Case], model: Path, action_url: Optional[str] = None) -> list[Outcome]:
    """Run one set of cases (see evaluate_sets)."""
    return evaluate_sets({"cases": cases}, model, action_url)["cases"]


# --- printing --------------------------------------------------------------------------------------------

def _pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def format_report(result: dict, max_confusions: int = 12, max_missed: int = 15) -> str:
    count = result["count"]
    lines = [
        f"overall accuracy (top-1): {result['overall_accuracy']:.1%} ({count} messages)",
        f"top-3 accuracy:           {_pct(result.get('top3_accuracy'))}",
        f"fallback rate:            {_pct(result.get('fallback_rate'))}",
    ]
    if result.get("reply_language_accuracy") is not None:
        lines.append(f"replied in the message's language: {result['reply_language_accuracy']:.1%}")
    emergency = result.get("emergency")
    if emergency:
        if emergency["cases"]:
            lines.append(f"emergency recall: {_pct(emergency['recall'])} "
                         f"({emergency['alerted']}/{emergency['cases']} emergency or crisis messages)")
        if emergency["crisis_cases"]:
            lines.append(f"help.crisis recall: {_pct(emergency['crisis_recall'])} "
                         f"({emergency['crisis_answered']}/{emergency['crisis_cases']})")
        lines.append(f"false alarms: {_pct(emergency['false_alarm_rate'])} "
                     f"({emergency['false_alarms']}/{emergency['other_cases']} other messages got an "
                     "emergency answer)")
    if result.get("per_language"):
        lines.append("")
        lines.append(f"{'language':<10} {'top-1':>7} {'top-3':>7} {'fallback':>9} {'n':>5}")
        for lang, entry in result["per_language"].items():
            lines.append(f"{lang:<10} {entry['accuracy']:>7.1%} {entry['top3_accuracy']:>7.1%} "
                         f"{entry['fallback_rate']:>9.1%} {entry['count']:>5}")
    lines.append("")
    lines.append(f"{'topic':<28} {'accuracy':>8} {'n':>4}")
    for topic, entry in result["per_topic"].items():
        lines.append(f"{topic:<28} {entry['accuracy']:>8.0%} {entry['count']:>4}")
    if result["confusions"]:
        lines.append("")
        lines.append("main confusions (expected -> answered):")
        for c in result["confusions"][:max_confusions]:
            lines.append(f"  {c['expected']} -> {c['predicted']}: {c['count']}")
    if emergency and emergency["missed"]:
        lines.append("")
        lines.append("emergencies without an emergency answer (expected -> answered):")
        for miss in emergency["missed"][:max_missed]:
            lines.append(f"  [{miss['lang']}] {miss['expected']} -> {miss['predicted']}: {miss['text'][:90]}")
    if emergency and emergency["false_alarm_cases"]:
        lines.append("")
        lines.append("false alarms (expected, answered):")
        for alarm in emergency["false_alarm_cases"][:max_missed]:
            lines.append(f"  [{alarm['lang']}] {alarm['expected']}, {alarm['predicted']}: {alarm['text'][:90]}")
    facts = result.get("answer_facts")
    if facts:
        lines.append("")
        lines.append(f"answer facts: {_pct(facts['facts_found_share'])} of facts found "
                     f"({facts['found']}/{facts['facts']}); {_pct(facts['questions_complete_share'])} of "
                     f"questions complete ({facts['complete']}/{facts['questions']})")
        lines.append(f"{'topic':<28} {'facts':>7} {'complete':>9} {'questions':>10}")
        for topic, entry in facts["per_topic"].items():
            lines.append(f"{topic:<28} {entry['facts_found_share']:>7.0%} "
                         f"{entry['questions_complete_share']:>9.0%} {entry['questions']:>10}")
        if facts["missed"]:
            lines.append("")
            lines.append(f"facts missed ({len(facts['missed'])}; all in the JSON report):")
            for miss in facts["missed"][:max_missed]:
                lines.append(f"  {miss['expected']} (answered {miss['predicted']}) [{miss['lang']}] "
                             f"{miss['text'][:60]}")
                lines.append(f"      missing: {miss['statement'][:110]}")
    return "\n".join(lines)


def write_report(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")

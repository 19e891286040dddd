"""`make thresholds`: the evidence for the fallback threshold and the ambiguity rule (config.yml).

For every candidate (threshold t, ambiguity margin a) a message falls back when its top intent's confidence is
below t, or when the top two are closer than a. Counted on two kinds of message:
- out-of-fold predictions of 5-fold cross-validation on our training examples (how we write);
- the shared development sets, parsed by the trained model (how other people write), topic cases only.
For each: the share answered with the right topic, answered with a wrong one, and fallen back. A wrong answer
costs more than a fallback (the fallback says honestly that we did not understand and offers the likeliest
topics as numbered options), so the choice maximises right - 2 x wrong.

    python -m bench.thresholds
"""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import numpy as np
import yaml

from bot.settings import PROJECT_ROOT

THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
MARGINS = (0.0, 0.05, 0.1)
WRONG_COST = 2.0
SETS = ("dev.tsv", "dev_real.tsv", "dev_answers.tsv")
EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"


def out_of_fold(texts: list[str], labels: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(top-2 probabilities, whether the top intent is right) for every training example, from 5-fold CV."""
    from sklearn.model_selection import StratifiedKFold

    from bot.nlu.classifier import NgramIntentClassifier

    params = next(step for step in yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
                  if step["name"] == "bot.nlu.NgramIntentClassifier")
    config = {**NgramIntentClassifier.get_default_config(), **{k: v for k, v in params.items() if k != "name"}}
    x, y = np.array(texts, dtype=object), np.array(labels)
    top2, right = np.zeros((len(y), 2)), np.zeros(len(y), dtype=bool)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=7).split(x, y):
        model = NgramIntentClassifier(config, None, None).build_model().fit(list(x[train]), list(y[train]))
        probabilities = model.predict_proba(list(x[test]))
        order = np.argsort(-probabilities, axis=1)
        top2[test] = np.take_along_axis(probabilities, order[:, :2], axis=1)
        right[test] = model.classes_[order[:, 0]] == y[test]
    return top2, right


async def _parse(model: Path, texts: list[str]) -> list[list[dict]]:
    from rasa.core.agent import load_agent

    agent = await load_agent(model_path=str(model))
    rankings = []
    for text in texts:
        parsed = await agent.parse_message(text)
        # The classifier's own ranking, before the fallback and the emergency detector changed the intent.
        rankings.append([r for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"])
    return rankings


def dev_predictions(model: Path) -> tuple[np.ndarray, np.ndarray]:
    from bot.content.topics import is_topic_intent
    from bot.tooling.evaluation import read_cases

    cases = [c for name in SETS if (EVAL_DIR / name).exists() for c in read_cases(EVAL_DIR / name)
             if is_topic_intent(c.topic) and c.topic not in ("help.emergency", "help.crisis")]
    rankings = asyncio.run(_parse(model, [c.text for c in cases]))
    top2 = np.array([[r[0]["confidence"] if r else 0.0, r[1]["confidence"] if len(r) > 1 else 0.0]
                     for r in rankings])
    right = np.array([bool(r) and r[0]["name"] == c.topic for r, c in zip(rankings, cases, strict=True)])
    return top2, right


def table(title: str, top2: np.ndarray, right: np.ndarray) -> tuple[str, tuple[float, float]]:
    lines = [f"**{title}** ({len(right)} messages)", "",
             "| threshold | margin | right | wrong | fallback | right - 2 x wrong |", "|---|---|---|---|---|---|"]
    best = None
    for t in THRESHOLDS:
        for a in MARGINS:
            falls = (top2[:, 0] < t) | ((top2[:, 0] - top2[:, 1]) < a)
            r, w, f = (right & ~falls).mean(), (~right & ~falls).mean(), falls.mean()
            score = r - WRONG_COST * w
            if best is None or score > best[0] + 1e-9:
                best = (score, (t, a))
            lines.append(f"| {t:.2f} | {a:.2f} | {r:.1%} | {w:.1%} | {f:.1%} | {score:.3f} |")
    return "\n".join(lines), best[1]


def main() -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from bench.compare_nlu import training_examples
    from bot.tooling.evaluation import quiet_rasa_logs
    from bot.tooling.model_cache import latest_model

    quiet_rasa_logs()
    texts, labels = training_examples()
    parts = []
    text_cv, best_cv = table("5-fold cross-validation, out-of-fold", *out_of_fold(texts, labels))
    parts.append(text_cv + f"\n\nbest: threshold {best_cv[0]}, margin {best_cv[1]}")
    if any((EVAL_DIR / name).exists() for name in SETS):
        text_dev, best_dev = table("development sets, topic questions (NLU only)", *dev_predictions(latest_model()))
        parts.append(text_dev + f"\n\nbest: threshold {best_dev[0]}, margin {best_dev[1]}")
    report = "\n\n".join(parts)
    print(report)
    out = PROJECT_ROOT / "bench" / "results" / "thresholds.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

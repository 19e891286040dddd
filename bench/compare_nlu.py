"""`make compare-nlu`: our understanding pipeline against Rasa's default pipeline (DIET) and a keyword baseline,
and against ours with spaCy lemmas or vectors, measured in one run on the same data, domain, dialogue and action
server. Prints a Markdown table and writes it to bench/results/nlu-comparison.md.

    python -m bench.compare_nlu [--skip-diet] [--only ours,keywords]

Every variant keeps the rest of the pipeline: option numbers, the fallback and the emergency detector (the
safety component is the same in all, so the recall columns show what the topic classifier adds or takes away).
Rasa's default pipeline is the one `rasa init` writes (rasa/engine/recipes/config_files/default_config.yml)
without ResponseSelector, which has nothing to learn here (no retrieval intents), and with Rasa's default
fallback thresholds (0.3, ambiguity 0.1).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from bench.run import parse_latencies, percentile
from bot.settings import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
SETS = ("dev.tsv", "dev_real.tsv", "dev_safety.tsv", "dev_answers.tsv")
OUR_CLASSIFIER = "bot.nlu.NgramIntentClassifier"

RASA_DEFAULT_PIPELINE = [
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
]


def _swap_classifier(class_path: str) -> Callable[[list[dict]], list[dict]]:
    def swap(pipeline: list[dict]) -> list[dict]:
        return [{**step, "name": class_path} if step["name"] == OUR_CLASSIFIER else step for step in pipeline]
    return swap


def _rasa_default(pipeline: list[dict]) -> list[dict]:
    detector = [step for step in pipeline if step["name"].endswith("EmergencyDetector")]
    return [dict(step) for step in RASA_DEFAULT_PIPELINE] + detector


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    pipeline: Callable[[list[dict]], list[dict]]
    classifier: Optional[str]  # the class whose build_model() is cross-validated; None: not cross-validated


VARIANTS = (
    Variant("ours", "Brújula: TF-IDF word + character n-grams, logistic regression (config.yml)",
            lambda p: p, OUR_CLASSIFIER),
    Variant("lemmas", "ours, word n-grams over spaCy lemmas", _swap_classifier(
        "bench.nlu_variants.LemmaNgramIntentClassifier"), "bench.nlu_variants.LemmaNgramIntentClassifier"),
    Variant("vectors", "ours + spaCy mean token vector", _swap_classifier(
        "bench.nlu_variants.SpacyVectorIntentClassifier"), "bench.nlu_variants.SpacyVectorIntentClassifier"),
    Variant("diet", "Rasa default pipeline (DIET, 100 epochs)", _rasa_default, None),
    Variant("keywords", "keyword baseline (topic keywords learnt from the same data)", _swap_classifier(
        "bench.nlu_variants.KeywordBaselineClassifier"), "bench.nlu_variants.KeywordBaselineClassifier"),
)


def write_config(variant: Variant, directory: Path) -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = variant.pipeline(config["pipeline"])
    path = directory / f"config-{variant.key}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def train(variant: Variant, config: Path, out: Path) -> tuple[Path, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
           "RASA_CACHE_DIRECTORY": str(out / f"cache-{variant.key}")}  # a fresh training, not Rasa's cache
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "train", "--config", str(config), "--domain", "domain.yml",
         "--data", "data", "--out", str(out), "--fixed-model-name", variant.key],
        cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return out / f"{variant.key}.tar.gz", time.monotonic() - started


def _class(path: str) -> Any:
    from rasa.shared.utils.common import class_from_module_path

    return class_from_module_path(path)


def training_examples() -> tuple[list[str], list[str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    examples = [m for m in data.intent_examples if m.get("text") and m.get("intent")]
    return [m.get("text") for m in examples], [m.get("intent") for m in examples]


def cross_validate(class_path: str, params: dict, texts: list[str], labels: list[str], folds: int = 5) -> float:
    """Stratified k-fold accuracy of the classifier's scikit-learn model on our training examples (top-1; a
    message with no score at all, as the keyword baseline gives, counts as wrong)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    cls = _class(class_path)
    y = np.array(labels)
    x = np.array(texts, dtype=object)
    correct = 0
    for train_index, test_index in StratifiedKFold(folds, shuffle=True, random_state=7).split(x, y):
        model = cls({**cls.get_default_config(), **params}, None, None).build_model()
        model.fit(list(x[train_index]), list(y[train_index]))
        probabilities = model.predict_proba(list(x[test_index]))
        predicted = model.classes_[probabilities.argmax(axis=1)]
        correct += int(((predicted == y[test_index]) & (probabilities.max(axis=1) > 0)).sum())
    return correct / len(y)


def _pct(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-diet", action="store_true", help="leave out DIET (about 15 minutes of training)")
    parser.add_argument("--only", help="comma-separated variant keys: " + ",".join(v.key for v in VARIANTS))
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results" / "nlu-comparison.md")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from bot.tooling.evaluation import evaluate_sets, quiet_rasa_logs, read_cases, report
    from bot.tooling.processes import action_server

    quiet_rasa_logs()
    chosen = [v for v in VARIANTS if (not args.only or v.key in args.only.split(","))
              and not (args.skip_diet and v.key == "diet")]
    paths = [EVAL_DIR / name for name in SETS if (EVAL_DIR / name).exists()]
    if not paths:
        print(f"no evaluation sets in {EVAL_DIR}: nothing to compare on")
        return 1
    case_sets = {path.name: read_cases(path) for path in paths}
    parse_texts = [case.text for case in case_sets.get("dev_real.tsv", next(iter(case_sets.values())))]
    texts, labels = training_examples()
    our_params = next(step for step in yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
                      if step["name"] == OUR_CLASSIFIER)
    params = {k: v for k, v in our_params.items() if k != "name"}

    rows = []
    with tempfile.TemporaryDirectory() as tmp, action_server(log=subprocess.DEVNULL) as action_url:
        for variant in chosen:
            print(f"{variant.key}: training", flush=True)
            model, seconds = train(variant, write_config(variant, Path(tmp)), Path(tmp))
            print(f"{variant.key}: trained in {seconds:.0f} s; evaluating", flush=True)
            results = {name: report(outcomes) for name, outcomes in evaluate_sets(case_sets, model, action_url).items()}
            latencies = asyncio.run(parse_latencies(model, parse_texts))
            cv = cross_validate(variant.classifier, params, texts, labels) if variant.classifier else None
            rows.append((variant, seconds, cv, results, latencies))

    header = ["variant", "training", "5-fold CV"] + [f"`{p.name}` top-1" for p in paths] + [
        "dev_safety recall / false alarms", "answer facts / complete", "parse p50 / p95"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for variant, seconds, cv, results, latencies in rows:
        cells = [variant.label, f"{seconds:.0f} s", _pct(cv) if cv is not None else "not run"]
        cells += [_pct(results[p.name]["overall_accuracy"]) for p in paths]
        safety = results.get("dev_safety.tsv")
        cells.append(f"{_pct(safety['emergency_recall'])} / {_pct(safety['false_alarm_rate'])}" if safety else "–")
        answers = results.get("dev_answers.tsv")
        cells.append(f"{_pct(answers['facts_found_share'])} / {_pct(answers['questions_complete_share'])}"
                     if answers else "–")
        cells.append(f"{statistics.median(latencies):.1f} / {percentile(latencies, 95):.1f} ms")
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        f"Measured {time.strftime('%Y-%m-%d')} with `python -m bench.compare_nlu`"
        f"{' --skip-diet' if args.skip_diet else ''} ({os.cpu_count()} cores).\n\n{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

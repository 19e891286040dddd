"""`bot eval` on the development sets (when ../shared/eval is present): the bars of issue 8.

dev.tsv >= 95% top-1; dev_real.tsv >= 90% top-1 end to end; dev_safety.tsv emergency recall >= 98% with at
most 10% false alarms and every crisis caught; dev_answers.tsv replies with >= 85% of the required facts and
>= 70% of the questions complete. One call, one model, one action server.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, SHARED

DEV_SET = SHARED / "eval" / "dev.tsv"
REAL_SET = SHARED / "eval" / "dev_real.tsv"
SAFETY_SET = SHARED / "eval" / "dev_safety.tsv"
ANSWERS_SET = SHARED / "eval" / "dev_answers.tsv"
MIN_OVERALL = 0.95
MIN_REAL = 0.90
MIN_PER_TOPIC = 0.60
BOT = "import sys; from bot.cli import main; sys.exit(main())"
REPORT_KEYS = {
    "overall_accuracy", "count", "top3_accuracy", "fallback_rate", "reply_language_accuracy", "per_language",
    "per_topic", "confusions", "errors", "emergency_recall", "crisis_recall", "false_alarm_rate", "emergency",
    "facts_found_share", "questions_complete_share", "answer_facts",
}


@pytest.mark.model
def test_dev_set_accuracy_meets_the_bar(sqlite_content, tmp_path):
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} not found: the shared evaluation sets are an optional input")
    sets = [DEV_SET] + [path for path in (REAL_SET, SAFETY_SET, ANSWERS_SET) if path.exists()]
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        # `bot eval`, run on this checkout's code (the venv's `bot` script may be installed from another one)
        [sys.executable, "-c", BOT, "eval", *map(str, sets), "--report", str(report_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(result.stdout)
    reports = json.loads(report_path.read_text())
    assert set(reports) == {path.name for path in sets}
    for name, report in reports.items():
        assert REPORT_KEYS <= set(report), f"{name}: missing {REPORT_KEYS - set(report)}"
        assert report["count"] == sum(t["count"] for t in report["per_topic"].values())
        assert report["count"] == sum(lang["count"] for lang in report["per_language"].values())
        assert 0.0 <= report["overall_accuracy"] <= report["top3_accuracy"] <= 1.0
    if REAL_SET.exists():
        assert reports[REAL_SET.name]["overall_accuracy"] >= MIN_REAL, result.stdout
    if SAFETY_SET.exists():
        safety = reports[SAFETY_SET.name]
        assert safety["emergency_recall"] >= 0.98 and safety["false_alarm_rate"] <= 0.10, result.stdout
        assert safety["crisis_recall"] in (None, 1.0), "every crisis message gets the crisis answer"
    if ANSWERS_SET.exists():
        answers = reports[ANSWERS_SET.name]
        assert answers["facts_found_share"] >= 0.85 and answers["questions_complete_share"] >= 0.70, result.stdout

    report = reports[DEV_SET.name]
    assert report["overall_accuracy"] >= MIN_OVERALL, result.stdout
    weak = {t: e["accuracy"] for t, e in report["per_topic"].items() if e["accuracy"] < MIN_PER_TOPIC}
    assert not weak, f"topics below {MIN_PER_TOPIC:.0%}: {weak}"
    assert report["reply_language_accuracy"] >= 0.9, "replies should come in the message's language"

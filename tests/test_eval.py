"""`bot eval` on the development sets: the assistant answers the right topic, in the user's language.

dev.tsv has thresholds; dev_safety.tsv (when present) runs in the same call, with the same model, and is
only checked for the shape of its report (its thresholds are set later).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, SHARED

DEV_SET = SHARED / "eval" / "dev.tsv"
SAFETY_SET = SHARED / "eval" / "dev_safety.tsv"
MIN_OVERALL = 0.90
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
    sets = [DEV_SET] + ([SAFETY_SET] if SAFETY_SET.exists() else [])
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
    if SAFETY_SET.exists():
        safety = reports[SAFETY_SET.name]
        assert safety["emergency_recall"] is None or 0.0 <= safety["emergency_recall"] <= 1.0
        assert safety["false_alarm_rate"] is None or 0.0 <= safety["false_alarm_rate"] <= 1.0

    report = reports[DEV_SET.name]
    assert report["overall_accuracy"] >= MIN_OVERALL, result.stdout
    weak = {t: e["accuracy"] for t, e in report["per_topic"].items() if e["accuracy"] < MIN_PER_TOPIC}
    assert not weak, f"topics below {MIN_PER_TOPIC:.0%}: {weak}"
    assert report["reply_language_accuracy"] >= 0.9, "replies should come in the message's language"

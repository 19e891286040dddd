"""`bot eval` on the development set: the assistant answers the right topic, in the user's language."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, SHARED

DEV_SET = SHARED / "eval" / "dev.tsv"
MIN_OVERALL = 0.90
MIN_PER_TOPIC = 0.60


@pytest.mark.model
def test_dev_set_accuracy_meets_the_bar(sqlite_content, tmp_path):
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} not found: the shared evaluation sets are an optional input")
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("bot")), "eval", str(DEV_SET), "--report", str(report_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(result.stdout)
    report = json.loads(report_path.read_text())
    assert 0.0 <= report["overall_accuracy"] <= 1.0
    assert report["count"] == sum(t["count"] for t in report["per_topic"].values())
    assert report["overall_accuracy"] >= MIN_OVERALL, result.stdout
    weak = {t: e["accuracy"] for t, e in report["per_topic"].items() if e["accuracy"] < MIN_PER_TOPIC}
    assert not weak, f"topics below {MIN_PER_TOPIC:.0%}: {weak}"
    assert report["reply_language_accuracy"] >= 0.9, "replies should come in the message's language"

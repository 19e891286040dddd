"""Training data and dialogue: `rasa data validate` and the test stories with --fail-on-prediction-errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.tooling.model_cache import latest_model

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))


def test_training_data_is_valid():
    result = subprocess.run(
        [RASA, "data", "validate", "--fail-on-warnings", "--domain", "domain.yml", "--data", "data"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.model
def test_conversation_stories_pass(tmp_path):
    result = subprocess.run(
        [RASA, "test", "core", "--model", str(latest_model()), "--stories", "tests/stories",
         "--fail-on-prediction-errors", "--out", str(tmp_path / "results"), "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout[-4000:] + result.stderr[-4000:]
    assert result.returncode == 0, output
    failed = tmp_path / "results" / "failed_test_stories.yml"
    assert failed.exists(), "rasa test wrote no report"
    assert not (yaml.safe_load(failed.read_text()) or {}).get("stories"), failed.read_text()

"""The evaluation report's arithmetic and file format (the model run itself is in tests/test_eval.py)."""
from __future__ import annotations

import pytest

from bot.tooling.evaluation import Case, Outcome, read_cases, report


def outcome(expected, predicted, kind="answer", lang="es"):
    return Outcome(Case("x", "es", expected), predicted, kind, lang)


def test_report_counts_accuracy_per_topic_and_confusions():
    result = report([
        outcome("labour.h2a", "labour.h2a"),
        outcome("labour.h2a", "labour.h2b"),
        outcome("labour.fees", "labour.fees"),
        outcome("out_of_scope", "fallback", kind="fallback"),
        outcome("out_of_scope", "labour.h2a", kind="answer"),
    ])
    assert result["overall_accuracy"] == pytest.approx(3 / 5)
    assert result["per_topic"]["labour.h2a"] == {"correct": 1, "count": 2, "accuracy": 0.5}
    assert result["per_topic"]["out_of_scope"]["accuracy"] == 0.5
    assert {"expected": "labour.h2a", "predicted": "labour.h2b", "count": 1} in result["confusions"]


def test_out_of_scope_counts_as_right_for_the_out_of_scope_reply():
    assert outcome("out_of_scope", "out_of_scope", kind="out_of_scope").correct
    assert not outcome("out_of_scope", "menu", kind="menu").correct


def test_read_cases_requires_the_columns(tmp_path):
    good = tmp_path / "good.tsv"
    good.write_text('text\tlang\ttopic\nvisa "h2a"?\tes\tlabour.h2a\n\n', encoding="utf-8")
    assert read_cases(good) == [Case('visa "h2a"?', "es", "labour.h2a")]
    bad = tmp_path / "bad.tsv"
    bad.write_text("message\ttopic\nhola\tgreet\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        read_cases(bad)

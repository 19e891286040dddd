"""The load benchmark's report (bench/load.py): ratios against stock Rasa from the same run, and where the CPU
time of a message goes, summed over each service's processes."""
from __future__ import annotations

from bench.load import LevelResult, SystemReport, markdown, percentile


def level(system: str, conversations: int, throughput: float) -> LevelResult:
    return LevelResult(system, conversations, 600, 0, 10.0, throughput, 100.0, 200.0, 300.0)


def test_the_report_gives_each_level_its_ratio_to_stock_rasa_and_the_cpu_per_message():
    stock = SystemReport("stock Rasa 3.6 (`rasa init`)", [level("s", 1, 20.0), level("s", 20, 25.0)],
                         {"rasa": 1180}, 9.5, {"messages": 200, "first_ms": 46.0, "last_ms": 207.0, "ratio": 4.5},
                         {"rasa": 38.0, "postgres": 0.0, "redis": 0.0, "load generator": 1.0})
    ours = SystemReport("Brújula cluster, 2 Rasa servers", [level("b", 1, 24.0), level("b", 20, 52.5)],
                        {"rasa-a": 760, "rasa-b": 761}, None, None,
                        {"rasa-a": 9.0, "rasa-b": 9.5, "actions": 11.0, "postgres": 2.5, "redis": 0.3,
                         "nginx": 0.2, "load generator": 0.9})
    table = markdown([stock, ours], "make bench-load").splitlines()
    assert "| Brújula cluster, 2 Rasa servers | 20 | 600 | 0 | 52.5 | 2.10 | 100.0 | 200.0 | 300.0 |" in table
    assert "| stock Rasa 3.6 (`rasa init`) | 9.5 | 46.0 | 207.0 | 4.5 | rasa 1180 |" in table
    assert "| Brújula cluster, 2 Rasa servers | 33.4 | 18.5 | 11.0 | 2.5 | 0.3 | 0.2 | 0.9 |" in table


def test_percentiles_are_taken_from_the_sorted_values():
    values = [float(v) for v in range(100, 0, -1)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (51.0, 95.0, 99.0)

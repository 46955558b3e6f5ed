"""Every benchmark runs, in a tiny configuration (`run_all.py --quick`). Nothing here reads
a time: speed is measured by `make bench`, not asserted by tests."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
NAMES = ["export", "ingest", "term", "scale", "matrix", "discord", "scheduler", "cold start"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_benchmark_runs_and_reports_its_figures(name: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCHMARKS / "run_all.py"), "--quick", "--only",
                           name, "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    page = (tmp_path / "results-quick.md").read_text()
    assert "FAILED" not in page and "| figure | median (min–max) |" in page, page


def test_the_benchmark_list_is_the_one_run_all_runs() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert [name for name, _, _ in run_all.BENCHMARKS] == NAMES


def test_a_report_says_whether_each_target_is_met(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from pairs import Report, Spread, Target
    finally:
        sys.path.remove(str(BENCHMARKS))
    report = Report("t", "c")
    report.add("all pairs", Spread(1.0, 1.2, 1.4), "×", target=Target("<=", 1.5))
    report.add("median only", Spread(1.0, 1.2, 1.6), "×", target=Target("<=", 1.5))
    report.add("none", Spread(1.6, 1.7, 1.8), "×", target=Target("<=", 1.5))
    report.add("at least", Spread(0.3, 0.4, 0.5), "×", target=Target(">=", 0.35))
    report.write(str(tmp_path / "r.json"))
    verdicts = [f["verdict"] for f in json.loads((tmp_path / "r.json").read_text())["figures"]]
    assert verdicts == ["met", "met at the median, not in every pair", "not met",
                        "met at the median, not in every pair"]

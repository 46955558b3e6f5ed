"""`seminarbot --help` cold start, against a bare `python -c pass` measured in the same run.

Run: .venv/bin/python benchmarks/cold_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).with_name("seminarbot")


def timed(command: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    timed([str(BIN), "--help"], 3)  # warm the file cache, as a second start would be
    baseline = timed([sys.executable, "-c", "pass"], runs)
    ours = timed([str(BIN), "--help"], runs)
    base_median, our_median = statistics.median(baseline), statistics.median(ours)
    p95 = sorted(ours)[int(0.95 * (len(ours) - 1))]
    print(f"python -c pass        median {base_median * 1000:6.1f} ms")
    print(f"seminarbot --help     median {our_median * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"
          f"   ({our_median / base_median:.2f}x the bare interpreter; target <= 300 ms)")


if __name__ == "__main__":
    main()

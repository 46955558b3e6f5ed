"""`seminarbot --help` cold start, against a bare `python -c pass`, in interleaved pairs.

Each pair runs both once (the order alternating); one pair's ratio is the median of its
repeats' ratio, so a pair is more than one noisy sample of a ~100 ms process.

Run: .venv/bin/python benchmarks/cold_start.py [--pairs N] [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from pairs import Report, Run, Spread, Target, interleaved, ratios, report_argument, run_process

BIN = Path(sys.executable).with_name("seminarbot")


def repeated(command: list[str], repeats: int) -> Run:
    """The median wall and CPU time of `repeats` runs, and the largest peak."""
    runs = [run_process(command) for _ in range(repeats)]
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               max(r.peak_mb for r in runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=9, help="runs of each side per pair")
    report_argument(parser)
    args = parser.parse_args()
    report = Report("`seminarbot --help` cold start", "python benchmarks/cold_start.py")
    pairs = interleaved(lambda: repeated([str(BIN), "--help"], args.repeats),
                        lambda: repeated([sys.executable, "-c", "pass"], args.repeats),
                        args.pairs)
    report.note(f"{args.pairs} pairs of {args.repeats} runs each; baseline `python -c pass`")
    report.add("seminarbot --help: wall time", Spread.of([o.wall for o, _ in pairs]), " ms", 1,
               1e3, Target("<=", 300, " ms"))
    report.add("python -c pass: wall time", Spread.of([b.wall for _, b in pairs]), " ms", 1, 1e3)
    report.add("wall time / the bare interpreter's", ratios(pairs, lambda r: r.wall), "×", 1)
    report.add("seminarbot --help: peak RSS", Spread.of([o.peak_mb for o, _ in pairs]), " MB", 1)
    report.write(args.json)


if __name__ == "__main__":
    main()

"""`seminarbot --help` cold start, against a bare `python -c pass`, in interleaved pairs.

Each pair runs both once, the order alternating (A B, B A, …), after one untimed run of each; the
ratio is taken within each pair. A ~100 ms process is a noisy sample, hence many pairs.

Run: .venv/bin/python benchmarks/cold_start.py [--pairs N]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import sys
from pathlib import Path

import command_line
from pairs import Report, Spread, Target, interleaved, ratios, run_process

BIN = Path(sys.executable).with_name("seminarbot")
PAIRS = 41


def main() -> None:
    args = command_line.parser(__doc__, pairs=PAIRS).parse_args()
    report = Report("`seminarbot --help` cold start", "python benchmarks/cold_start.py")
    pairs = interleaved(lambda: run_process([str(BIN), "--help"]),
                        lambda: run_process([sys.executable, "-c", "pass"]), args.pairs)
    report.note(f"{args.pairs} interleaved pairs of one run each; baseline `python -c pass`")
    report.add("seminarbot --help: wall time", Spread.of([o.wall for o, _ in pairs]), " ms", 1,
               1e3, Target("<=", 300, " ms"))
    report.add("python -c pass: wall time", Spread.of([b.wall for _, b in pairs]), " ms", 1, 1e3)
    report.add("wall time / the bare interpreter's", ratios(pairs, lambda r: r.wall), "×", 1)
    report.add("seminarbot --help: peak RSS", Spread.of([o.peak_mb for o, _ in pairs]), " MB", 1)
    report.write(args.json)


if __name__ == "__main__":
    command_line.main(main)

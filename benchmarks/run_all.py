"""Run every benchmark, print one table, and write it to benchmarks/results.md.

Run: .venv/bin/python benchmarks/run_all.py [--quick]
Each benchmark runs in a process of its own, so memory figures do not leak between them.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("Response ingest (group commit) vs raw executemany", "ingest_bench.py", []),
    ("500 concurrent /term invocations", "term_bench.py", []),
    ("CSV export of 1M responses vs sqlite3 -csv", "export_bench.py", []),
    ("Scheduler with 10,000 cohorts", "scheduler_bench.py", []),
    ("`seminarbot --help` cold start", "cold_start.py", []),
]
QUICK = {"ingest_bench.py": ["--messages", "10000"], "term_bench.py": ["--rounds", "3"],
         "export_bench.py": ["--responses", "50000", "--runs", "1"],
         "scheduler_bench.py": ["--cohorts", "500", "--idle", "1"],
         "cold_start.py": ["--runs", "5"]}


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GB"
    return (f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check they run")
    quick = parser.parse_args().quick
    rows = []
    for title, script, extra in BENCHMARKS:
        command = [sys.executable, str(HERE / script), *extra, *(QUICK[script] if quick else [])]
        began = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - began
        output = (result.stdout.strip() or result.stderr.strip()).splitlines()
        status = "ok" if result.returncode == 0 else f"FAILED ({result.returncode})"
        rows.append((title, f"`python benchmarks/{script}`", status, seconds, output))
        print(f"{title}: {status} in {seconds:.0f} s", file=sys.stderr)
    lines = [f"# Benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
             f"Machine: {machine()}." + (" Quick sizes (--quick)." if quick else ""), "",
             "| benchmark | command | status | figures |", "| --- | --- | --- | --- |"]
    for title, command, status, seconds, output in rows:
        figures = "<br>".join(line.replace("|", "\\|") for line in output)
        lines.append(f"| {title} | {command} | {status}, {seconds:.0f} s | {figures} |")
    table = "\n".join(lines) + "\n"
    print(table)
    (HERE / ("results-quick.md" if quick else "results.md")).write_text(table)
    if any(row[2] != "ok" for row in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

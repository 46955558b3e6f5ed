"""What every benchmark shares: interleaved pairs, ratios per pair, spreads, percentiles, and
each process's own time, CPU and peak memory.

Ours and the baseline are measured in pairs whose order alternates (A B, B A, A B, …), after an
untimed warm-up of each, so a slow minute on this shared machine falls on both sides. A ratio
is taken per pair and reported as min / median / max over the pairs, never as a ratio of
medians. A process's peak memory is its own: `/usr/bin/time -f %M` forks a small process that
execs the command, so the peak is not inflated by the pages of a large parent (a Python parent's
`ru_maxrss` counts for a child that it vfork-ed before the exec); without /usr/bin/time the
exec'd pid's VmHWM is sampled instead.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from command_line import DEFAULT_PAIRS

T = TypeVar("T")
TIME = "/usr/bin/time"
# The installed command, as an operator runs it (not `python -m`, which loads runpy too).
SEMINARBOT = str(Path(sys.executable).with_name("seminarbot"))


def percentile(samples: Sequence[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass(frozen=True)
class Spread:
    """min / median / max of a figure over pairs (or rounds), and how many samples that is
    (0: not counted). A single sample is shown as one, not as a spread."""

    low: float
    median: float
    high: float
    samples: int = 0

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(min(values), statistics.median(values), max(values), len(values))

    def show(self, unit: str = "", digits: int = 2, scale: float = 1.0) -> str:
        def one(value: float) -> str:
            return f"{value * scale:,.{digits}f}"
        if self.samples == 1:
            return f"{one(self.median)}{unit} (one sample)"
        return f"{one(self.median)}{unit} ({one(self.low)}–{one(self.high)})"


def rounds(runs: dict[str, Callable[[], T]], count: int = DEFAULT_PAIRS,
           warm_up: bool = True) -> list[dict[str, T]]:
    """Each of several runs once per round, the order reversed every other round (A B C, C B A,
    …), after one untimed run of each: ratios are then taken within a round."""
    names = list(runs)
    if warm_up:
        for name in names:
            runs[name]()
    results = []
    for index in range(count):
        sequence = names if index % 2 == 0 else names[::-1]
        results.append({name: runs[name]() for name in sequence})
    return results


def interleaved(ours: Callable[[], T], baseline: Callable[[], T], pairs: int = DEFAULT_PAIRS,
                warm_up: bool = True) -> list[tuple[T, T]]:
    """(ours, baseline) per pair, measured alternately (A B, B A, …), after a warm-up."""
    return [(r["ours"], r["baseline"])
            for r in rounds({"ours": ours, "baseline": baseline}, pairs, warm_up)]


async def rounds_async(runs: dict[str, Callable[[], Awaitable[T]]], count: int = DEFAULT_PAIRS,
                       warm_up: bool = True) -> list[dict[str, T]]:
    """`rounds` for coroutines run in this process's event loop."""
    names = list(runs)
    if warm_up:
        for name in names:
            await runs[name]()
    results = []
    for index in range(count):
        sequence = names if index % 2 == 0 else names[::-1]
        results.append({name: await runs[name]() for name in sequence})
    return results


async def interleaved_async(ours: Callable[[], Awaitable[T]],
                            baseline: Callable[[], Awaitable[T]], pairs: int = DEFAULT_PAIRS,
                            warm_up: bool = True) -> list[tuple[T, T]]:
    """`interleaved` for coroutines run in this process's event loop."""
    return [(r["ours"], r["baseline"]) for r in await rounds_async(
        {"ours": ours, "baseline": baseline}, pairs, warm_up)]


def ratios(pairs: Sequence[tuple[T, T]], figure: Callable[[T], float]) -> Spread:
    """ours / baseline of one figure, per pair (a baseline measured as 0 — a CPU time below the
    clock's resolution in a tiny run — gives infinity, or 1 when ours is 0 too)."""
    return Spread.of([ratio(figure(mine), figure(theirs)) for mine, theirs in pairs])


def ratio(mine: float, theirs: float) -> float:
    if theirs:
        return mine / theirs
    return 1.0 if not mine else math.inf


def sides(pairs: Sequence[tuple[T, T]], figure: Callable[[T], float]) -> tuple[Spread, Spread]:
    """The spread of one figure on each side: (ours, baseline)."""
    return (Spread.of([figure(mine) for mine, _ in pairs]),
            Spread.of([figure(theirs) for _, theirs in pairs]))


@dataclass(frozen=True)
class Run:
    """One process: wall time (s), CPU time (user + system, s), its own peak RSS (MB), and the
    end of what it wrote to standard error."""

    wall: float
    cpu: float
    peak_mb: float
    stderr: str = ""


def run_process(command: Sequence[str], *, stdout: Any = subprocess.DEVNULL,
                env: dict[str, str] | None = None, cwd: str | Path | None = None) -> Run:
    """Run a command to completion and measure it; a non-zero exit is an error."""
    timed = os.path.exists(TIME)
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        report, errors = Path(scratch) / "time", Path(scratch) / "stderr"
        with errors.open("wb") as stderr:
            began = time.perf_counter()
            process = subprocess.Popen([TIME, "-f", "%M", "-o", str(report), *command]
                                       if timed else list(command),
                                       stdout=stdout, stderr=stderr, env=env, cwd=cwd)
            sampled, status, usage = _wait(process.pid, sample=not timed)
            wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        error = errors.read_text(errors="replace")[-4000:]
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:4])} … exited with {process.returncode}: "
                               f"{error[-2000:]}")
        peak_kb = float(report.read_text().split()[-1]) if timed else sampled
    # wait4's usage covers the child and what it waited for (the command under time).
    return Run(wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024, error)


def _wait(pid: int, *, sample: bool) -> tuple[float, int, Any]:
    """Wait for a child: (its VmHWM in kB, sampled every 10 ms if asked, else 0), status, usage."""
    if not sample:
        _, status, usage = os.wait4(pid, 0)
        return 0.0, status, usage
    peak = 0.0
    while True:
        peak = max(peak, status_kb(pid, "VmHWM") or 0.0)
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return peak, status, usage
        time.sleep(0.01)


def status_kb(pid: int | str, field: str) -> float | None:
    """A field of /proc/PID/status in kB (VmRSS: resident now; VmHWM: peak), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU a live process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def machine() -> str:
    import platform

    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GB"
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = " (" + line.split(":", 1)[1].strip() + ")"
                break
    return (f"{os.cpu_count()} cores{model}{memory}, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, SQLite {_sqlite_version()}")


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def which(name: str, fallback: str) -> str:
    return shutil.which(name) or fallback


@dataclass(frozen=True)
class Target:
    """A bound a figure should keep: `<=` or `>=` a value, read at the median and per pair."""

    op: str
    value: float
    unit: str = ""

    def holds(self, value: float) -> bool:
        return value <= self.value if self.op == "<=" else value >= self.value

    def show(self) -> str:
        return f"{'≤' if self.op == '<=' else '≥'} {self.value:g}{self.unit}"


@dataclass(frozen=True)
class Figure:
    what: str
    spread: Spread
    unit: str = ""
    digits: int = 2
    scale: float = 1.0
    target: Target | None = None

    def verdict(self) -> str:
        if self.target is None:
            return ""
        scaled = Spread(self.spread.low * self.scale, self.spread.median * self.scale,
                        self.spread.high * self.scale, self.spread.samples)
        worst = scaled.high if self.target.op == "<=" else scaled.low
        if self.target.holds(worst):
            return "met"
        if self.target.holds(scaled.median):
            return "met at the median, not in every pair"
        return "not met"

    def line(self) -> str:
        text = f"{self.what}: {self.spread.show(self.unit, self.digits, self.scale)}"
        if self.target is not None:
            text += f"; target {self.target.show()}: {self.verdict()}"
        return text


class Report:
    """What a benchmark found: figures (each median with min–max) and notes, printed as lines
    and, for run_all.py, written as JSON."""

    def __init__(self, title: str, command: str) -> None:
        self.title = title
        self.command = command
        self.figures: list[Figure] = []
        self.notes: list[str] = []

    def add(self, what: str, spread: Spread, unit: str = "", digits: int = 2,
            scale: float = 1.0, target: Target | None = None) -> Figure:
        figure = Figure(what, spread, unit, digits, scale, target)
        self.figures.append(figure)
        print(figure.line(), flush=True)
        return figure

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(text, flush=True)

    def write(self, path: str | None) -> None:
        if not path:
            return
        import json

        Path(path).write_text(json.dumps({
            "title": self.title, "command": self.command, "notes": self.notes,
            "figures": [{"what": f.what, "shown": f.spread.show(f.unit, f.digits, f.scale),
                         "target": f.target.show() if f.target else "",
                         "verdict": f.verdict()} for f in self.figures]}, indent=1))

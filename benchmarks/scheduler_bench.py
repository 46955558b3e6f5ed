"""The scheduler with 10,000 cohorts: time to find the next due post, memory, idle CPU, and
what a start's first pass costs (with a new edition of the plan to adopt, and without).

Baselines, in interleaved pairs: a bare `SELECT MIN(due_at)` on the same table through the
sqlite3 module, and the CPU an asyncio process spends sleeping for the same idle window; and
the process's memory before the cohorts were loaded.

Run: .venv/bin/python benchmarks/scheduler_bench.py [--cohorts N] [--idle SECONDS] [--pairs N]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import asyncio
import sqlite3
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import command_line
from pairs import Report, Spread, interleaved_async, percentile
from seminarbot.app import open_services
from seminarbot.clock import SystemClock
from seminarbot.config.settings import Settings
from seminarbot.domain.schedule import WeeklyRule
from seminarbot.services.container import Services

NEXT_DUE = ("SELECT o.due_at FROM outbox o JOIN cohorts c ON c.id = o.cohort_id"
            " WHERE o.state = 'pending' AND c.state = 'active' ORDER BY o.due_at LIMIT 1")


async def first_pass(app: Services) -> float:
    """CPU seconds of the scheduler's first pass in this process (no platform attached: it
    posts nothing, so this is what a start costs before posting)."""
    cpu = time.process_time()
    await app.scheduler.run_due()
    return time.process_time() - cpu


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(cohorts: int, idle: float, pairs: int, json_path: str | None) -> None:
    rss_before = rss_mb()
    with command_line.scratch("seminarbot-bench-") as folder:
        await measure(folder, rss_before, cohorts, idle, pairs, json_path)


async def measure(folder: Path, rss_before: float, cohorts: int, idle: float, pairs: int,
                  json_path: str | None) -> None:
    settings = Settings(data_dir=folder, database=folder / "bench.db")
    app = await open_services(settings, SystemClock())
    now = app.clock.now()
    start_day = (now + timedelta(days=30)).date()
    zones = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
    loading = time.perf_counter()
    community = await app.cohorts.ensure_community("console", "bench", "bench", now)
    for first in range(0, cohorts, 500):
        async with app.db.transaction():
            for n in range(first, min(cohorts, first + 500)):
                rule = WeeklyRule((n % 7,), clock_time(n % 24, (n * 7) % 60),
                                  zones[n % len(zones)], start_day)
                cohort = await app.cohorts.upsert(community, f"channel-{n}", "", "default",
                                                  rule, now)
                await app.scheduler.plan_cohort(cohort, now)
    load_seconds = time.perf_counter() - loading
    rows = await app.db.scalar("SELECT COUNT(*) FROM outbox")
    rss_loaded = rss_mb()
    adopting = await first_pass(app)  # every cohort still to be set against the plan's edition

    raw = sqlite3.connect(settings.database)

    async def ours() -> list[float]:
        samples = []
        for _ in range(300):
            began = time.perf_counter()
            await app.outbox.next_due_at()
            samples.append(time.perf_counter() - began)
        return samples

    async def bare() -> list[float]:
        samples = []
        for _ in range(300):
            began = time.perf_counter()
            raw.execute("SELECT MIN(due_at) FROM outbox WHERE state = 'pending'").fetchone()
            samples.append(time.perf_counter() - began)
        return samples

    async def same_sql() -> list[float]:
        samples = []
        for _ in range(300):
            began = time.perf_counter()
            raw.execute(NEXT_DUE).fetchone()
            samples.append(time.perf_counter() - began)
        return samples

    lookups = await interleaved_async(ours, bare, pairs)
    queries = await interleaved_async(same_sql, bare, pairs)
    raw.close()

    async def loop_idle() -> float:
        cpu = time.process_time()
        task = asyncio.create_task(app.scheduler.run_forever())
        await asyncio.sleep(idle)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return time.process_time() - cpu

    async def sleep_idle() -> float:
        cpu = time.process_time()
        await asyncio.sleep(idle)
        return time.process_time() - cpu

    idles = await interleaved_async(loop_idle, sleep_idle, pairs)
    await app.close()
    starts = []  # a restart under the same edition: its loop's first pass
    for _ in range(pairs):
        app = await open_services(settings, SystemClock())
        starts.append(await first_pass(app))
        await app.close()

    report = Report(f"Scheduler with {cohorts:,} cohorts", "python benchmarks/scheduler_bench.py")
    counted = command_line.plural(pairs, "interleaved pair")
    report.note(f"{cohorts:,} cohorts, {rows:,} outbox rows, loaded in {load_seconds:.1f} s; "
                f"{counted} of 300 look-ups each, and of {idle:g} s idle")
    report.add("next due item through the async repository, p50",
               Spread.of([percentile(o, 0.5) for o, _ in lookups]), " ms", 3, 1e3)
    report.add("next due item through the async repository, p99",
               Spread.of([percentile(o, 0.99) for o, _ in lookups]), " ms", 3, 1e3)
    report.add("the same SQL through sqlite3 directly, p50",
               Spread.of([percentile(q, 0.5) for q, _ in queries]), " ms", 3, 1e3)
    report.add("a bare MIN(due_at), p50",
               Spread.of([percentile(b, 0.5) for _, b in lookups]), " ms", 3, 1e3)
    report.add("ours / the bare MIN(due_at), p50", Spread.of([
        percentile(o, 0.5) / percentile(b, 0.5) for o, b in lookups]), "×", 1)
    report.add(f"idle CPU over {idle:g} s, scheduler loop running",
               Spread.of([o for o, _ in idles]), " ms", 1, 1e3)
    report.add(f"idle CPU over {idle:g} s, a bare asyncio.sleep",
               Spread.of([b for _, b in idles]), " ms", 1, 1e3)
    report.add("a start's first pass, every cohort set against a new edition (CPU)",
               Spread.of([adopting]), " ms", 1, 1e3)
    report.add("a start's first pass, the edition already adopted (CPU)",
               Spread.of(starts), " ms", 1, 1e3)
    report.add("RSS after loading", Spread.of([rss_loaded]), " MB", 1)
    report.add("RSS before loading", Spread.of([rss_before]), " MB", 1)
    report.write(json_path)


def main() -> None:
    parser = command_line.parser(__doc__)
    parser.add_argument("--cohorts", type=command_line.whole(most=100_000), default=10_000,
                        help="cohorts, each with its weekly schedule (default 10,000)")
    parser.add_argument("--idle", type=command_line.seconds, default=2.0,
                        help="seconds of each idle window measured (default 2)")
    args = parser.parse_args()
    command_line.run_async(run(args.cohorts, args.idle, args.pairs, args.json))


if __name__ == "__main__":
    command_line.main(main)

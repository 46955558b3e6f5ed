"""The scheduler with 10,000 cohorts: time to find the next due post, memory, idle CPU.

Baselines measured in the same run: a bare `SELECT MIN(due_at)` on the same table through the
sqlite3 module, the process's memory before the cohorts were loaded, and the CPU an asyncio
process spends sleeping for the same idle window.

Run: .venv/bin/python benchmarks/scheduler_bench.py [--cohorts N] [--idle SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from measure import percentile  # a sibling: these run as scripts
from seminarbot.app import open_services
from seminarbot.clock import SystemClock
from seminarbot.config.settings import Settings
from seminarbot.domain.schedule import WeeklyRule

NEXT_DUE = ("SELECT o.due_at FROM outbox o JOIN cohorts c ON c.id = o.cohort_id"
            " WHERE o.state = 'pending' AND c.state = 'active' ORDER BY o.due_at LIMIT 1")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(cohorts: int, idle: float) -> None:
    rss_before = rss_mb()
    folder = Path(tempfile.mkdtemp(prefix="seminarbot-bench-"))
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

    ours = []
    for _ in range(300):
        began = time.perf_counter()
        await app.outbox.next_due_at()
        ours.append(time.perf_counter() - began)
    raw = sqlite3.connect(settings.database)
    baseline, same_query = [], []
    for _ in range(300):
        began = time.perf_counter()
        raw.execute("SELECT MIN(due_at) FROM outbox WHERE state = 'pending'").fetchone()
        baseline.append(time.perf_counter() - began)
        began = time.perf_counter()
        raw.execute(NEXT_DUE).fetchone()
        same_query.append(time.perf_counter() - began)
    raw.close()

    cpu_before = time.process_time()
    loop = asyncio.create_task(app.scheduler.run_forever())
    await asyncio.sleep(idle)
    loop.cancel()
    idle_cpu = time.process_time() - cpu_before
    cpu_before = time.process_time()
    await asyncio.sleep(idle)
    sleep_cpu = time.process_time() - cpu_before
    passes = app.scheduler.passes
    await app.close()

    median_ours, median_raw = statistics.median(ours), statistics.median(baseline)
    print(f"cohorts {cohorts:,}; outbox rows {rows:,}; loaded in {load_seconds:.1f} s "
          f"({datetime.now(UTC):%Y-%m-%d})")
    print(f"next due item      median {median_ours * 1e3:7.3f} ms  p99 "
          f"{percentile(ours, 0.99) * 1e3:7.3f} ms   baseline raw MIN(due_at) median "
          f"{median_raw * 1e3:7.3f} ms  ({median_ours / median_raw:.2f}x)")
    print(f"  of which the query itself (sync sqlite3, same SQL) median "
          f"{statistics.median(same_query) * 1e3:7.3f} ms; the rest is the async hop")
    print(f"memory (RSS)       {rss_loaded:7.1f} MB after loading; {rss_before:7.1f} MB before "
          f"(+{rss_loaded - rss_before:.1f} MB)")
    print(f"idle CPU over {idle:g} s  scheduler loop {idle_cpu * 1e3:7.1f} ms "
          f"({passes} pass{'es' if passes != 1 else ''})   baseline asyncio.sleep "
          f"{sleep_cpu * 1e3:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cohorts", type=int, default=10_000)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(run(args.cohorts, args.idle))


if __name__ == "__main__":
    main()

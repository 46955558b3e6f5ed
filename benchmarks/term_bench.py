"""500 concurrent `/term` invocations through the core (parse, bind, dispatch, handler,
response), against the bare glossary look-ups they make, measured in the same run.

Run: .venv/bin/python benchmarks/term_bench.py [--concurrent N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from measure import percentile  # a sibling: these run as scripts
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.config.settings import Settings
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place

QUERIES = ["otryv", "glasnost’", "Glasnost'", "komandovanie", "democratic centralism",
           "kronstadt", "soviets", "perestroyka", "nomenklatura", "samokritika"]


async def run(concurrent: int, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="seminarbot-term-"))
    app = await open_services(Settings(data_dir=folder, database=folder / "t.db"),
                              ManualClock(datetime(2026, 1, 5, tzinfo=UTC)))
    place = Place("console", "bench", "seminar")
    people = [Actor("console", f"u{n}", f"user {n}") for n in range(concurrent)]
    latencies: list[float] = []

    async def one(n: int) -> None:
        began = time.perf_counter()
        response = await run_line(app, f"term {QUERIES[n % len(QUERIES)]}", people[n], place)
        latencies.append(time.perf_counter() - began)
        assert response.title

    wall = []
    for _ in range(rounds):
        began = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(concurrent)))
        wall.append(time.perf_counter() - began)
    bare = []
    for n in range(concurrent * rounds):
        began = time.perf_counter()
        query = QUERIES[n % len(QUERIES)]
        app.glossary.lookup(query) or app.glossary.near(query)
        bare.append(time.perf_counter() - began)
    await app.close()
    print(f"{concurrent} concurrent /term invocations x {rounds} rounds "
          f"({datetime.now(UTC):%Y-%m-%d})")
    print(f"through the core   median {statistics.median(latencies) * 1e3:6.3f} ms  p99 "
          f"{percentile(latencies, 0.99) * 1e3:6.3f} ms (target p99 <= 2 ms); a round of "
          f"{concurrent} takes {statistics.median(wall) * 1e3:6.1f} ms")
    print(f"bare look-ups      median {statistics.median(bare) * 1e3:6.3f} ms  p99 "
          f"{percentile(bare, 0.99) * 1e3:6.3f} ms  (the core adds "
          f"{(statistics.median(latencies) - statistics.median(bare)) * 1e3:.3f} ms at the median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrent", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.concurrent, args.rounds))


if __name__ == "__main__":
    main()

"""500 concurrent `/term` invocations through the core (parse, bind, dispatch, handler,
response), against the bare glossary look-ups they make, in interleaved rounds.

Two figures per invocation: its latency from submission (all 500 are submitted at once, so the
last waits behind the other 499: what a person waits when that many ask together) and its cost
(the round's CPU time over the invocations). The bare look-ups give the baseline's cost.

Run: .venv/bin/python benchmarks/term_bench.py [--concurrent N] [--pairs N]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import command_line
from pairs import (
    Report,
    Spread,
    Target,
    interleaved_async,
    percentile,
    ratios,
)
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.config.settings import Settings
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.services.container import Services

QUERIES = ["otryv", "glasnost’", "Glasnost'", "komandovanie", "democratic centralism",
           "kronstadt", "soviets", "perestroyka", "nomenklatura", "samokritika"]


@dataclass
class Round:
    cpu_per_call: float  # seconds
    from_submission: list[float]  # seconds, one per invocation


async def core_round(app: Services, concurrent: int) -> Round:
    place = Place("console", "bench", "seminar")
    people = [Actor("console", f"u{n}", f"user {n}") for n in range(concurrent)]
    done: list[float] = []

    async def one(n: int) -> None:
        response = await run_line(app, f"term {QUERIES[n % len(QUERIES)]}", people[n], place)
        done.append(time.perf_counter())
        assert response.title

    cpu = time.process_time()
    submitted = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(concurrent)))
    cpu = time.process_time() - cpu
    return Round(cpu / concurrent, [at - submitted for at in done])


async def bare_round(app: Services, concurrent: int) -> Round:
    cpu = time.process_time()
    submitted = time.perf_counter()
    done = []
    for n in range(concurrent):
        query = QUERIES[n % len(QUERIES)]
        app.glossary.lookup(query) or app.glossary.near(query)
        done.append(time.perf_counter())
    cpu = time.process_time() - cpu
    return Round(cpu / concurrent, [at - submitted for at in done])


async def run(concurrent: int, pairs: int, json_path: str | None) -> None:
    with command_line.scratch("seminarbot-term-") as folder:
        app = await open_services(Settings(data_dir=folder, database=folder / "t.db"),
                                  ManualClock(datetime(2026, 1, 5, tzinfo=UTC)))
        try:
            results = await interleaved_async(lambda: core_round(app, concurrent),
                                              lambda: bare_round(app, concurrent), pairs)
        finally:
            await app.close()
    report = Report(f"{concurrent} concurrent /term invocations, against the bare look-ups",
                    "python benchmarks/term_bench.py")
    counted = command_line.plural(pairs, "interleaved pair")
    report.note(f"{counted} of rounds; all {concurrent} submitted at once")
    report.add("through the core: cost per invocation (CPU)",
               Spread.of([c.cpu_per_call for c, _ in results]), " ms", 3, 1e3,
               Target("<=", 2, " ms"))
    report.add("bare look-ups: cost per look-up (CPU)",
               Spread.of([b.cpu_per_call for _, b in results]), " ms", 3, 1e3)
    report.add("cost / the bare look-up's", ratios(results, lambda r: r.cpu_per_call), "×", 1)
    report.add("through the core: latency from submission, median",
               Spread.of([percentile(c.from_submission, 0.5) for c, _ in results]), " ms", 1,
               1e3)
    report.add("through the core: latency from submission, p99",
               Spread.of([percentile(c.from_submission, 0.99) for c, _ in results]), " ms", 1,
               1e3)
    report.add("bare look-ups in a row: latency from submission, p99",
               Spread.of([percentile(b.from_submission, 0.99) for _, b in results]), " ms", 1,
               1e3)
    report.write(json_path)


def main() -> None:
    parser = command_line.parser(__doc__, pairs=20, what_pairs="interleaved pairs of rounds")
    parser.add_argument("--concurrent", type=command_line.whole(most=100_000), default=500,
                        help="invocations submitted at once (default 500)")
    args = parser.parse_args()
    command_line.run_async(run(args.concurrent, args.pairs, args.json))


if __name__ == "__main__":
    command_line.main(main)

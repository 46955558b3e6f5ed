"""Reply ingest through the core (group commit) against a raw sqlite3 executemany of the
same rows, measured in the same run, plus the durability latency of each message (from
submission until its transaction is committed).

Run: .venv/bin/python benchmarks/ingest_bench.py [--messages N] [--in-flight N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from measure import percentile  # a sibling: these run as scripts
from seminarbot.app import open_services
from seminarbot.clock import ManualClock, to_iso
from seminarbot.config.settings import Settings
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message

MODERATOR = Actor("console", "console:mod", "mod", is_moderator=True)
PLACE = Place("console", "bench", "seminar")


class NullPoster:
    platform = "console"

    async def post_prompt(self, post):  # type: ignore[no-untyped-def]
        from seminarbot.scheduling.poster import PostedRef

        return PostedRef(f"post-{post.prompt_ref}", f"thread-{post.prompt_ref}")

    async def find_post(self, channel_id, key):  # type: ignore[no-untyped-def]
        return None

    async def post_in_thread(self, cohort, thread, message):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    async def notify_moderators(self, cohort, message):  # type: ignore[no-untyped-def]
        return None


async def prepared(folder: Path) -> tuple[Services, list[str]]:
    clock = ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    app = await open_services(Settings(data_dir=folder, database=folder / "core.db"), clock)
    app.scheduler.attach(NullPoster())
    await run_line(app, "seminar setup tue 19:00 UTC", MODERATOR, PLACE)
    await run_line(app, "seminar post 1", MODERATOR, PLACE)
    threads = [row[0] for row in await app.db.fetchall(
        "SELECT thread_id FROM outbox WHERE state = 'posted' ORDER BY id")]
    return app, threads


def baseline(folder: Path, rows: list[tuple[object, ...]]) -> float:
    """The same rows, already resolved, in one executemany on a database with our schema."""
    conn = sqlite3.connect(folder / "core.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("DELETE FROM responses")
    began = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
        " platform, message_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - began
    conn.close()
    return elapsed


@dataclass
class Round:
    ours: float
    raw: float
    commits: int
    latencies: list[float]


async def one_round(messages: int, in_flight: int) -> Round:
    folder = Path(tempfile.mkdtemp(prefix="seminarbot-ingest-"))
    app, threads = await prepared(folder)
    now = app.clock.now()
    body = "A considered reply about the soviets and the party. " * 6
    inbound = [InboundMessage("console", f"m{n}", Actor("console", f"u{n % 2000}",
                                                        f"person {n % 2000}"),
                              body, now, thread_id=threads[n % len(threads)])
               for n in range(messages)]
    latencies: list[float] = []

    async def client(share: list[InboundMessage]) -> None:
        """One connection's worth of traffic: each message waits for the one before."""
        for message in share:
            began = time.perf_counter()
            await record_message(app, message)
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(client(inbound[k::in_flight]) for k in range(in_flight)))
    ours = time.perf_counter() - began
    stored = await app.db.scalar("SELECT COUNT(*) FROM responses")
    commits = app.response_writer.batches
    rows = [tuple(row) for row in await app.db.fetchall(
        "SELECT cohort_id, outbox_id, session_id, prompt_id, participant_id, platform,"
        " message_id, body, created_at FROM responses")]
    await app.close()
    assert stored == messages, (stored, messages)
    raw = baseline(folder, rows)
    shutil.rmtree(folder)
    return Round(ours, raw, commits, latencies)


async def run(messages: int, in_flight: int, rounds: int) -> None:
    results = [await one_round(messages, in_flight) for _ in range(rounds)]
    ratios = sorted(r.raw / r.ours for r in results)
    latencies = [value for r in results for value in r.latencies]
    middle = sorted(results, key=lambda r: r.raw / r.ours)[rounds // 2]
    print(f"{messages:,} messages, {in_flight} in flight, {rounds} rounds, each against its "
          f"own baseline ({datetime.now(UTC):%Y-%m-%d}, {to_iso(datetime.now(UTC))})")
    print(f"median round: core {middle.ours:5.2f} s {messages / middle.ours:9,.0f} msg/s in "
          f"{middle.commits} commits; raw executemany {middle.raw:5.2f} s "
          f"{messages / middle.raw:9,.0f} rows/s")
    print(f"ratio                median {statistics.median(ratios):5.2f}x of the baseline's "
          f"throughput, rounds {', '.join(f'{r:.2f}' for r in ratios)} (target >= 0.35)")
    print(f"durability latency   median {statistics.median(latencies) * 1e3:6.1f} ms  p99 "
          f"{percentile(latencies, 0.99) * 1e3:6.1f} ms over all rounds "
          "(target p99 <= 50 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--in-flight", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.in_flight, args.rounds))


if __name__ == "__main__":
    main()

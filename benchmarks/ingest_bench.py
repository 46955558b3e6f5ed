"""Response ingest through the core (group commit) against raw sqlite3 inserts of the same rows,
in interleaved rounds (ours, then the two baselines, the order reversed every other round, after
one untimed run of each), with another connection writing as a live bot's other parts do.

Ours: N messages from C concurrent clients (each waits for its message to be durable before
sending the next) through `record_message`, on a database with a posted session. Baselines, on
the same schema with the same participants: the resolved rows in one `executemany` and one
transaction, and the same rows committed in as many transactions as ours' latest run used (the same
commit cadence). During every run another connection commits an audit row and an outbox row every 50
ms, as a live bot's other parts do: both sides meet its write lock, and the writer must tell that
these commits leave what it remembers (posts, authors) as it was. Latency is from a message's
submission until its commit is on disk. The messages are built before the clock starts and frozen
out of the cycle collector's way with the services (as `run` freezes its start), so that collections
walk only what taking them in makes.

Run: .venv/bin/python benchmarks/ingest_bench.py [--messages N] [--in-flight C] [--pairs N]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import asyncio
import gc
import math
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import command_line
from pairs import Report, Spread, Target, percentile, rounds_async
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.config.settings import Settings
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.services.responses import InboundMessage, record_message

MODERATOR = Actor("console", "console:mod", "mod", is_moderator=True)
PLACE = Place("console", "bench", "seminar")
LOAD_INTERVAL = 0.05  # seconds between the other connection's commits
INSERT = ("INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
          " platform, message_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


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


def settings(folder: Path) -> Settings:
    return Settings(data_dir=folder, database=folder / "core.db")


async def template(folder: Path) -> list[str]:
    """A database with a cohort whose first session is posted; its prompt threads' ids."""
    app = await open_services(settings(folder), ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC)))
    app.scheduler.attach(NullPoster())
    await run_line(app, "seminar setup tue 19:00 UTC", MODERATOR, PLACE)
    await run_line(app, "seminar post 1", MODERATOR, PLACE)
    threads = [row[0] for row in await app.db.fetchall(
        "SELECT thread_id FROM outbox WHERE state = 'posted' ORDER BY id")]
    await app.close()
    return threads


@contextmanager
def other_writer(path: Path) -> Iterator[None]:
    """Another connection committing an audit row and an outbox row every LOAD_INTERVAL."""
    stop = threading.Event()

    def write() -> None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=5)
        count = 0
        while not stop.wait(LOAD_INTERVAL):
            count += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO audit_log (at, platform, actor_id, action, outcome)"
                         " VALUES ('2026-01-05T09:00:00Z', 'console', 'load', 'bench', 'ok')")
            conn.execute("INSERT INTO outbox (cohort_id, session_id, kind, item, due_at)"
                         " VALUES (1, 'load', 'reminder', ?, '2027-01-01T00:00:00Z')",
                         (str(count),))
            conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@dataclass
class Ours:
    seconds: float
    commits: int
    latencies: list[float]


async def ours(base: Path, threads: list[str], messages: int, in_flight: int) -> Ours:
    with command_line.scratch("ingest-ours-") as folder:
        shutil.copy(base / "core.db", folder / "core.db")
        app = await open_services(settings(folder),
                                  ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC)))
        now = app.clock.now()
        body = "A considered reply about the soviets and the party. " * 6
        inbound = [InboundMessage("console", f"m{n}", Actor("console", f"u{n % 2000}",
                                                            f"person {n % 2000}"),
                                  body, now, thread_id=threads[n % len(threads)])
                   for n in range(messages)]
        latencies: list[float] = []

        async def client(share: list[InboundMessage]) -> None:
            for message in share:
                began = time.perf_counter()
                await record_message(app, message)
                latencies.append(time.perf_counter() - began)

        # What is alive now (the services, and the messages built in advance, which a live bot
        # receives one by one and drops) is frozen out of the cycle collector's way, as `run`
        # freezes what its start made (cli/collector.py). Else a full collection walked the
        # harness's 100,000 message objects (45-120 ms), and in the runs where one fell inside
        # the timed part it was the p99 (150 ms where it was 60-80 ms without).
        gc.collect()
        gc.freeze()
        try:
            with other_writer(folder / "core.db"):
                began = time.perf_counter()
                await asyncio.gather(*(client(inbound[k::in_flight]) for k in range(in_flight)))
                seconds = time.perf_counter() - began
            stored = await app.db.scalar("SELECT COUNT(*) FROM responses")
            commits = app.response_writer.batches
        finally:
            gc.unfreeze()
            await app.close()
        assert stored == messages, (stored, messages)
        return Ours(seconds, commits, latencies)


def resolved_rows(base: Path, threads: list[str], messages: int) -> list[tuple[object, ...]]:
    """The rows ours stores, with participants 1…2000 (created in the baseline's database)."""
    conn = sqlite3.connect(base / "core.db")
    posts = dict(conn.execute("SELECT thread_id, id || ' ' || session_id || ' ' || item"
                              " FROM outbox WHERE state = 'posted'").fetchall())
    conn.close()
    body = "A considered reply about the soviets and the party. " * 6
    rows = []
    for n in range(messages):
        post_id, session_id, prompt_id = posts[threads[n % len(threads)]].split(" ")
        rows.append((1, int(post_id), session_id, prompt_id, n % 2000 + 1, "console", f"m{n}",
                     body, "2026-01-05T09:00:00Z"))
    return rows


def baseline(base: Path, rows: list[tuple[object, ...]], commits: int) -> float:
    """Seconds to insert the rows in `commits` transactions of equal size, on a copy of the
    database with the participants in place, foreign keys on, synchronous=FULL (as ours)."""
    with command_line.scratch("ingest-raw-") as folder:
        shutil.copy(base / "core.db", folder / "core.db")
        conn = sqlite3.connect(folder / "core.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executemany("INSERT INTO participants (id, platform, external_id, created_at)"
                         " VALUES (?, 'console', ?, '2026-01-05T09:00:00Z')",
                         [(n + 1, f"u{n}") for n in range(2000)])
        conn.executemany("INSERT INTO participant_names (participant_id, community_id,"
                         " display_name) SELECT ?, community_id, ? FROM cohorts LIMIT 1",
                         [(n + 1, f"person {n}") for n in range(2000)])
        size = math.ceil(len(rows) / commits)
        with other_writer(folder / "core.db"):
            began = time.perf_counter()
            for first in range(0, len(rows), size):
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(INSERT, rows[first:first + size])
                conn.execute("COMMIT")
            seconds = time.perf_counter() - began
        conn.close()
        return seconds


async def run(messages: int, in_flight: int, pairs: int, json_path: str | None) -> None:
    with command_line.scratch("ingest-base-") as base:
        threads = await template(base)
        rows = resolved_rows(base, threads, messages)
        latest: list[Ours] = []

        async def mine() -> Ours:
            latest.append(await ours(base, threads, messages, in_flight))
            return latest[-1]

        # The raw inserts run in a thread of their own, so that Ctrl-C need not wait for them.
        async def one() -> float:
            return await command_line.in_thread(baseline, base, rows, 1)

        async def same() -> float:  # the commit cadence of ours' latest run
            return await command_line.in_thread(baseline, base, rows, latest[-1].commits)

        # rounds_async warms each up in this order, so `same` has a cadence from its first run.
        found = await rounds_async({"ours": mine, "one": one, "same": same}, pairs)
    results = [(r["ours"], r["one"], r["same"]) for r in found]
    report = Report(f"Response ingest: {messages:,} messages from {in_flight} concurrent "
                    "clients through the core, against raw inserts",
                    "python benchmarks/ingest_bench.py")
    counted = command_line.plural(pairs, "interleaved round")
    report.note(f"{counted}; another connection commits every "
                f"{LOAD_INTERVAL * 1e3:.0f} ms throughout; ours made "
                f"{Spread.of([m.commits for m, _, _ in results]).show(' commits', 0)}, the "
                "same-cadence baseline as many as ours' latest run; the messages, built in "
                "advance, are frozen out of the cycle collector's way with the services, as "
                "`run` freezes its start")
    report.add("ours: messages per second", Spread.of([messages / m.seconds
                                                       for m, _, _ in results]), "", 0)
    report.add("throughput / one raw executemany in one transaction",
               Spread.of([one / m.seconds for m, one, _ in results]), "×",
               target=Target(">=", 0.35, "×"))
    report.add("throughput / raw executemany with ours' commit cadence",
               Spread.of([same / m.seconds for m, _, same in results]), "×")
    report.add("durability latency from submission, median",
               Spread.of([percentile(m.latencies, 0.5) for m, _, _ in results]), " ms", 1, 1e3)
    report.add("durability latency from submission, p99",
               Spread.of([percentile(m.latencies, 0.99) for m, _, _ in results]), " ms", 1,
               1e3, Target("<=", 50, " ms"))
    report.write(json_path)


def main() -> None:
    parser = command_line.parser(__doc__, what_pairs="interleaved rounds")
    parser.add_argument("--messages", type=command_line.whole(most=1_000_000), default=50_000,
                        help="messages taken in per run, built in advance (default 50,000; at "
                        "most 1,000,000)")
    parser.add_argument("--in-flight", type=command_line.whole(most=1_000_000), default=500,
                        help="concurrent clients, each waiting for its last message to be "
                        "durable (default 500)")
    args = parser.parse_args()
    if args.in_flight > args.messages:  # a client per message at most: the others would idle
        parser.error(f"argument --in-flight: expected at most --messages ({args.messages:,}), "
                     f"got {args.in_flight:,}")
    command_line.run_async(run(args.messages, args.in_flight, args.pairs, args.json))


if __name__ == "__main__":
    command_line.main(main)

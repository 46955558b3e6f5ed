"""One database at scale: 10,000 cohorts and 1M responses; what people wait for, from submission.

Cohorts are set up as the scheduler does (their outbox planned), the first three sessions of
each posted, and responses written to their prompts: one large seminar of 20,000 responses, the
rest shared out evenly, from 50,000 participants. Then, round after round (the order of the
commands reversed every other round), C invocations of each command are submitted at once, in
C different cohorts (the large one among them): `/seminar stats` (with its chart), `/seminar
mine` (by someone who wrote there), `/seminar export csv 1` (one session, as a moderator, in
chat) and `/term`. Latency is from submission to the answer; the p99 of each round is reported
as min / median / max over the rounds.

Run: .venv/bin/python benchmarks/scale_bench.py [--cohorts N] [--responses N] [--concurrent C]
     [--pairs N] [--keep DIR]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import asyncio
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import command_line
from pairs import Report, Spread, percentile, rounds_async
from seminarbot.app import open_services
from seminarbot.clock import ManualClock, to_iso
from seminarbot.config.settings import Settings
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.domain.schedule import WeeklyRule
from seminarbot.services.container import Services

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
PARTICIPANTS = 50_000
LARGE = 20_000  # responses in the one large seminar (cohort 1)
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
QUERIES = ["otryv", "glasnost’", "komandovanie", "democratic centralism", "kronstadt"]


async def build(app: Services, cohorts: int, responses: int) -> None:
    community = await app.cohorts.ensure_community("console", "bench", "bench", START)
    for first in range(0, cohorts, 500):
        async with app.db.transaction():
            for n in range(first, min(cohorts, first + 500)):
                rule = WeeklyRule((n % 7,), clock_time(n % 24, (n * 7) % 60),
                                  ZONES[n % len(ZONES)], START.date())
                cohort = await app.cohorts.upsert(community, f"channel-{n}", "", "default",
                                                  rule, START)
                await app.scheduler.plan_cohort(cohort, START)
    # In a thread: the million rows take a while, and Ctrl-C must not wait for them.
    await command_line.in_thread(fill, app.settings.database,
                            [s.id for s in app.syllabus.plan.sessions[:3]], cohorts, responses)


def fill(database: Path, posted: list[str], cohorts: int, responses: int) -> None:
    """The first sessions posted in every cohort, the participants and the responses."""
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.execute("UPDATE outbox SET state = 'posted', posted_at = due_at, message_id = 'm' || id,"
                 f" thread_id = 't' || id WHERE kind = 'prompt' AND session_id IN"
                 f" ({', '.join('?' * len(posted))})", posted)
    conn.executemany("INSERT INTO participants (id, platform, external_id, created_at)"
                     " VALUES (?, 'console', ?, ?)",
                     [(i, f"u{i}", to_iso(START)) for i in range(1, PARTICIPANTS + 1)])
    # Everyone writes in the console's one community, under the name they have there.
    conn.executemany("INSERT INTO participant_names (participant_id, community_id, display_name)"
                     " SELECT ?, id, ? FROM communities WHERE platform = 'console'",
                     [(i, f"Reader {i}") for i in range(1, PARTICIPANTS + 1)])
    prompts: dict[int, list[tuple[int, str, str]]] = {}
    for outbox_id, cohort_id, session_id, item in conn.execute(
            "SELECT id, cohort_id, session_id, item FROM outbox WHERE state = 'posted'"):
        prompts.setdefault(cohort_id, []).append((outbox_id, session_id, item))
    rng = random.Random(19)
    words = ["soviet", "party", "committee", "democracy", "worker", "peasant", "debate",
             "revolution", "state", "council", "the", "and", "of", "a", "in", "was"]
    per_cohort = (responses - LARGE) // max(1, cohorts - 1)

    def rows() -> object:
        n = 0
        for cohort_id, posts in prompts.items():
            count = LARGE if cohort_id == 1 else per_cohort
            for _ in range(count):
                outbox_id, session_id, item = posts[n % len(posts)]
                n += 1
                yield (cohort_id, outbox_id, session_id, item, rng.randint(1, PARTICIPANTS),
                       "console", f"r{n}", " ".join(rng.choices(words, k=rng.randint(10, 90))),
                       to_iso(START + timedelta(seconds=n % 1_000_000)))

    conn.executemany("INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id,"
                     " participant_id, platform, message_id, body, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())  # type: ignore[arg-type]
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


async def at_once(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    """Submit all at once; each one's latency from submission (seconds)."""
    done: list[float] = []

    async def one(call: Callable[[], Awaitable[object]]) -> None:
        await call()
        done.append(time.perf_counter())

    submitted = time.perf_counter()
    await asyncio.gather(*(one(call) for call in calls))
    return [at - submitted for at in done]


async def commands(app: Services, cohorts: int, concurrent: int
                   ) -> dict[str, Callable[[], Awaitable[list[float]]]]:
    """Each timed command: `concurrent` invocations at once, in as many cohorts."""
    rng = random.Random(7)
    authors = {cohort: author for cohort, author in await app.db.fetch_tuples(
        "SELECT cohort_id, MIN(participant_id) FROM responses GROUP BY cohort_id")}
    moderator = Actor("console", "mod", "mod", is_moderator=True)

    def place(cohort_id: int) -> Place:
        return Place("console", "bench", f"channel-{cohort_id - 1}")

    def picks() -> list[int]:
        return [1, *rng.sample(range(2, cohorts + 1), concurrent - 1)]

    async def command(line: str, who: Callable[[int], Actor]) -> list[float]:
        return await at_once([lambda c=c: run_line(app, line, who(c), place(c))
                              for c in picks()])

    def reader(cohort_id: int) -> Actor:
        return Actor("console", f"u{authors[cohort_id]}", "reader")

    return {
        "/seminar stats": lambda: command("seminar stats", lambda c: moderator),
        "/seminar mine": lambda: command("seminar mine", reader),
        "/seminar export csv 1": lambda: command("seminar export csv 1", lambda c: moderator),
        "/term": lambda: at_once([lambda q=q: run_line(app, f"term {q}", moderator, place(1))
                                  for q in rng.choices(QUERIES, k=concurrent)]),
    }


async def run(cohorts: int, responses: int, concurrent: int, pairs: int, keep: Path | None,
              json_path: str | None) -> None:
    if keep:
        await measure(command_line.made(keep), cohorts, responses, concurrent, pairs, json_path)
    else:
        with command_line.scratch("scale-bench-") as folder:
            await measure(folder, cohorts, responses, concurrent, pairs, json_path)


async def measure(folder: Path, cohorts: int, responses: int, concurrent: int, pairs: int,
                  json_path: str | None) -> None:
    database = folder / f"scale-{cohorts}-{responses}.db"
    fresh = not database.exists()
    clock = ManualClock(START + timedelta(days=20))
    began = time.perf_counter()
    if fresh:  # under a name of its own until it is whole, so --keep never reuses half of one
        with command_line.built(database) as partial:
            app = await open_services(Settings(data_dir=folder, database=partial), clock)
            try:
                await build(app, cohorts, responses)
            finally:
                await app.close()
    built = time.perf_counter() - began
    app = await open_services(Settings(data_dir=folder, database=database), clock)
    try:
        runs = await commands(app, cohorts, concurrent)
        results = await rounds_async(runs, pairs)
        count = await app.db.scalar("SELECT COUNT(*) FROM responses")
    finally:
        await app.close()
    report = Report(f"One database with {cohorts:,} cohorts and {count:,} responses: latency "
                    "from submission", "python benchmarks/scale_bench.py")
    counted = command_line.plural(pairs, "round")
    report.note(f"{'built' if fresh else 'reused'} in {built:.0f} s; {counted} of "
                f"{concurrent} concurrent invocations of each command in {concurrent} cohorts "
                f"(one of them the large one, {LARGE:,} responses); a round's p99 is its "
                f"{'slowest' if concurrent <= 100 else '99th percentile'} invocation")
    for name in runs:
        report.add(f"{name}: p50", Spread.of([percentile(r[name], 0.5) for r in results]),
                   " ms", 1, 1e3)
        report.add(f"{name}: p99", Spread.of([percentile(r[name], 0.99) for r in results]),
                   " ms", 1, 1e3)
    report.write(json_path)


def main() -> None:
    parser = command_line.parser(__doc__, what_pairs="rounds")
    parser.add_argument("--cohorts", type=command_line.whole(2, most=100_000), default=10_000,
                        help="cohorts in the database (default 10,000)")
    parser.add_argument("--responses", type=command_line.whole(LARGE, most=10_000_000),
                        default=1_000_000,
                        help=f"responses in all (default 1,000,000; {LARGE:,} of them in the "
                        "large cohort)")
    parser.add_argument("--concurrent", type=command_line.whole(most=100_000), default=20,
                        help="invocations of each command at once, each in its own cohort "
                        "(default 20; at most --cohorts)")
    parser.add_argument("--keep", metavar="DIR", type=command_line.folder,
                        help="build (or reuse) the database here")
    args = parser.parse_args()
    if args.responses < LARGE + args.cohorts - 1:  # every other cohort needs one at least
        parser.error(f"argument --responses: expected at least {LARGE:,} + --cohorts - 1 "
                     f"({LARGE + args.cohorts - 1:,}), got {args.responses:,}")
    if args.concurrent > args.cohorts:
        parser.error(f"argument --concurrent: expected at most --cohorts ({args.cohorts}), got "
                     f"{args.concurrent}")
    command_line.run_async(run(args.cohorts, args.responses, args.concurrent, args.pairs, args.keep,
                    args.json))


if __name__ == "__main__":
    command_line.main(main)

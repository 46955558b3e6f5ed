"""The bot on Matrix against a bare matrix-nio client, on a real Synapse on 127.0.0.1.

Both accounts are in the same 50 rooms. Round after round (the order alternating, after one untimed
run of each: pairs.rounds_async), each side is started as its own process — ours is `seminarbot
run`, the baseline `bare/matrix_client.py` (the same nio configuration, nothing else) — and measured
from spawning to the line saying it is ready (first sync handled): wall time, its own CPU time and
its resident memory. Then 20 clients send 2,000 thread replies (100 each, concurrently) into its
room — for ours, into the threads of a posted session — and it is measured until it has them all
(ours: stored in its database; the bare client: received): wall time, CPU time, peak resident
memory. Then it stops.

Run: .venv/bin/python benchmarks/matrix_bench.py [--pairs N] [--replies N] [--rooms N]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import asyncio
import contextlib
import os
import sqlite3
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp

import command_line
from live import Live, Started, Took, intake
from pairs import SEMINARBOT, Report, Spread, Target, ratios, rounds_async

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.matrix.synapse import Account, Synapse  # noqa: E402 (the repository's test helper)

SENDERS = 20
STORED_EVERY = 0.01  # seconds between counts of the bot's stored responses (see stored_from)
TEXT = ("A reply about the soviets, the party and what the committees could still decide "
        "once the civil war was over; the essay and the article disagree here. ") * 2


@dataclass
class Side:
    name: str
    command: list[str]
    env: dict[str, str]
    ready_marker: str
    room: str
    roots: list[str]
    # Waits until a run of it (the process) has taken in this many replies.
    arrived: Callable[[Live, int], Awaitable[None]]


def quiet_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(extra)
    return env


def join(synapse: Synapse, account: Account, room: str) -> None:
    synapse.request("POST", f"/_matrix/client/v3/join/{urllib.parse.quote(room)}", {},
                    account.access_token)


def create_room(synapse: Synapse, owner: Account, invite: list[Account], name: str) -> str:
    answer = synapse.request("POST", "/_matrix/client/v3/createRoom", {
        "name": name, "preset": "private_chat", "invite": [a.user_id for a in invite]},
        owner.access_token)
    room = str(answer["room_id"])
    for account in invite:
        join(synapse, account, room)
    return room


async def send(session: aiohttp.ClientSession, base: str, account: Account, room: str,
               content: dict[str, object], txn: str) -> str:
    url = (f"{base}/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/send/m.room.message/"
           f"{txn}")
    async with session.put(url, json=content,
                           headers={"Authorization": f"Bearer {account.access_token}"}) as reply:
        reply.raise_for_status()
        return str((await reply.json())["event_id"])


async def thread_replies(base: str, people: list[Account], room: str, roots: list[str],
                         count: int, tag: str) -> None:
    async with aiohttp.ClientSession() as session:
        async def one(k: int, person: Account) -> None:
            for n in range(k, count, len(people)):
                root = roots[n % len(roots)]
                await send(session, base, person, room, {
                    "msgtype": "m.text", "body": f"{n}: {TEXT}",
                    "m.relates_to": {"rel_type": "m.thread", "event_id": root,
                                     "is_falling_back": True,
                                     "m.in_reply_to": {"event_id": root}}}, f"{tag}-{n}")
        await asyncio.gather(*(one(k, p) for k, p in enumerate(people)))


def stored(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
    finally:
        conn.close()


async def poll(check: Callable[[], bool], what: str, within: float = 300.0,
               live: Live | None = None, every: float = 0.05) -> None:
    """Wait until `check()` holds, asked every `every` s; a TimeoutError after `within` s, a
    RuntimeError as soon as `live` (the process that should make it hold) has ended."""
    deadline = time.monotonic() + within
    while not check():
        if live is not None and live.exited():
            raise RuntimeError(f"exited before {what}{live.last_lines()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(every)


async def prepare_bot(synapse: Synapse, folder: Path, bot: Account, moderator: Account,
                      room: str) -> tuple[list[str], Path]:
    """Run the bot once: it logs in, a seminar is set up in `room` and session 1 posted."""
    data = folder / "bot"
    env = quiet_env(MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=bot.user_id,
                    MATRIX_PASSWORD=bot.password, SEMINARBOT_DATA_DIR=str(data))
    live = await Live.start([SEMINARBOT, "run"], env)
    db = data / "seminarbot.db"
    try:
        await live.ready("matrix: ready in")
        async with aiohttp.ClientSession() as session:
            await send(session, synapse.url, moderator, room,
                       {"msgtype": "m.text", "body": "!seminar setup tue 19:00 UTC"}, "setup")
            await poll(lambda: db.exists() and _scalar(db, "SELECT COUNT(*) FROM cohorts") > 0,
                       "the seminar to be set up", live=live)
            await send(session, synapse.url, moderator, room,
                       {"msgtype": "m.text", "body": "!seminar post 1"}, "post")
            await poll(lambda: _scalar(db, "SELECT COUNT(*) FROM outbox WHERE state = 'posted'"
                                           " AND kind = 'prompt'") > 0, "the prompts",
                       live=live)
    finally:
        await live.stop()
    conn = sqlite3.connect(db)
    roots = [r[0] for r in conn.execute("SELECT message_id FROM outbox WHERE state = 'posted'"
                                        " AND kind = 'prompt' ORDER BY id")]
    conn.close()
    return roots, db


def _scalar(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


async def prepare(synapse: Synapse, folder: Path, rooms: int) -> tuple[Side, Side, list[Account]]:
    # Synapse's admin and client APIs are called in a thread (urllib blocks), so that Ctrl-C
    # cancels the run at once rather than failing the call when Synapse dies of it too.
    blocking = command_line.in_thread
    moderator, bot, bare = [await blocking(synapse.register, n)
                            for n in ("moderator", "bot", "bare")]
    people = [await blocking(synapse.register, "reader") for _ in range(SENDERS)]
    for n in range(rooms):
        await blocking(create_room, synapse, moderator, [bot, bare], f"Room {n}")
    bot_room = await blocking(create_room, synapse, moderator, [bot, *people], "Seminar")
    bare_room = await blocking(create_room, synapse, moderator, [bare, *people], "Baseline")
    roots, db = await prepare_bot(synapse, folder, bot, moderator, bot_room)
    async with aiohttp.ClientSession() as session:
        bare_roots = [await send(session, synapse.url, moderator, bare_room,
                                 {"msgtype": "m.text", "body": f"Prompt {n}"}, f"root-{n}")
                      for n in range(len(roots))]
    ours = Side("seminarbot run", [SEMINARBOT, "run"],
                quiet_env(MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=bot.user_id,
                          MATRIX_PASSWORD=bot.password, SEMINARBOT_DATA_DIR=str(folder / "bot")),
                "matrix: ready in", bot_room, roots, stored_from(db))
    store = folder / "bare-store"
    store.mkdir()
    baseline = Side("bare nio client", [sys.executable, str(Path(__file__).parent / "bare" /
                                                          "matrix_client.py"), synapse.url,
                                        bare.user_id, bare.device_id, bare.access_token,
                                        str(store)],
                    quiet_env(), "ready", bare_room, bare_roots, received)
    live = await Live.start(baseline.command, baseline.env)  # its first start makes its keys
    await live.ready("ready")
    await live.stop()
    return ours, baseline, people


def stored_from(db: Path) -> Callable[[Live, int], Awaitable[None]]:
    """Waits for that many more responses in the bot's database than when the run began, asked
    every STORED_EVERY s: ours' intake time is late by up to that (a bare client's, read from
    its output as written, is not)."""
    def arrived(live: Live, count: int) -> Awaitable[None]:
        target = stored(db) + count
        return poll(lambda: stored(db) >= target, f"{target} responses stored", live=live,
                    every=STORED_EVERY)
    return arrived


async def received(live: Live, count: int) -> None:
    """Waits for the bare client to say it has received that many (it counts from its start)."""
    index = 0
    while True:
        index = await live.wait_line("received", 300, index) + 1
        if int(live.lines[index - 1].split()[-1]) >= count:
            return


async def while_up(synapse: Synapse, work: Awaitable[T]) -> T:
    """`work`, failed as soon as Synapse exits (a bot only retries, so nothing else would)."""
    task = asyncio.ensure_future(work)
    while not task.done():
        if synapse.process is not None and synapse.process.poll() is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise RuntimeError(f"Synapse exited with {synapse.process.returncode}")
        await asyncio.wait({task}, timeout=0.2)
    return task.result()


async def round_of(side: Side, synapse: Synapse, people: list[Account], replies: int,
                   tag: str) -> tuple[Started, Took]:
    live = await Live.start(side.command, side.env)
    try:
        started = await live.ready(side.ready_marker)
        arrival = side.arrived(live, replies)  # counted before the first reply is sent
        took = await intake(live, lambda: thread_replies(synapse.url, people, side.room,
                                                         side.roots, replies, tag),
                            lambda: arrival)
    finally:
        await live.stop()
    return started, took


async def run(pairs: int, replies: int, rooms: int, json_path: str | None) -> None:
    with command_line.scratch("matrix-bench-") as folder:
        synapse = Synapse(folder / "synapse")
        try:
            await command_line.in_thread(synapse.start)
            ours, baseline, people = await prepare(synapse, folder, rooms)
            count = iter(range(1_000_000))  # each run's replies carry a tag of their own

            def side(s: Side) -> Callable[[], Awaitable[tuple[Started, Took]]]:
                return lambda: while_up(synapse, round_of(s, synapse, people, replies,
                                                          f"r{next(count)}{s.name}"))

            found = await rounds_async({"ours": side(ours), "bare": side(baseline)}, pairs)
        finally:
            synapse.stop()
    results = [(r["ours"], r["bare"]) for r in found]
    report = Report(f"The bot on Matrix against a bare nio client ({rooms} rooms, {replies:,} "
                    f"thread replies from {SENDERS} clients)", "python benchmarks/matrix_bench.py")
    counted = command_line.plural(pairs, "interleaved pair")
    report.note(f"{counted}, each side a process of its own, after one pair "
                "not counted; Synapse, the senders and both sides share the machine")
    figures(report, results)
    report.write(json_path)


def figures(report: Report, results: list[tuple[tuple[Started, Took], tuple[Started, Took]]],
            *, fixed_wait: float = 0.0, intake_cpu_target: bool = True) -> None:
    """The start-up and intake figures of both sides and their ratios per pair. `fixed_wait`
    is taken off both sides' wall time to ready (discord.py waits 2 s for guilds)."""
    def both(what: str, pick: Callable[[tuple[Started, Took]], float], unit: str, digits: int,
             target: Target | None) -> None:
        report.add(f"{what}: ours", Spread.of([pick(o) for o, _ in results]), unit, digits)
        report.add(f"{what}: bare", Spread.of([pick(b) for _, b in results]), unit, digits)
        report.add(f"{what}: ours / bare", ratios(results, pick),
                   "×", 2, target=target)

    less = f" (less the fixed {fixed_wait:g} s wait)" if fixed_wait else ""
    both(f"start-up to ready, wall time{less}", lambda r: r[0].wall - fixed_wait, " s", 2,
         Target("<=", 1.15, "×"))
    both("start-up to ready, CPU time", lambda r: r[0].cpu, " s", 2, Target("<=", 1.3, "×"))
    both("resident memory when ready", lambda r: r[0].rss_mb, " MB", 1, Target("<=", 1.1, "×"))
    both("taking them in, wall time", lambda r: r[1].wall, " s", 2, None)
    both("taking them in, CPU time", lambda r: r[1].cpu, " s", 2,
         Target("<=", 1.3, "×") if intake_cpu_target else None)
    both("peak resident memory while taking them in", lambda r: r[1].peak_rss_mb, " MB", 1,
         Target("<=", 1.1, "×"))


def main() -> None:
    parser = command_line.parser(__doc__)
    parser.add_argument("--replies", type=command_line.whole(most=100_000), default=2000,
                        help="thread replies sent to each side per round (default 2,000)")
    parser.add_argument("--rooms", type=command_line.whole(most=1_000), default=50,
                        help="rooms the bot and the bare client are in (default 50)")
    args = parser.parse_args()
    command_line.run_async(run(args.pairs, args.replies, args.rooms, args.json))


if __name__ == "__main__":
    command_line.main(main)

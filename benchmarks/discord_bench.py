"""The bot on Discord against a bare `discord.Client`, on the loopback fake of Discord that the
tests use (tests/discord_fake/), served by this process.

The fake's server has 50 text channels. Round after round (the order reversed every other round,
after one untimed run of each: pairs.rounds_async), each side is started as its own process — ours
is `seminarbot run`, the baseline `bare/discord_client.py` (the bot's intents, no message cache,
nothing else), as a floor the same client storing each message in SQLite, and as the floor of any
bot made of our code that storing client with the modules `run` holds when ready imported first
(`--bot-modules`, doing nothing with them) — and measured from spawning to on_ready: wall time
(which includes discord.py's fixed 2 s wait for guilds, on every side), its own CPU time and its
resident memory. Then 20 people write 2,000 messages into threads — for ours, the threads of a
posted session's prompts — and it is measured until it has them all (ours: stored in its
database; the bare clients: received): wall time, CPU time, peak resident memory.

Run: .venv/bin/python benchmarks/discord_bench.py [--pairs N] [--messages N] [--channels N]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import asyncio
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import command_line
from live import Live, Started, Took, intake
from matrix_bench import TEXT, figures, poll, quiet_env, received, stored_from
from pairs import SEMINARBOT, Report, ratios, rounds_async

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.discord_fake import FakeDiscord  # noqa: E402 (the repository's test helper)
from tests.discord_fake.state import TEXT_CHANNEL  # noqa: E402

PEOPLE = 20
GUILD_WAIT = 2.0  # discord.py's guild_ready_timeout, the same on both sides
MAX_CHANNELS = 500  # channels a Discord server may hold (Discord's API docs, Guild resource)


def populate(fake: FakeDiscord, channels: int) -> None:
    """More text channels (the fake starts with two) and the people who write."""
    world = fake.world
    while len(world.channels) < channels:
        channel_id = world.new_id()
        world.channels[channel_id] = {
            "id": str(channel_id), "type": TEXT_CHANNEL, "guild_id": str(world.guild_id),
            "name": f"room-{len(world.channels)}", "position": len(world.channels),
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
            "last_message_id": None, "rate_limit_per_user": 0, "flags": 0}
    for k in range(PEOPLE):
        world.add_person(f"reader{k}")


async def seminar(fake: FakeDiscord, data: Path) -> None:
    """A seminar in the fake's seminar channel with session 1 due now (posted at first start)."""
    from seminarbot.app import open_services
    from seminarbot.clock import SystemClock
    from seminarbot.config.settings import Settings
    from seminarbot.core.dispatch import run_line
    from seminarbot.core.invocation import Actor, Place

    world = fake.world
    app = await open_services(Settings(data_dir=data, database=data / "seminarbot.db"),
                              SystemClock())
    place = Place("discord", str(world.guild_id), str(world.seminar_channel), "Reading Group",
                  "soviet-democracy")
    ann = Actor("discord", fake.person("ann")["id"], "ann", is_moderator=True)
    await run_line(app, "seminar setup tue 19:00 UTC", ann, place)
    session = app.syllabus.plan.sessions[0]
    await app.outbox.schedule(1, session.id, "prompt", [p.id for p in session.prompts],
                              datetime.now(UTC) - timedelta(minutes=1))
    await app.close()


def unposted(db: Path) -> int:
    """Prompt posts due by now and not yet recorded as posted."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        return int(conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt' AND state != 'posted'"
            " AND due_at <= ?", (datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),)
        ).fetchone()[0])
    finally:
        conn.close()


def bare_threads(fake: FakeDiscord, count: int) -> list[int]:
    """Threads in another channel for the baseline's messages (not the bot's prompts)."""
    world = fake.world
    threads = []
    for n in range(count):
        root = world.message(world.system_channel, world.bot, f"Prompt {n}")
        threads.append(int(world.thread(int(root["id"]), f"Prompt {n}", 10080)["id"]))
    return threads


async def write(fake: FakeDiscord, threads: list[int], count: int) -> None:
    for n in range(count):
        await fake.say(f"reader{n % PEOPLE}", threads[n % len(threads)], f"{n}: {TEXT}")
        if n % 50 == 0:
            await asyncio.sleep(0)  # let the fake's socket drain, as a real gateway would


async def run(pairs: int, messages: int, channels: int, json_path: str | None) -> None:
    with command_line.scratch("discord-bench-") as folder:
        fake = FakeDiscord(lambda: datetime.now(UTC))
        await fake.start()
        try:
            found = await measure(fake, folder, pairs, messages, channels)
        finally:
            await fake.stop()
    results = [(r["ours"], r["bare"]) for r in found]
    floors = [(r["storing"], r["bare"]) for r in found]
    code_floors = [(r["code"], r["bare"]) for r in found]
    report = Report(f"The bot on Discord against a bare discord.Client ({channels} channels, "
                    f"{messages:,} messages in threads from {PEOPLE} people)",
                    "python benchmarks/discord_bench.py")
    counted = command_line.plural(pairs, "interleaved pair")
    report.note(f"{counted}, each side a process of its own, after one pair "
                "not counted; the fake Discord runs in the harness, on the same machine; "
                f"discord.py's {GUILD_WAIT:g} s wait for guilds is taken off both sides' wall "
                "time to ready; ours stores every message (a commit), the bare client drops it")
    figures(report, results, fixed_wait=GUILD_WAIT, intake_cpu_target=False)
    floor(report, floors, "bare client storing each message in SQLite")
    floor(report, code_floors, "bare client storing each message, the bot's modules imported",
          cpu=True)
    report.write(json_path)


async def measure(fake: FakeDiscord, folder: Path, pairs: int, messages: int, channels: int
                  ) -> list[dict[str, tuple[Started, Took]]]:
    """The rounds: ours, the bare client and the two storing bare clients, each a process."""
    populate(fake, channels)
    data = folder / "bot"
    await seminar(fake, data)
    db = data / "seminarbot.db"
    endpoints = {"DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
                 "DISCORD_GATEWAY_URL": fake.gateway_url}
    ours = ([SEMINARBOT, "run"],
            quiet_env(**endpoints, SEMINARBOT_DATA_DIR=str(data)), "connected to Discord as")
    client = [sys.executable, str(Path(__file__).parent / "bare" / "discord_client.py")]
    at = [fake.token, fake.api_base, fake.gateway_url]
    bare = ([*client, *at], quiet_env(), "ready")
    storing = ([*client, *at, str(folder / "floor.db")], quiet_env(), "ready")
    code = ([*client, "--bot-modules", *at, str(folder / "code.db")], quiet_env(), "ready")
    live = await Live.start(ours[0], ours[1])  # first start: it posts the prompts
    try:
        await live.ready(ours[2])
        # All of them: one stopped half-posted is settled by the next start, and what the
        # rounds write in its thread before that would wait for a later catch-up.
        await poll(lambda: unposted(db) == 0, "the prompts posted", live=live)
    finally:
        await live.stop()
    ours_threads = [int(t["id"]) for t in fake.threads()]
    theirs = bare_threads(fake, len(ours_threads))

    def side(name: str, command: list[str], env: dict[str, str], marker: str
             ) -> Callable[[], Awaitable[tuple[Started, Took]]]:
        mine = name == "ours"
        return lambda: round_of(fake, command, env, marker, ours_threads if mine else theirs,
                                messages, stored_from(db) if mine else received)

    return await rounds_async({"ours": side("ours", *ours), "bare": side("bare", *bare),
                               "storing": side("storing", *storing),
                               "code": side("code", *code)}, pairs)


def floor(report: Report, floors: list[tuple[tuple[Started, Took], tuple[Started, Took]]],
          what: str, *, cpu: bool = False) -> None:
    """A floor against the bare client, measured in the same rounds: of any bot that keeps
    messages (bare/discord_client.py given a database), and of any bot made of our code (the
    same, given `--bot-modules` too): ours / bare cannot be below these."""
    if cpu:
        report.add(f"start-up to ready, CPU time: {what} / bare",
                   ratios(floors, lambda r: r[0].cpu), "×", 2)
    report.add(f"resident memory when ready: {what} / bare",
               ratios(floors, lambda r: r[0].rss_mb), "×", 2)
    report.add(f"peak resident memory while taking them in: {what} / bare",
               ratios(floors, lambda r: r[1].peak_rss_mb), "×", 2)


async def round_of(fake: FakeDiscord, command: list[str], env: dict[str, str], marker: str,
                   threads: list[int], messages: int,
                   arrived: Callable[[Live, int], Awaitable[None]]) -> tuple[Started, Took]:
    live = await Live.start(command, env)
    try:
        started = await live.ready(marker)
        arrival = arrived(live, messages)
        took = await intake(live, lambda: write(fake, threads, messages), lambda: arrival)
    finally:
        await live.stop()
    return started, took


def main() -> None:
    parser = command_line.parser(__doc__)
    parser.add_argument("--messages", type=command_line.whole(100, 100, 100_000), default=2000,
                        help="messages written to each side per round, a multiple of 100 (the "
                        "bare client says so every hundredth; default 2,000)")
    parser.add_argument("--channels", type=command_line.whole(2, most=MAX_CHANNELS), default=50,
                        help="text channels in the fake's server, at least its two own "
                        f"(default 50; at most {MAX_CHANNELS}, Discord's limit)")
    args = parser.parse_args()
    command_line.run_async(run(args.pairs, args.messages, args.channels, args.json))


if __name__ == "__main__":
    command_line.main(main)

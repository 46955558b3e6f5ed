"""One participant floods a seminar with slash commands: how long others wait, and what it does
to the bot's memory. The real `seminarbot run` (its own process) against the loopback fake of
Discord from tests/discord_fake.

Measured: other members' command latency (dispatch to final answer), alone and while the
flood is handled; how many of the flood's commands were answered; how long until the bot has
dealt with the flood; the bot's resident memory before and after, and its peak.

Run: .venv/bin/python benchmarks/flood_bench.py [--flood N] [--command WORDS] [--src DIR]
[--autocomplete TEXT]
(--src runs another checkout's src/, e.g. the code before the per-person limits;
--autocomplete floods with autocomplete requests, TEXT typed into /term's query, instead of
commands: what one person's keystrokes, real or scripted, cost the others.)
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.discord_fake

from tests.discord_adapter.conftest import eventually  # noqa: E402
from tests.discord_fake import FakeDiscord  # noqa: E402
from tests.discord_fake.rest import InteractionLog  # noqa: E402

import command_line  # noqa: E402  (siblings: these run as scripts)
from pairs import percentile  # noqa: E402
from seminarbot.adapters.discord.settings import DiscordSettings  # noqa: E402
from seminarbot.adapters.discord.sync import sync_commands  # noqa: E402
from seminarbot.config.settings import Settings  # noqa: E402

WAIT = 300.0  # seconds: the longest any one answer may take before the run fails


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def final(log: InteractionLog) -> bool:
    """The answer a person waits for: the reply, or the edit of a deferred one."""
    if log.callback is None:
        return False
    return log.callback.get("type") != 5 or bool(log.edits or log.followups or log.deleted)


async def latency(fake: FakeDiscord, who: str, words: str) -> float:
    began = time.perf_counter()
    log = await fake.send_slash(who, words)
    await eventually(lambda: final(log), within=WAIT)
    return (time.perf_counter() - began) * 1000


async def start_bot(fake: FakeDiscord, folder: Path,
                    src: str | None) -> asyncio.subprocess.Process:
    config = folder / "bot.yaml"
    config.write_text(f"data_dir: {folder / 'data'}\ncontent_dir: {ROOT / 'content'}\n"
                      f"prompts_dir: {ROOT / 'prompts'}\nlog_level: WARNING\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
               DISCORD_GATEWAY_URL=fake.gateway_url)
    if src:
        env["PYTHONPATH"] = src
    with (folder / "bot.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "seminarbot", "--config", str(config), "run", env=env,
            stderr=log)


async def send_flood(fake: FakeDiscord, flood: int, command: str,
                     autocomplete: str | None) -> list[InteractionLog]:
    if autocomplete is None:
        return [await fake.send_slash("bob", command) for _ in range(flood)]
    return [await fake.send_complete("bob", "term", "query", query=autocomplete)
            for _ in range(flood)]


async def run(flood: int, command: str, src: str | None, samples: int,
              autocomplete: str | None) -> None:
    with command_line.scratch("seminarbot-flood-") as folder:
        await measure(folder, flood, command, src, samples, autocomplete)


async def measure(folder: Path, flood: int, command: str, src: str | None, samples: int,
                  autocomplete: str | None) -> None:
    fake = FakeDiscord(lambda: datetime.now(UTC))
    for n in range(samples):  # each measured command comes from another member
        fake.world.add_person(f"member{n}")
    await fake.start()
    settings = dataclasses.replace(Settings(data_dir=folder, database=folder / "s.db"),
                                   discord=DiscordSettings(token=fake.token,
                                                           api_base=fake.api_base,
                                                           gateway_url=fake.gateway_url))
    await sync_commands(settings, str(fake.world.guild_id))
    bot = await start_bot(fake, folder, src)
    try:
        await eventually(lambda: fake.gateway.session is not None, within=60)
        await asyncio.sleep(1)  # READY and GUILD_CREATE handled
        await fake.slash("ann", "seminar-mod setup", weekday="tue", time="19:00", timezone="UTC")
        await fake.slash("ann", "seminar-mod post")
        others = [f"member{n}" for n in range(samples)]
        alone = [await latency(fake, who, command) for who in others]
        before = memory(bot.pid)
        began = time.perf_counter()
        logs = await send_flood(fake, flood, command, autocomplete)
        sent = time.perf_counter() - began
        during = [await latency(fake, who, command) for who in others]
        last, count = time.perf_counter(), 0
        while time.perf_counter() - last < 3:  # until nothing more is answered for 3 s
            answered = sum(log.callback is not None for log in logs)
            if answered != count:
                count, last = answered, time.perf_counter()
            await asyncio.sleep(0.01)
        handled = last - began
        after = memory(bot.pid)
    finally:
        bot.terminate()
        await asyncio.wait_for(bot.wait(), 30)
        await fake.stop()
    what = f"autocomplete of /term {autocomplete[:20]!r}…" if autocomplete else f"/{command}"
    print(f"flood: {flood} × {what} from one participant, sent in {sent:.2f} s; "
          f"{count} answered, {flood - count} left unanswered; the bot was done with it "
          f"{handled:.1f} s after it began")
    for name, values in (("alone", alone), ("during the flood", during)):
        print(f"another member's /{command}, {name}: median {statistics.median(values):.0f} ms, "
              f"p95 {percentile(values, 0.95):.0f} ms, max {max(values):.0f} ms")
    print(f"bot RSS: {before['VmRSS']:.1f} MB before the flood, {after['VmRSS']:.1f} MB after, "
          f"peak {after['VmHWM']:.1f} MB")
    fake.check()


def command(text: str) -> str:
    """An argparse type: a slash command's words."""
    if not text.split():
        raise argparse.ArgumentTypeError("expected a slash command such as 'seminar schedule', "
                                         f"got {text!r}")
    return text


def source(text: str) -> str:
    """An argparse type: a src/ directory holding the seminarbot package."""
    if not (Path(text) / "seminarbot" / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(f"expected a src/ directory with seminarbot/ in it; "
                                         f"{text!r} has none")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood", type=command_line.whole(most=100_000), default=1000,
                        help="commands in the burst (default 1000)")
    parser.add_argument("--command", type=command, default="seminar schedule",
                        help="the slash command sent, without its / (default: seminar schedule)")
    parser.add_argument("--samples", type=command_line.whole(most=1000), default=20,
                        help="others' commands timed (default 20)")
    parser.add_argument("--src", type=source, help="run the bot from this src/ directory "
                        "instead (another checkout's, to compare)")
    parser.add_argument("--autocomplete", metavar="TEXT",
                        help="flood with autocomplete requests typing TEXT into /term")
    args = parser.parse_args()
    command_line.run_async(run(args.flood, args.command, args.src, args.samples, args.autocomplete))


if __name__ == "__main__":
    command_line.main(main)

"""`seminarbot run` on Discord as an operator's supervisor sees it: SIGTERM (docker stop) ends
it cleanly and fast, and `seminarbot health` says whether the platform is connected."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path

from seminarbot.clock import ManualClock
from tests.conftest import MINI
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_unreachable import bot_saying, environment
from tests.discord_fake import FakeDiscord

STARTUP = 30.0


async def health(tmp_path: Path, fake: FakeDiscord, *args: str) -> tuple[int, dict[str, object]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "--config", str(tmp_path / "bot.yaml"), "health",
        "--json", *args, env=environment(fake), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, json.loads(out)


async def test_sigterm_stops_the_bot_cleanly_within_three_seconds(
        tmp_path: Path, bare_fake: FakeDiscord) -> None:
    fake = bare_fake
    async with bot_saying(tmp_path, fake) as (process, said):
        await eventually(lambda: fake.gateway.identifies == 1, within=STARTUP)

        async def connected() -> bool:
            code, states = await health(tmp_path, fake)
            return code == 0 and states["platforms"]["discord"]["state"] == "connected"
        await eventually(connected, within=STARTUP)
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STARTUP)
        took = time.monotonic() - began
    assert process.returncode == 0, "".join(said)
    assert took < 3, took
    assert any(line.rstrip().endswith("stopped") for line in said), "".join(said)
    assert not any("Traceback" in line for line in said)
    assert any(" INFO seminarbot." in line for line in said)  # our own lines at INFO …
    assert not any(" INFO discord." in line for line in said)  # … the library's only warnings
    assert not fake.gateway.sockets  # the bot closed its gateway connection
    code, states = await health(tmp_path, fake)  # the last beat says it stopped, at once
    assert code == 1 and states["platforms"]["discord"]["state"] == "stopped", states
    assert states["problems"][0].startswith("discord: the bot stopped at "), states


async def test_health_fails_while_discord_cannot_be_reached(
        tmp_path: Path, clock: ManualClock, bare_fake: FakeDiscord) -> None:
    fake = bare_fake
    await fake.stop()
    async with bot_saying(tmp_path, fake) as (process, said):
        await eventually(lambda: sum("cannot reach Discord" in line for line in said) >= 1,
                         within=STARTUP)
        seen: list[dict[str, object]] = []

        async def unhealthy() -> bool:  # once it has been down for over a second
            code, states = await health(tmp_path, fake, "--max-down", "1")
            seen.append(states)
            # The adapter tries Discord while the services open: the first heartbeat follows.
            return code == 1 and "discord" in states.get("platforms", {})  # type: ignore[operator]
        await eventually(unhealthy, within=STARTUP)
        states = seen[-1]
        link = states["platforms"]["discord"]  # type: ignore[index]
        assert link["state"] == "retrying" and "detail" in link
        assert any("discord has not been connected" in p for p in states["problems"])  # type: ignore[attr-defined]
        code, _ = await health(tmp_path, fake)  # within the default bound: still healthy
        assert code == 0
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STARTUP)
    assert process.returncode == 0


async def _sync_commands(tmp_path: Path, fake: FakeDiscord) -> None:
    config = tmp_path / "bot.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "--config", str(config), "discord", "sync",
        "--guild", str(fake.world.guild_id), env=environment(fake))
    assert await process.wait() == 0


async def test_sigterm_delivers_the_answer_in_flight(tmp_path: Path,
                                                     bare_fake: FakeDiscord) -> None:
    """The command's work is done and its answer is on its way to Discord when SIGTERM comes:
    the answer still arrives (within SHUTDOWN_GRACE), and nothing is logged as an error. With
    `released` False, Discord never answers: the bot gives up after the grace, quietly."""
    fake = bare_fake
    await _sync_commands(tmp_path, fake)
    fake.rest.hold = asyncio.Event()
    async with bot_saying(tmp_path, fake) as (process, said):
        await eventually(lambda: fake.gateway.identifies == 1, within=STARTUP)
        log = await fake.send_slash("bob", "term", query="glasnost")
        await asyncio.wait_for(fake.rest.holding.wait(), STARTUP)  # the answer is in flight
        process.send_signal(signal.SIGTERM)
        await eventually(lambda: any("stopping (asked to stop)" in line for line in said),
                         within=STARTUP)
        fake.rest.hold.set()  # Discord answers while the bot is stopping
        await asyncio.wait_for(process.wait(), STARTUP)
    assert process.returncode == 0, "".join(said)
    assert log.answered.is_set() and log.callback is not None, "".join(said)
    assert not any("Traceback" in line or " ERROR " in line for line in said), "".join(said)


async def test_sigterm_gives_up_quietly_on_an_answer_discord_never_takes(
        tmp_path: Path, bare_fake: FakeDiscord) -> None:
    fake = bare_fake
    await _sync_commands(tmp_path, fake)
    fake.rest.hold = asyncio.Event()  # never released
    async with bot_saying(tmp_path, fake) as (process, said):
        await eventually(lambda: fake.gateway.identifies == 1, within=STARTUP)
        await fake.send_slash("bob", "term", query="glasnost")
        await asyncio.wait_for(fake.rest.holding.wait(), STARTUP)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STARTUP)  # SHUTDOWN_GRACE, then it stops
        fake.rest.hold.set()
    assert process.returncode == 0, "".join(said)
    assert not any("Traceback" in line or " ERROR " in line for line in said), "".join(said)

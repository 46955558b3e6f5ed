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
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_unreachable import environment, lines, start_bot
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
    process = await start_bot(tmp_path, fake)
    assert process.stderr is not None
    said: list[str] = []
    reader = asyncio.create_task(lines(process.stderr, said))
    try:
        await eventually(lambda: fake.gateway.identifies == 1, within=STARTUP)

        async def connected() -> bool:
            code, states = await health(tmp_path, fake)
            return code == 0 and states["platforms"]["discord"]["state"] == "connected"
        await eventually(connected, within=STARTUP)
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STARTUP)
        took = time.monotonic() - began
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await reader
    assert process.returncode == 0, "".join(said)
    assert took < 3, took
    assert any(line.rstrip().endswith("stopped") for line in said), "".join(said)
    assert not any("Traceback" in line for line in said)
    assert any(" INFO seminarbot." in line for line in said)  # our own lines at INFO …
    assert not any(" INFO discord." in line for line in said)  # … the library's only warnings
    assert not fake.gateway.sockets  # the bot closed its gateway connection


async def test_health_fails_while_discord_cannot_be_reached(
        tmp_path: Path, clock: ManualClock, bare_fake: FakeDiscord) -> None:
    fake = bare_fake
    await fake.stop()
    process = await start_bot(tmp_path, fake)
    assert process.stderr is not None
    said: list[str] = []
    reader = asyncio.create_task(lines(process.stderr, said))
    try:
        await eventually(lambda: sum("cannot reach Discord" in line for line in said) >= 1,
                         within=STARTUP)
        code, states = await health(tmp_path, fake, "--max-down", "0")
        assert code == 1
        link = states["platforms"]["discord"]  # type: ignore[index]
        assert link["state"] == "retrying" and "detail" in link
        assert any("discord has not been connected" in p for p in states["problems"])  # type: ignore[attr-defined]
        code, _ = await health(tmp_path, fake)  # within the default bound: still healthy
        assert code == 0
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STARTUP)
        await reader
    assert process.returncode == 0

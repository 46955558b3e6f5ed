"""`seminarbot run` when Discord cannot be reached or refuses: an unreachable Discord is tried
again with a capped backoff, a line per attempt, until it answers; a refused token or intent
is one actionable line and exit 2, never a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from tests.conftest import MINI
from tests.discord_adapter.conftest import eventually
from tests.discord_fake import FakeDiscord

STARTUP = 30.0


def environment(fake: FakeDiscord) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
               DISCORD_GATEWAY_URL=fake.gateway_url)
    return env


async def start_bot(tmp_path: Path, fake: FakeDiscord) -> asyncio.subprocess.Process:
    config = tmp_path / "bot.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\n")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "--config", str(config), "run",
        env=environment(fake), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)


async def lines(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode())


async def test_an_unreachable_discord_is_tried_until_it_answers(
        tmp_path: Path, clock: ManualClock, bare_fake: FakeDiscord) -> None:
    fake = bare_fake
    port = int(fake.base.rsplit(":", 1)[1])
    await fake.stop()  # Discord is down when the bot starts
    process = await start_bot(tmp_path, fake)
    assert process.stderr is not None
    said: list[str] = []
    reader = asyncio.create_task(lines(process.stderr, said))
    try:
        await eventually(lambda: sum("cannot reach Discord" in line for line in said) >= 2,
                         within=STARTUP)
        assert process.returncode is None  # still trying, not given up
        await fake.start(port)  # Discord is back where the bot keeps looking
        await eventually(lambda: fake.gateway.identifies == 1, within=STARTUP)
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await reader
    attempts = [line for line in said if "cannot reach Discord" in line]
    assert all("trying again in" in line for line in attempts)
    assert not any("Traceback" in line for line in said), "".join(said)


@pytest.mark.parametrize("refusal", ["rest", "gateway", "intent"])
async def test_a_refused_token_or_intent_is_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, refusal: str) -> None:
    fake = bare_fake
    expected = "seminarbot: Discord refused the token (DISCORD_TOKEN)"
    if refusal == "rest":
        fake.token = "not-the-one"  # and fake.rest still expects its own
        fake.rest.token = "fake.other"
    elif refusal == "gateway":
        fake.gateway.token = "fake.other"  # REST takes it, the gateway closes with 4004
    else:
        fake.gateway.message_content_allowed = False
        expected = "seminarbot: turn on the Message Content intent"
    process = await start_bot(tmp_path, fake)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert "Traceback" not in said
    assert said.strip().splitlines()[-1].startswith(expected), said


@pytest.mark.parametrize("code", [4010, 4011, 4012, 4013])
async def test_the_gateways_other_fatal_closes_are_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, code: int) -> None:
    bare_fake.gateway.identify_closes = code
    process = await start_bot(tmp_path, bare_fake)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert "Traceback" not in said
    assert f"(gateway close {code}" in said.strip().splitlines()[-1], said


async def test_each_server_error_at_start_up_is_a_log_line(
        tmp_path: Path, bare_fake: FakeDiscord) -> None:
    bare_fake.rest.server_errors = 2  # discord.py tries again on its own, silently
    process = await start_bot(tmp_path, bare_fake)
    assert process.stderr is not None
    said: list[str] = []
    reader = asyncio.create_task(lines(process.stderr, said))
    try:
        await eventually(lambda: bare_fake.gateway.identifies == 1, within=STARTUP)
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await reader
    answered = [line for line in said if "Discord answered 502 Bad Gateway" in line]
    assert len(answered) == 2, "".join(said)

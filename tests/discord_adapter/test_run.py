"""`seminarbot run` with a Discord token: the runner's one scheduler posts through the adapter."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord.gateway
import discord.http
import pytest

from seminarbot.adapters.discord import run as run_discord
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.core.dispatch import run
from seminarbot.core.invocation import Actor, Place
from seminarbot.domain.models import OutboxState
from seminarbot.services.container import Services
from seminarbot.services.opening import Opening
from tests.conftest import MINI
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import prompt_posts
from tests.discord_fake import WAIT, FakeDiscord
from tests.pipes import filled_pipe

STARTUP = 30.0  # seconds a fresh interpreter may take to connect on a slow machine


@pytest.mark.parametrize("stderr", ["read", "full"])
async def test_seminarbot_run_connects_and_posts_a_due_prompt(
        fake: FakeDiscord, app: Services, tmp_path: Path, stderr: str) -> None:
    """Also with standard error a full pipe nobody reads (a paused terminal, a log driver that
    blocks): the log's lines never stop the bot (cli.standard_error), which used to freeze at its
    first line and never take the stop signal."""
    world = fake.world
    place = Place("discord", str(world.guild_id), str(world.seminar_channel), "Reading Group",
                  "soviet-democracy")
    ann = Actor("discord", fake.person("ann")["id"], "ann", is_moderator=True)
    await run(app, app.registry.get("seminar setup"),
              {"weekday": "tue", "time": "19:00", "timezone": "UTC"}, ann, place)
    session = app.syllabus.plan.sessions[0]
    # Due a minute ago by the real clock the bot will run on.
    await app.outbox.schedule(1, session.id, "prompt", [p.id for p in session.prompts],
                              datetime.now(UTC) - timedelta(minutes=1))

    config = tmp_path / "bot.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ndatabase: {app.settings.database}\n"
                      f"content_dir: {MINI.content}\nprompts_dir: {MINI.prompts}\n"
                      "log_level: debug\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
               DISCORD_GATEWAY_URL=fake.gateway_url)
    unread, full = filled_pipe() if stderr == "full" else (None, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "--config", str(config), "run", env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE if full is None else full)
    try:
        await eventually(lambda: len(prompt_posts(fake)) == 3, within=STARTUP)
        await eventually(lambda: _all_posted(app), within=STARTUP)
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        for end in (unread, full):
            if end is not None:
                os.close(end)
    assert process.returncode == 0, err  # SIGINT stops it cleanly, as SIGTERM does
    # The start ran without the cycle collector and froze what it made (cli/collector.py).
    assert full is not None or b"is frozen, out of the cycle collector's way" in err
    assert fake.gateway.identifies == 1
    assert fake.requests("PUT", "/applications/") == []  # commands are synced on demand only
    posted = await app.outbox.for_cohort(1)
    assert [i.message_id for i in posted if i.session_id == session.id and i.kind == "prompt"] == [
        m["id"] for m in prompt_posts(fake)]


async def _all_posted(app: Services) -> bool:
    items = [i for i in await app.outbox.for_cohort(1)
             if i.session_id == "beginnings" and i.kind == "prompt"]
    return all(i.state is OutboxState.POSTED for i in items)


async def test_a_wrong_token_and_a_missing_intent_are_said_plainly(
        fake: FakeDiscord, app: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    endpoints = DiscordSettings(token="not-the-token", api_base=fake.api_base,
                                gateway_url=fake.gateway_url)
    app.settings = dataclasses.replace(app.settings, discord=endpoints)
    with pytest.raises(RuntimeError, match="Discord refused the token"):
        await asyncio.wait_for(run_discord(Opening.of(app)), WAIT)

    fake.gateway.message_content_allowed = False
    app.settings = dataclasses.replace(
        app.settings, discord=dataclasses.replace(endpoints, token=fake.token))
    with pytest.raises(RuntimeError, match="turn on the Message Content intent"):
        await asyncio.wait_for(run_discord(Opening.of(app)), WAIT)
    assert fake.gateway.identifies == 0
